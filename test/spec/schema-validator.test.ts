import { describe, expect, it } from "vitest";
import type { SchemaErrorEnvelope, SchemaGetConversationResponse } from "../../generated/jelou-external-support.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, type SchemaName, type SchemaViolation } from "../../spec/schema-validator.ts";

const validator = createSpecValidator(loadSpec());

const active: SchemaGetConversationResponse = {
  message: ["Conversation retrieved successfully"],
  statusMessage: "success",
  status: 1,
  data: {
    _id: "conv-1",
    roomId: "room-1",
    state: "active",
    startAt: "2026-01-15T10:30:00.000Z",
    User: { id: "u-1", names: "Ana Souza", referenceId: "+5511912345678", createdAt: "2025-01-28T20:54:25.572Z" },
    Bot: { id: "b-1", name: "Soporte", type: "Whatsapp" },
  },
};
const closed: SchemaGetConversationResponse = {
  ...active,
  data: { ...active.data, state: "closed", endAt: "2026-01-15T10:45:00.000Z", endedReason: "closed_by_operator" },
};
const notFound: SchemaErrorEnvelope = {
  message: ["Conversation not found."],
  statusMessage: "failed",
  status: 0,
  error: { code: "E1404", key: "CONVERSATION_NOT_FOUND", developerMessages: { es: "No existe", en: "Missing" } },
};

// biome-ignore lint/suspicious/noExplicitAny: these bodies are malformed on purpose, so no type describes them.
type Malformed = Record<string, any>;

/** A deep copy of `base` with `edit` applied: bodies a drifted or buggy server might send. */
function variant<T>(base: T, edit: (body: Malformed) => void): unknown {
  const copy = structuredClone(base) as Malformed;
  edit(copy);
  return copy;
}

const brief = (violations: SchemaViolation[]) => violations.map(({ pointer, keyword }) => ({ pointer, keyword }));

describe("success envelope (GetConversationResponse)", () => {
  it.each<[string, unknown]>([
    ["an active conversation", active],
    ["a closed conversation", closed],
    ["`message` as a single string (the shape of Jelou's declared schema)", variant(active, (b) => (b.message = "ok"))],
    [
      "an endedReason Jelou has not documented yet (open set)",
      variant(closed, (b) => (b.data.endedReason = "timeout")),
    ],
    [
      "a Bot.type channel Jelou has not documented yet (open set)",
      variant(active, (b) => (b.data.Bot.type = "Telegram")),
    ],
    [
      "fields the spec does not document (found by the drift check's strict pass)",
      variant(active, (b) => (b.data.x = 1)),
    ],
  ])("accepts %s", (_title, body) => {
    expect(validator.validateSchema("GetConversationResponse", body)).toEqual([]);
  });

  it.each<[string, unknown, { pointer: string; keyword: string }[]]>([
    [
      "an active conversation with endAt",
      variant(active, (b) => (b.data.endAt = "2026-01-15T10:45:00.000Z")),
      [{ pointer: "/data/endAt", keyword: "false schema" }],
    ],
    [
      "an active conversation with endedReason",
      variant(active, (b) => (b.data.endedReason = "closed_by_operator")),
      [{ pointer: "/data/endedReason", keyword: "false schema" }],
    ],
    [
      "a closed conversation without endAt",
      variant(closed, (b) => delete b.data.endAt),
      [{ pointer: "/data", keyword: "required" }],
    ],
    [
      "a closed conversation without endedReason",
      variant(closed, (b) => delete b.data.endedReason),
      [{ pointer: "/data", keyword: "required" }],
    ],
    [
      "a state outside the closed enum",
      variant(active, (b) => (b.data.state = "archived")),
      [{ pointer: "/data", keyword: "discriminator" }],
    ],
    ["a missing state", variant(active, (b) => delete b.data.state), [{ pointer: "/data", keyword: "discriminator" }]],
    [
      "null where a string is required",
      variant(active, (b) => (b.data.User.names = null)),
      [{ pointer: "/data/User/names", keyword: "type" }],
    ],
    [
      "a date that is not ISO 8601",
      variant(active, (b) => (b.data.startAt = "15/01/2026 10:30")),
      [{ pointer: "/data/startAt", keyword: "format" }],
    ],
    ["a missing Bot", variant(active, (b) => delete b.data.Bot), [{ pointer: "/data", keyword: "required" }]],
    [
      "an empty endedReason",
      variant(closed, (b) => (b.data.endedReason = "")),
      [{ pointer: "/data/endedReason", keyword: "minLength" }],
    ],
    [
      "a failure statusMessage on a success envelope",
      variant(active, (b) => (b.statusMessage = "failed")),
      [{ pointer: "/statusMessage", keyword: "const" }],
    ],
    [
      "`message` of another type",
      variant(active, (b) => (b.message = 42)),
      [
        { pointer: "/message", keyword: "type" },
        { pointer: "/message", keyword: "type" },
        { pointer: "/message", keyword: "oneOf" },
      ],
    ],
  ])("rejects %s, pointing at the field", (_title, body, expected) => {
    expect(brief(validator.validateSchema("GetConversationResponse", body))).toEqual(expected);
  });

  it("says plainly that a forbidden field must not be present", () => {
    const [violation] = validator.validateSchema(
      "GetConversationResponse",
      variant(active, (b) => (b.data.endAt = "2026-01-15T10:45:00.000Z")),
    );
    expect(violation?.message).toBe("must not be present");
  });
});

describe("error envelope", () => {
  it("accepts Jelou's error body with and without validationError", () => {
    expect(validator.validateSchema("ErrorEnvelope", notFound)).toEqual([]);
    const withValidation = variant(
      notFound,
      (b) => (b.validationError = { botId: [{ es: "requerido", en: "required" }] }),
    );
    expect(validator.validateSchema("ErrorEnvelope", withValidation)).toEqual([]);
  });

  it.each<[string, unknown, { pointer: string; keyword: string }[]]>([
    ["a missing error object", variant(notFound, (b) => delete b.error), [{ pointer: "", keyword: "required" }]],
    [
      "an error without a key",
      variant(notFound, (b) => delete b.error.key),
      [{ pointer: "/error", keyword: "required" }],
    ],
    [
      "a status that is not an integer",
      variant(notFound, (b) => (b.status = "0")),
      [{ pointer: "/status", keyword: "type" }],
    ],
    [
      "localized messages that are not strings",
      variant(notFound, (b) => (b.error.clientMessages = { es: 1 })),
      [{ pointer: "/error/clientMessages/es", keyword: "type" }],
    ],
  ])("rejects %s", (_title, body, expected) => {
    expect(brief(validator.validateSchema("ErrorEnvelope", body))).toEqual(expected);
  });
});

describe("validateResponse", () => {
  const response = (status: number, contentType: string, body: unknown) =>
    validator.validateResponse({ operationId: "getConversation", status, contentType, body });

  it("accepts a declared status and media type whatever the charset parameter", () => {
    expect(response(200, "application/json; charset=utf-8", closed)).toMatchObject({ outcome: "valid" });
    expect(response(404, "Application/JSON", notFound)).toMatchObject({ outcome: "valid" });
  });

  it("reports a status the spec does not declare, listing the declared ones", () => {
    expect(response(418, "application/json", notFound)).toEqual({
      outcome: "undeclared-status",
      declared: ["200", "401", "404", "500"],
    });
  });

  it("reports a media type the spec does not declare", () => {
    expect(response(200, "text/html", "<html>")).toEqual({
      outcome: "undeclared-media-type",
      declared: ["application/json"],
    });
  });

  it("checks the body against the schema of its own status", () => {
    const result = response(404, "application/json", closed);
    expect(result.outcome).toBe("invalid");
    expect(result).toMatchObject({ schemaPointer: expect.stringContaining("/responses/404/") });
  });

  it("fails loudly for an operation the spec does not have", () => {
    expect(() =>
      validator.validateResponse({
        operationId: "listConversations" as "getConversation",
        status: 200,
        contentType: "application/json",
        body: {},
      }),
    ).toThrow("Failed to find operation listConversations in the spec.");
  });

  it("treats any x-* extension in the spec as an annotation, not an unknown keyword", () => {
    const spec = loadSpec();
    (spec.components.schemas.BotType as Record<string, unknown>)["x-drift-severity"] = "warning";
    expect(createSpecValidator(spec).validateSchema("BotType", "Whatsapp")).toEqual([]);
  });

  it("fails loudly for a pointer that leads to no schema", () => {
    expect(() => validator.validateAt("/components/schemas/Nope", {})).toThrow(
      "Failed to find a schema at /components/schemas/Nope in the spec.",
    );
  });
});

describe("a conditional (if/then), in the default and the strict pass", () => {
  // Built here, not read from the spec, so the validator's handling stays pinned whatever the spec's schemas become.
  const spec = loadSpec();
  spec.components.schemas.Conditional = {
    type: "object",
    required: ["url"],
    properties: { url: { type: "string" }, kind: { enum: ["none", "token"] }, token: { type: "string" } },
    if: { type: "object", required: ["kind"], properties: { kind: { const: "token" } } },
    // biome-ignore lint/suspicious/noThenProperty: a JSON Schema conditional, never awaited.
    then: { required: ["token"], properties: { token: { type: "string" } } },
  };
  const name = "Conditional" as SchemaName;

  it.each([
    ["default", createSpecValidator(spec)],
    ["strict", createSpecValidator(spec, { strict: true })],
  ])("%s: applies the then when the if holds, and neither refuses the fields the if/then do not name", (_mode, v) => {
    expect(v.validateSchema(name, { url: "u", kind: "token", token: "t" })).toEqual([]);
    expect(v.validateSchema(name, { url: "u", kind: "none" })).toEqual([]);
    expect(brief(v.validateSchema(name, { url: "u", kind: "token" }))).toEqual([
      { pointer: "", keyword: "required" },
      { pointer: "", keyword: "if" },
    ]);
  });

  it("strict: still reports a field no schema declares", () => {
    const strict = createSpecValidator(spec, { strict: true });
    expect(brief(strict.validateSchema(name, { url: "u", extra: 1 }))).toEqual([
      { pointer: "", keyword: "unevaluatedProperties" },
    ]);
  });
});

describe("a schema that pulls in a choice through allOf, in the strict pass", () => {
  // A message event's `value`: allOf a oneOf whose branches are closed themselves.
  const spec = loadSpec();
  const branch = (kind: string) => ({
    type: "object",
    required: ["kind"],
    properties: { id: { type: "string" }, kind: { const: kind }, [kind]: { type: "string" } },
  });
  Object.assign(spec.components.schemas, {
    BranchA: branch("a"),
    BranchB: branch("b"),
    Choice: {
      type: "object",
      oneOf: [{ $ref: "#/components/schemas/BranchA" }, { $ref: "#/components/schemas/BranchB" }],
      discriminator: { propertyName: "kind" },
    },
    Composed: {
      type: "object",
      allOf: [{ $ref: "#/components/schemas/Choice" }],
      required: ["id"],
      properties: { id: { type: "string" } },
    },
  });
  const strict = createSpecValidator(spec, { strict: true });
  const name = "Composed" as SchemaName;

  it("reports an undocumented field once, not every field of the branch it made fail", () => {
    expect(strict.validateSchema(name, { id: "1", kind: "a", a: "x" })).toEqual([]);
    expect(
      strict.validateSchema(name, { id: "1", kind: "a", a: "x", extra: 1 }).map((v) => [v.pointer, v.params]),
    ).toEqual([["", { unevaluatedProperty: "extra" }]]);
  });
});
