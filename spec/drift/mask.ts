// What of a response a finding may show without --show-values. A report travels (CI logs, step summaries, chat), so
// anything that may be an end user's data is described by its length and type instead: free text, names, phone
// numbers, a free-form map's keys, a media type's parameters.
import type { OpenApiDocument } from "../load-spec.ts";
import { walk } from "./spec-walk.ts";

// The shape of the spec's own codes (`active`, `closed_by_operator`, `success`): a new one is the finding, so it is
// shown. A capitalised word (a name), digits (a phone number) or spaces do not have it.
const CODE = /^[a-z][a-z0-9_.-]{0,31}$/;
// The shape of the API's own field names (`roomId`, `_id`, `developerMessages`); `JuanPerez` does not have it.
const IDENTIFIER = /^_?[a-z][a-zA-Z0-9]{0,39}$/;
// Case-insensitive like media types themselves: a media type is shown as received, never lowercased, so that a
// credential in it stays in the form redaction looks for.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/i;

/** A value as a finding shows it: quoted when it has a code's shape (or values are shown), else its length and type. */
export function shown(value: unknown, showValues: boolean): string {
  if (typeof value !== "string") return `a ${typeOf(value)}`;
  return showValues || CODE.test(value) ? `"${value}"` : `a ${[...value].length}-char string (not shown)`;
}

/**
 * A JSON pointer into a body as a finding shows it: declared field names and array indexes as they are; a free-form
 * map's keys, and undocumented keys that do not look like the API's identifiers, as `{<length>-char key}`.
 */
export function shownPointer(
  spec: OpenApiDocument,
  schemaPointer: string,
  pointer: string,
  showValues: boolean,
): string {
  if (showValues || pointer === "") return pointer;
  const { kinds } = walk(spec, schemaPointer, pointer);
  return pointer
    .slice(1)
    .split("/")
    .map((raw, i) => {
      const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
      const kind = kinds[i];
      const visible = kind === "field" || kind === "index" || (kind === "undeclared" && IDENTIFIER.test(key));
      return `/${visible ? raw : `{${[...key].length}-char key}`}`;
    })
    .join("");
}

/** The media type of a Content-Type header, `type/subtype` only (as received): its parameters can carry anything. */
export function mediaType(contentType: string): string {
  const essence = contentType.split(";")[0]?.trim() ?? "";
  if (essence === "") return "none";
  return MEDIA_TYPE.test(essence) ? essence : `a ${[...essence].length}-char media type (not shown)`;
}

/** The JSON type of a value, as findings report it instead of the value. */
export function typeOf(value: unknown): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
