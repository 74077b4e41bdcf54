// What compare.ts needs from the spec that Ajv's errors do not carry: which schemas apply at a place in a body, and
// whether each step to it is a declared field, an array index, or a free-form map's key (data, not a field name).
import { atPointer } from "../json-pointer.ts";
import type { OpenApiDocument } from "../load-spec.ts";

type Schema = Record<string, unknown>;

/** How a body reaches one segment of a pointer. `undeclared`: no schema names the key (an undocumented field). */
export type SegmentKind = "field" | "index" | "map-key" | "undeclared";

/** Follows `pointer` (into a body) from the schema at `schemaPointer`: each segment's kind, and the schemas at the end. */
export function walk(
  spec: OpenApiDocument,
  schemaPointer: string,
  pointer: string,
): { kinds: SegmentKind[]; schemas: Schema[] } {
  let schemas = expand(spec, [atPointer(spec, schemaPointer)]);
  const kinds: SegmentKind[] = [];
  for (const raw of pointer === "" ? [] : pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const step = (kind: SegmentKind, next: unknown[]) => {
      kinds.push(kind);
      schemas = expand(spec, next);
    };
    const fields = schemas.flatMap((s) =>
      isSchema(s.properties) && Object.hasOwn(s.properties, key) ? [s.properties[key]] : [],
    );
    const items = /^(0|[1-9]\d*)$/.test(key) ? schemas.flatMap((s) => ("items" in s ? [s.items] : [])) : [];
    const maps = schemas.flatMap((s) =>
      "additionalProperties" in s && s.additionalProperties !== false ? [s.additionalProperties] : [],
    );
    if (fields.length > 0) step("field", fields);
    else if (items.length > 0) step("index", items);
    else if (maps.length > 0) step("map-key", maps);
    else step("undeclared", []);
  }
  return { kinds, schemas };
}

/** The values a discriminator at `pointer` maps to a branch (its `mapping`'s keys); empty when there is none. */
export function discriminatorValues(
  spec: OpenApiDocument,
  schemaPointer: string,
  pointer: string,
  tag: string,
): string[] {
  for (const s of walk(spec, schemaPointer, pointer).schemas) {
    const d = s.discriminator;
    if (isSchema(d) && d.propertyName === tag && isSchema(d.mapping)) return Object.keys(d.mapping);
  }
  return [];
}

// A schema together with everything it pulls in ($ref, allOf) or may be (oneOf, anyOf): a field declared by any of
// them is declared at this place.
function expand(spec: OpenApiDocument, roots: unknown[]): Schema[] {
  const out: Schema[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const node = queue.pop();
    if (!isSchema(node) || out.includes(node)) continue;
    out.push(node);
    if (typeof node.$ref === "string" && node.$ref.startsWith("#")) queue.push(atPointer(spec, node.$ref.slice(1)));
    for (const key of ["allOf", "oneOf", "anyOf"]) {
      const parts = node[key];
      if (Array.isArray(parts)) queue.push(...parts);
    }
  }
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
