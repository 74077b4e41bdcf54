import type { SchemaErrorEnvelope } from "../generated/jelou-external-support.ts";
import { atPointer, toPointer } from "../spec/json-pointer.ts";
import { type OpenApiDocument, SpecLoadError } from "../spec/load-spec.ts";
import type { KnownValues } from "./conversation-factory.ts";
import { ERROR_SCENARIO_EXAMPLES, type ErrorScenario } from "./error-bodies.ts";

/** The conversation route as the spec writes it. */
export const CONVERSATION_PATH = "/v1/external-support/{projectId}/conversations/{conversationId}";

/** What the fake takes from the spec: the open sets' known values and the error scenarios' bodies. */
export interface MockSpecData {
  known: KnownValues;
  errors: Record<ErrorScenario, { status: number; body: SchemaErrorEnvelope }>;
}

/** Reads the known values and named error examples the fake serves; fails loudly when the spec lacks one. */
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
  const errors = Object.fromEntries(
    Object.entries(ERROR_SCENARIO_EXAMPLES).map(([scenario, { status, example }]) => {
      const pointer = toPointer([
        "paths",
        CONVERSATION_PATH,
        "get",
        "responses",
        String(status),
        "content",
        "application/json",
        "examples",
        example,
        "value",
      ]);
      const body = atPointer(spec, pointer);
      if (typeof body !== "object" || body === null) {
        throw new SpecLoadError(`Failed to read the ${example} example of the ${status} response (${pointer}).`);
      }
      return [scenario, { status, body: body as SchemaErrorEnvelope }];
    }),
  ) as MockSpecData["errors"];
  return { known: { botTypes: stringList("BotType"), endedReasons: stringList("EndedReason") }, errors };
}
