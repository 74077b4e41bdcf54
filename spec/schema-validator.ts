import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { components, operations } from "../generated/jelou-external-support.ts";
import { atPointer, toPointer } from "./json-pointer.ts";
import type { OpenApiDocument } from "./load-spec.ts";

/** Name of a schema under `components.schemas`. */
export type SchemaName = keyof components["schemas"];
/** An operationId declared by the spec. */
export type OperationId = keyof operations;

/** One way a value breaks a schema: where (JSON pointer into the value), which keyword, and why. */
export interface SchemaViolation {
  pointer: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

/** The verdict on one HTTP response checked against the operation that produced it. */
export type ResponseValidation =
  | { outcome: "valid"; schemaPointer: string }
  | { outcome: "invalid"; schemaPointer: string; violations: SchemaViolation[] }
  | { outcome: "undeclared-status"; declared: string[] }
  | { outcome: "undeclared-media-type"; declared: string[] };

/** A response as seen on the wire, reduced to what the spec constrains. */
export interface ObservedResponse {
  operationId: OperationId;
  status: number;
  /** The Content-Type header as sent; parameters such as `charset` are ignored. */
  contentType: string;
  body: unknown;
}

/** Validates values against the spec's schemas with Ajv (JSON Schema 2020-12, formats asserted). */
export interface SpecValidator {
  /** Violations of `value` against `components.schemas[name]`; empty when valid. */
  validateSchema(name: SchemaName, value: unknown): SchemaViolation[];
  /** Violations of `value` against the schema found at `pointer` in the spec; empty when valid. */
  validateAt(pointer: string, value: unknown): SchemaViolation[];
  /** Checks a response against its operation: declared status, declared media type, then the body's schema. */
  validateResponse(response: ObservedResponse): ResponseValidation;
}

// A reserved, never-resolvable base URI: the spec is registered in Ajv under it so that the spec's own
// `#/components/...` references resolve exactly as they are written.
const SPEC_ID = "https://fake-jelou.invalid/openapi.json";

// OpenAPI keywords that are not JSON Schema: known to Ajv as annotations, so strict mode still catches typos.
const OPENAPI_KEYWORDS = [
  "openapi",
  "info",
  "jsonSchemaDialect",
  "servers",
  "tags",
  "security",
  "paths",
  "webhooks",
  "components",
  "externalDocs",
  "example",
  "xml",
];

// ajv-formats is CommonJS: its default import is `module.exports`, which carries the plugin as `.default`.
const addFormats = addFormatsModule.default;

/** Options of {@link createSpecValidator}. */
export interface SpecValidatorOptions {
  /**
   * Also report what the spec tolerates but does not document (default false): a field no schema declares
   * (keyword `unevaluatedProperties`) and a value outside an open set's `x-known-values` (keyword `x-known-values`).
   * The drift check's second pass.
   */
  strict?: boolean;
}

/** Builds a validator over a loaded spec; each schema is compiled once, on first use. */
export function createSpecValidator(spec: OpenApiDocument, options: SpecValidatorOptions = {}): SpecValidator {
  const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true });
  addFormats(ajv);
  const extensions = extensionKeywords(spec);
  let document = withoutDiscriminatorMappings(spec);
  if (options.strict) {
    extensions.delete(KNOWN_VALUES);
    ajv.addKeyword(knownValuesKeyword);
    document = withUndocumentedFieldsRejected(document);
  }
  ajv.addVocabulary([...OPENAPI_KEYWORDS, ...extensions]);
  ajv.addSchema({ ...document, $id: SPEC_ID });

  const compiled = new Map<string, ValidateFunction>();
  const validateAt = (pointer: string, value: unknown): SchemaViolation[] => {
    let validate = compiled.get(pointer);
    if (!validate) {
      if (atPointer(spec, pointer) === undefined) throw new Error(`Failed to find a schema at ${pointer} in the spec.`);
      validate = ajv.getSchema(`${SPEC_ID}#${pointer}`);
      if (!validate) throw new Error(`Failed to compile the schema at ${pointer} in the spec.`);
      compiled.set(pointer, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map(toViolation);
  };

  return {
    validateAt,
    validateSchema: (name, value) => validateAt(toPointer(["components", "schemas", name]), value),
    validateResponse(response) {
      const [path, method] = findOperation(spec, response.operationId);
      const responses = (atPointer(spec, toPointer(["paths", path, method, "responses"])) ?? {}) as Record<
        string,
        unknown
      >;
      const statusKey = [String(response.status), `${String(response.status)[0]}XX`, "default"].find((k) =>
        Object.hasOwn(responses, k),
      );
      if (statusKey === undefined) return { outcome: "undeclared-status", declared: Object.keys(responses) };
      const content = (atPointer(responses, toPointer([statusKey, "content"])) ?? {}) as Record<string, unknown>;
      const mediaType = response.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
      const declaredMedia = Object.keys(content);
      const mediaKey = declaredMedia.find((m) => m.toLowerCase() === mediaType);
      if (mediaKey === undefined) return { outcome: "undeclared-media-type", declared: declaredMedia };
      const schemaPointer = toPointer(["paths", path, method, "responses", statusKey, "content", mediaKey, "schema"]);
      const violations = validateAt(schemaPointer, response.body);
      return violations.length === 0
        ? { outcome: "valid", schemaPointer }
        : { outcome: "invalid", schemaPointer, violations };
    },
  };
}

/**
 * The dotted path of the field a violation is about (`value.content.body`; empty for the value itself): a missing
 * property, or a discriminator's tag, is named as the field it is rather than by its parent object.
 */
export function violationField(violation: SchemaViolation): string {
  const child =
    violation.keyword === "required"
      ? violation.params.missingProperty
      : violation.keyword === "discriminator"
        ? violation.params.tag
        : undefined;
  return `${violation.pointer}${typeof child === "string" ? `/${child}` : ""}`.slice(1).split("/").join(".");
}

/** Renders violations one per line, for test failures and error messages. */
export function formatViolations(violations: readonly SchemaViolation[]): string {
  return violations.map((v) => `${v.pointer || "/"} ${v.message} (${v.keyword})`).join("\n");
}

const KNOWN_VALUES = "x-known-values";

// In strict mode an open set's documented values become an assertion, so that a new value is reported.
const knownValuesKeyword = {
  keyword: KNOWN_VALUES,
  schemaType: "array",
  errors: true,
  validate: function knownValues(schema: unknown[], data: unknown): boolean {
    if (typeof data !== "string" || schema.includes(data)) return true;
    (knownValues as { errors?: Partial<ErrorObject>[] }).errors = [
      { keyword: KNOWN_VALUES, message: "is not one of the documented values", params: { knownValues: schema } },
    ];
    return false;
  },
} as const;

// Adds `unevaluatedProperties: false` to every object schema with `properties`, except the building blocks that
// others pull in through allOf: there it would refuse the fields the composing schema adds (a closed
// conversation's endAt is unknown to ConversationCommon). Nor to the `if`/`then`/`else` of a conditional: they
// name only the fields of their condition, so it would make the `if` fail, or the `then` refuse, every other field.
// Nor to a schema that holds a choice beside its properties (a message event's `value`: ReceivedMessageValue's oneOf
// beside `id`), or pulls one in through allOf: each branch is closed itself, and a closure here would call the fields
// of the branch taken undocumented (Ajv's discriminator does not hand their evaluation up) or, when a branch fails on
// an undocumented field, all its fields too.
const CONDITIONALS = new Set(["if", "then", "else"]);

function withUndocumentedFieldsRejected<T>(doc: T): T {
  const blocks = new Set<string>();
  const collect = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === "allOf" && Array.isArray(value)) {
        for (const part of value) if (typeof part?.$ref === "string") blocks.add(part.$ref);
      }
      collect(value);
    }
  };
  collect(doc);
  const close = (node: unknown, pointer: string, conditional = false): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => close(item, `${pointer}/${i}`));
    if (typeof node !== "object" || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node))
      out[key] = close(value, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, CONDITIONALS.has(key));
    const isBlock = blocks.has(`#${pointer}`);
    if (
      "properties" in out &&
      !("unevaluatedProperties" in out) &&
      !("additionalProperties" in out) &&
      !isBlock &&
      !conditional &&
      !composesChoice(node)
    ) {
      out.unevaluatedProperties = false;
    }
    return out;
  };
  const composesChoice = (node: object): boolean => {
    if ("oneOf" in node || "anyOf" in node) return true;
    const parts = (node as { allOf?: unknown }).allOf;
    return (
      Array.isArray(parts) &&
      parts.some((part) => {
        const schema = typeof part?.$ref === "string" ? atPointer(doc, part.$ref.slice(1)) : part;
        return typeof schema === "object" && schema !== null && ("oneOf" in schema || "anyOf" in schema);
      })
    );
  };
  return close(doc, "") as T;
}

// Specification extensions (`x-known-values`, and any `x-*` a maintainer adds) are annotations, never assertions.
function extensionKeywords(node: unknown, found = new Set<string>()): Set<string> {
  if (typeof node === "object" && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) found.add(key);
      extensionKeywords(value, found);
    }
  }
  return found;
}

function findOperation(spec: OpenApiDocument, operationId: string): [path: string, method: string] {
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if ((operation as { operationId?: unknown } | null)?.operationId === operationId) return [path, method];
    }
  }
  throw new Error(`Failed to find operation ${operationId} in the spec.`);
}

// Ajv's discriminator support rejects `mapping`. Each oneOf branch already fixes `state` with `const`, so Ajv
// derives the same mapping itself; the spec keeps `mapping` for openapi-typescript and for readers.
function withoutDiscriminatorMappings<T>(node: T): T {
  if (Array.isArray(node)) return node.map(withoutDiscriminatorMappings) as T;
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "discriminator" && typeof value === "object" && value !== null) {
      const { mapping: _mapping, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    } else {
      out[key] = withoutDiscriminatorMappings(value);
    }
  }
  return out as T;
}

function toViolation(error: ErrorObject): SchemaViolation {
  // A `false` subschema is how the spec forbids a property (an active conversation's endAt): say so plainly.
  const message = error.keyword === "false schema" ? "must not be present" : (error.message ?? error.keyword);
  return { pointer: error.instancePath, keyword: error.keyword, message, params: { ...error.params } };
}
