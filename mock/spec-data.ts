import type { SchemaErrorEnvelope } from "../generated/jelou-external-support.ts";
import { atPointer, toPointer } from "../spec/json-pointer.ts";
import { type OpenApiDocument, SpecLoadError } from "../spec/load-spec.ts";
import type { KnownValues } from "./conversation-factory.ts";
import { ERROR_SCENARIO_EXAMPLES, type ErrorScenario } from "./error-bodies.ts";

/** An error scenario's answer for one operation: the status it declares and the spec's named example. */
export interface ErrorAnswer {
  status: number;
  body: SchemaErrorEnvelope;
}

/** What the fake takes from the spec: the open sets' known values and each operation's error answers. */
export interface MockSpecData {
  known: KnownValues;
  /** By operationId, the error scenarios the operation answers (those whose status it declares). */
  errors: Readonly<Record<string, Partial<Record<ErrorScenario, ErrorAnswer>>>>;
  /** By operationId, the JSON pointer of its request body's schema, for operations that take one. */
  bodySchemas: Readonly<Record<string, string>>;
  /** By operationId, the names of its 200 response's examples. */
  successExamples: Readonly<Record<string, readonly string[]>>;
}

type Operation = { operationId?: string; responses?: Record<string, unknown>; requestBody?: { $ref?: string } };

/** Reads the known values and the named error examples the fake serves; fails loudly when the spec lacks one. */
export function readMockSpecData(spec: OpenApiDocument): MockSpecData {
  const stringList = (schema: string): string[] => {
    const values = atPointer(spec, toPointer(["components", "schemas", schema, "x-known-values"]));
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
      throw new SpecLoadError(
        `Failed to read components.schemas.${schema}.x-known-values: a non-empty string list is required.`,
      );
    }
    return values;
  };
  const errors: Record<string, Partial<Record<ErrorScenario, ErrorAnswer>>> = {};
  const bodySchemas: Record<string, string> = {};
  const successExamples: Record<string, string[]> = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      if (operation.operationId === undefined) continue;
      errors[operation.operationId] = errorAnswers(spec, path, method, operation);
      successExamples[operation.operationId] = exampleNames(
        spec,
        toPointer(["paths", path, method, "responses", "200"]),
      );
      if (operation.requestBody === undefined) continue;
      const body =
        typeof operation.requestBody.$ref === "string"
          ? operation.requestBody.$ref.slice(1)
          : toPointer(["paths", path, method, "requestBody"]);
      bodySchemas[operation.operationId] = `${body}/content/application~1json/schema`;
    }
  }
  return {
    known: { botTypes: stringList("BotType"), endedReasons: stringList("EndedReason") },
    errors,
    bodySchemas,
    successExamples,
  };
}

function errorAnswers(
  spec: OpenApiDocument,
  path: string,
  method: string,
  operation: Operation,
): Partial<Record<ErrorScenario, ErrorAnswer>> {
  const answers: Partial<Record<ErrorScenario, ErrorAnswer>> = {};
  for (const [scenario, { statuses, example }] of Object.entries(ERROR_SCENARIO_EXAMPLES)) {
    const status = statuses.find((code) => operation.responses?.[String(code)] !== undefined);
    if (status === undefined) continue;
    const pointer = toPointer(["paths", path, method, "responses", String(status)]);
    const body = exampleValue(spec, pointer, example);
    if (typeof body !== "object" || body === null) {
      throw new SpecLoadError(
        `Failed to read the ${example} example of the ${status} response of ${operation.operationId} (${pointer}): every declared error status needs it.`,
      );
    }
    answers[scenario as ErrorScenario] = { status, body: body as SchemaErrorEnvelope };
  }
  return answers;
}

// A node of the spec, following a $ref to components.
function resolved(spec: OpenApiDocument, node: unknown): unknown {
  const ref = (node as { $ref?: unknown } | undefined)?.$ref;
  return typeof ref === "string" && ref.startsWith("#") ? resolved(spec, atPointer(spec, ref.slice(1))) : node;
}

function examplesOf(spec: OpenApiDocument, responsePointer: string): Record<string, unknown> {
  const response = resolved(spec, atPointer(spec, responsePointer)) as
    | { content?: Record<string, { examples?: Record<string, unknown> }> }
    | undefined;
  return response?.content?.["application/json"]?.examples ?? {};
}

function exampleNames(spec: OpenApiDocument, responsePointer: string): string[] {
  return Object.keys(examplesOf(spec, responsePointer));
}

// A named example of a response, following $refs to components.responses or components.examples.
function exampleValue(spec: OpenApiDocument, responsePointer: string, name: string): unknown {
  return (resolved(spec, examplesOf(spec, responsePointer)[name]) as { value?: unknown } | undefined)?.value;
}
