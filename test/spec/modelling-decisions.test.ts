// Pins the decisions spec/README.md records, so changing one is a deliberate act with a failing test to update.
import { describe, expect, it } from "vitest";
import { listExamples } from "../../spec/examples.ts";
import { atPointer, toPointer } from "../../spec/json-pointer.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, type SchemaName } from "../../spec/schema-validator.ts";

const spec = loadSpec();
const operation = atPointer(
  spec,
  "/paths/~1v1~1external-support~1{projectId}~1conversations~1{conversationId}/get",
) as {
  operationId: string;
  parameters: { $ref: string }[];
};
const at = (pointer: string) => atPointer(spec, pointer);
const validator = createSpecValidator(spec);
const examples = listExamples(spec);

const INTEGRATION = "/v1/external-support/{projectId}";
const START = "/v1/external-support/{projectId}/conversations/start";
const CLOSE = "/v1/external-support/{projectId}/conversations/close";
const CONVERSATION = "/v1/external-support/{projectId}/conversations/{conversationId}";
const SEND = "/v1/external-support/webhook";

// operationId, method, path, tag, and each declared status with the names of its examples (decisions 10 and 19).
const OPERATIONS: [string, string, string, string, Record<string, string[]>][] = [
  [
    "createIntegration",
    "post",
    INTEGRATION,
    "Integrations",
    { 200: ["created"], 401: ["unauthorized"], 409: ["conflict"], 422: ["validationError"], 500: ["serverError"] },
  ],
  [
    "getIntegration",
    "get",
    INTEGRATION,
    "Integrations",
    { 200: ["integration"], 401: ["unauthorized"], 404: ["notFound"], 500: ["serverError"] },
  ],
  [
    "updateIntegration",
    "patch",
    INTEGRATION,
    "Integrations",
    {
      200: ["updated"],
      400: ["validationError"],
      401: ["unauthorized"],
      404: ["notFound"],
      500: ["serverError"],
    },
  ],
  [
    "deleteIntegration",
    "delete",
    INTEGRATION,
    "Integrations",
    { 200: ["deleted"], 401: ["unauthorized"], 404: ["notFound"], 500: ["serverError"] },
  ],
  [
    "startConversation",
    "post",
    START,
    "Conversations",
    {
      200: ["started"],
      401: ["unauthorized"],
      404: ["notFound"],
      409: ["conflict"],
      422: ["validationError"],
      500: ["serverError"],
    },
  ],
  [
    "closeConversation",
    "post",
    CLOSE,
    "Conversations",
    {
      200: ["closed"],
      401: ["unauthorized"],
      404: ["notFound"],
      422: ["validationError"],
      500: ["serverError"],
    },
  ],
  [
    "getConversation",
    "get",
    CONVERSATION,
    "Conversations",
    { 200: ["active", "closed"], 401: ["unauthorized"], 404: ["notFound"], 500: ["serverError"] },
  ],
  [
    "sendMessage",
    "post",
    SEND,
    "Messages",
    {
      200: ["sent"],
      401: ["unauthorized"],
      404: ["notFound"],
      409: ["conflict"],
      422: ["validationError"],
      500: ["serverError"],
    },
  ],
];

/** The value of a named response example of an operation, `$ref`s resolved. */
function example(path: string, method: string, status: number, name: string): Record<string, unknown> {
  const pointer = toPointer(["paths", path, method, "responses", String(status), "content", "application/json"]);
  const found = examples.find((e) => e.pointer === `${pointer}/examples/${name}`);
  if (!found) throw new Error(`Failed to find the example ${name} at ${pointer}.`);
  return found.value as Record<string, unknown>;
}
const errorOf = (body: Record<string, unknown>) => body.error as { key: string; code: string };
const valid = (schema: string, value: unknown) => validator.validateSchema(schema as SchemaName, value);
const keywords = (schema: string, value: unknown) => valid(schema, value).map((v) => `${v.pointer} ${v.keyword}`);

describe("modelling decisions of the spec", () => {
  it("serves the production gateway and the local fake", () => {
    expect(spec.servers).toEqual([
      expect.objectContaining({ url: "https://gateway.jelou.ai/jelouapi" }),
      expect.objectContaining({ url: "http://127.0.0.1:4010/jelouapi" }),
    ]);
  });

  it("accepts either an x-api-key header or HTTP Basic, each on its own", () => {
    expect(spec.security).toEqual([{ apiKey: [] }, { basicAuth: [] }]);
    expect(at("/components/securitySchemes/apiKey")).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(at("/components/securitySchemes/basicAuth")).toMatchObject({ type: "http", scheme: "basic" });
  });

  it("requires both path parameters as non-empty strings", () => {
    expect(operation.operationId).toBe("getConversation");
    for (const name of ["ProjectId", "ConversationId"]) {
      expect(at(`/components/parameters/${name}`)).toMatchObject({
        in: "path",
        required: true,
        schema: { type: "string", minLength: 1 },
      });
    }
  });

  it("keeps state a closed enum and endedReason and Bot.type open sets with known values", () => {
    expect(at("/components/schemas/ConversationState/enum")).toEqual(["active", "closed"]);
    expect(at("/components/schemas/EndedReason")).toMatchObject({
      type: "string",
      "x-known-values": ["closed_by_operator"],
    });
    expect(at("/components/schemas/EndedReason/enum")).toBeUndefined();
    expect(at("/components/schemas/BotType")).toMatchObject({ type: "string", "x-known-values": ["Whatsapp"] });
    expect(at("/components/schemas/BotType/enum")).toBeUndefined();
  });

  it("discriminates conversations on state, with a mapping generated types narrow on", () => {
    expect(at("/components/schemas/Conversation/discriminator")).toEqual({
      propertyName: "state",
      mapping: {
        active: "#/components/schemas/ActiveConversation",
        closed: "#/components/schemas/ClosedConversation",
      },
    });
  });

  it("describes the seven gateway operations and send-message, not only Get Conversation", () => {
    const info = spec.info as { title: string; summary: string };
    expect(info.title).toBe("Jelou External Support API");
    expect(info.summary).not.toContain("Get Conversation");
    expect(spec.tags).toEqual([
      expect.objectContaining({ name: "Conversations" }),
      expect.objectContaining({ name: "Events" }),
      expect.objectContaining({ name: "Integrations" }),
      expect.objectContaining({ name: "Messages" }),
    ]);
    const declared = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([key]) => key !== "servers")
        .map(([method, op]) => [(op as { operationId: string }).operationId, method, path]),
    );
    expect(declared).toEqual(OPERATIONS.map(([id, method, path]) => [id, method, path]));
  });

  it.each(OPERATIONS)("%s (%s %s) declares its page's statuses, JSON only, each with its named examples", (...row) => {
    const [, method, path, tag, statuses] = row;
    const op = atPointer(spec, toPointer(["paths", path, method])) as {
      tags: string[];
      responses: Record<string, { content: Record<string, { examples: Record<string, unknown> }> }>;
    };
    expect(op.tags).toEqual([tag]);
    expect(Object.keys(op.responses)).toEqual(Object.keys(statuses));
    for (const [status, names] of Object.entries(statuses)) {
      const content = op.responses[status]?.content ?? {};
      expect(Object.keys(content)).toEqual(["application/json"]);
      expect(Object.keys(content["application/json"]?.examples ?? {}), `${status}`).toEqual(names);
    }
  });

  it("wraps every success in the envelope, with its message; Delete integration's has no data", () => {
    const successes: [string, string, string, string, string][] = [
      [INTEGRATION, "post", "created", "CreateIntegrationResponse", "Integration created successfully"],
      [INTEGRATION, "get", "integration", "IntegrationResponse", "Integration retrieved successfully"],
      [INTEGRATION, "patch", "updated", "IntegrationResponse", "Integration updated successfully"],
      [INTEGRATION, "delete", "deleted", "DeleteIntegrationResponse", "Integration deleted successfully"],
      [START, "post", "started", "StartConversationResponse", "Conversation started successfully"],
      [CLOSE, "post", "closed", "CloseConversationResponse", "Conversation closed successfully"],
    ];
    for (const [path, method, name, schema, message] of successes) {
      const pointer = toPointer(["paths", path, method, "responses", "200", "content", "application/json", "schema"]);
      expect(at(pointer)).toEqual({ $ref: `#/components/schemas/${schema}` });
      expect(at(`/components/schemas/${schema}/properties/status/const`)).toBe(1);
      expect(at(`/components/schemas/${schema}/properties/statusMessage/const`)).toBe("success");
      expect(at(`/components/schemas/${schema}/required`)).toEqual(
        schema === "DeleteIntegrationResponse"
          ? ["message", "statusMessage", "status"]
          : ["message", "statusMessage", "status", "data"],
      );
      expect(example(path, method, 200, name)).toMatchObject({
        message: [message],
        statusMessage: "success",
        status: 1,
      });
    }
    expect(example(INTEGRATION, "delete", 200, "deleted")).not.toHaveProperty("data");
  });

  it("never returns the webhook's credential, and the signing secret only on create", () => {
    expect(at("/components/schemas/IntegrationCommon/required")).toEqual([
      "id",
      "brainId",
      "webhookUrl",
      "authType",
      "createdAt",
      "updatedAt",
    ]);
    expect(at("/components/schemas/IntegrationCommon/properties/authorization")).toBe(false);
    expect(at("/components/schemas/Integration/properties/signingSecret")).toBe(false);
    expect(at("/components/schemas/CreatedIntegration/required")).toEqual(["signingSecret"]);
    expect(at("/components/schemas/SigningSecret/pattern")).toBe("^[0-9a-f]{64}$");
    for (const field of ["createdAt", "updatedAt"]) {
      expect(at(`/components/schemas/IntegrationCommon/properties/${field}/format`)).toBe("date-time");
    }
    const retrieved = example(INTEGRATION, "get", 200, "integration").data;
    expect(keywords("Integration", { ...(retrieved as object), signingSecret: "0".repeat(64) })).toEqual([
      "/signingSecret false schema",
    ]);
    expect(keywords("Integration", { ...(retrieved as object), authorization: "t" })).toEqual([
      "/authorization false schema",
    ]);
    const created = example(INTEGRATION, "post", 200, "created").data as Record<string, unknown>;
    expect(keywords("CreatedIntegration", { ...created, signingSecret: "a1b2c3d4...signing_secret_hex" })).toEqual([
      "/signingSecret pattern",
    ]);
  });

  it("closes authType on the four schemes of the HMAC page, no_auth by default without a JSON Schema default", () => {
    expect(at("/components/schemas/AuthType/enum")).toEqual(["bearer", "api_key", "basic", "no_auth"]);
    expect(at("/components/schemas/CreateIntegrationRequest/properties/authType")).toEqual({
      $ref: "#/components/schemas/AuthType",
    });
    expect(at("/components/schemas/CreateIntegrationRequest/description")).toContain("defaults to `no_auth`");
  });

  it("requires only webhookUrl on create, and authorization with bearer, api_key and basic", () => {
    const url = "https://my-system.com/webhook/jelou";
    expect(at("/components/schemas/CreateIntegrationRequest/required")).toEqual(["webhookUrl"]);
    expect(at("/components/schemas/WebhookUrl")).toMatchObject({ type: "string", format: "uri", maxLength: 2048 });
    expect(at("/components/schemas/WebhookUrl/pattern")).toBeUndefined();
    expect(at("/components/schemas/WebhookUrl/description")).toContain("--require-https-webhooks");
    expect(at("/components/schemas/WebhookAuthorization")).toMatchObject({ type: "string", maxLength: 4096 });
    expect(at("/components/schemas/WebhookAuthorization/description")).toContain("`user:password`");
    expect(valid("CreateIntegrationRequest", { webhookUrl: url })).toEqual([]);
    expect(valid("CreateIntegrationRequest", { webhookUrl: url, authType: "no_auth", authorization: "t" })).toEqual([]);
    expect(valid("CreateIntegrationRequest", { webhookUrl: "http://127.0.0.1:8080/hook" })).toEqual([]);
    for (const authType of ["bearer", "api_key", "basic"]) {
      expect(keywords("CreateIntegrationRequest", { webhookUrl: url, authType })).toEqual([" required", " if"]);
      expect(valid("CreateIntegrationRequest", { webhookUrl: url, authType, authorization: "user:pw" })).toEqual([]);
    }
    expect(keywords("CreateIntegrationRequest", { authType: "no_auth" })).toEqual([" required"]);
    expect(keywords("CreateIntegrationRequest", { webhookUrl: "not a url" })).toEqual(["/webhookUrl format"]);
  });

  it("updates partially: any one field, the same credential rule", () => {
    expect(at("/components/schemas/UpdateIntegrationRequest/minProperties")).toBe(1);
    expect(at("/components/schemas/UpdateIntegrationRequest/required")).toBeUndefined();
    expect(keywords("UpdateIntegrationRequest", {})).toEqual([" minProperties"]);
    expect(valid("UpdateIntegrationRequest", { webhookUrl: "https://my-system.com/webhook/jelou-v2" })).toEqual([]);
    expect(valid("UpdateIntegrationRequest", { authorization: "new-token" })).toEqual([]);
    expect(valid("UpdateIntegrationRequest", { authType: "no_auth" })).toEqual([]);
    expect(keywords("UpdateIntegrationRequest", { authType: "bearer" })).toEqual([" required", " if"]);
  });

  it("answers validation failures with VALIDATOR_ERROR and a filled validationError: 400 on update, 422 elsewhere", () => {
    for (const [path, method, status, code] of [
      [INTEGRATION, "post", 422, "E0422"],
      [INTEGRATION, "patch", 400, "E0400"],
      [START, "post", 422, "E0422"],
      [CLOSE, "post", 422, "E0422"],
    ] as const) {
      const body = example(path, method, status, "validationError");
      expect(errorOf(body)).toMatchObject({ key: "VALIDATOR_ERROR", code });
      const fields = Object.values(body.validationError as Record<string, { es: string; en: string }[]>);
      expect(fields.length).toBeGreaterThan(0);
      for (const messages of fields) expect(messages[0]).toEqual({ es: expect.any(String), en: expect.any(String) });
    }
  });

  it("gives each error its key and code (ours but for E0000 and E0422)", () => {
    const errors: [string, string, number, string, string, string][] = [
      [CONVERSATION, "get", 401, "unauthorized", "UNAUTHORIZED", "E0401"],
      [CONVERSATION, "get", 404, "notFound", "CONVERSATION_NOT_FOUND", "E1404"],
      [CONVERSATION, "get", 500, "serverError", "UNKNOWN_ERROR", "E0000"],
      [INTEGRATION, "get", 404, "notFound", "INTEGRATION_NOT_FOUND", "E1405"],
      [INTEGRATION, "patch", 404, "notFound", "INTEGRATION_NOT_FOUND", "E1405"],
      [INTEGRATION, "delete", 404, "notFound", "INTEGRATION_NOT_FOUND", "E1405"],
      [START, "post", 404, "notFound", "BOT_OR_USER_NOT_FOUND", "E1406"],
      [CLOSE, "post", 404, "notFound", "ACTIVE_CONVERSATION_NOT_FOUND", "E1407"],
      [INTEGRATION, "post", 409, "conflict", "INTEGRATION_ALREADY_EXISTS", "E1408"],
      [START, "post", 409, "conflict", "CONVERSATION_ALREADY_ACTIVE", "E1409"],
      [SEND, "post", 401, "unauthorized", "INVALID_SIGNATURE", "E1401"],
      [SEND, "post", 409, "conflict", "CONVERSATION_NOT_ACTIVE", "E1410"],
    ];
    for (const [path, method, status, name, key, code] of errors) {
      expect(errorOf(example(path, method, status, name)), `${method} ${path} ${name}`).toEqual(
        expect.objectContaining({ key, code }),
      );
    }
  });

  it("shares the identical 401, 500 and integration 404 bodies, kept equal to Get conversation's inline copies", () => {
    for (const [op, method, path] of OPERATIONS) {
      if (op === "getConversation") continue;
      for (const [status, name, component] of [
        // Send-message's 401 is its own: a signature, not credentials, is refused.
        ...(op === "sendMessage" ? [] : [["401", "unauthorized", "Unauthorized"]]),
        ["500", "serverError", "ServerError"],
        ...((path === INTEGRATION && method !== "post") || op === "sendMessage"
          ? [["404", "notFound", "IntegrationNotFound"]]
          : []),
      ]) {
        const pointer = toPointer(["paths", path, method, "responses", `${status}`, "content", "application/json"]);
        expect(at(`${pointer}/examples/${name}`), `${op} ${name}`).toEqual({
          $ref: `#/components/examples/${component}`,
        });
      }
    }
    const inline = (status: string, name: string) =>
      at(
        toPointer(["paths", CONVERSATION, "get", "responses", status, "content", "application/json", "examples", name]),
      );
    expect(inline("401", "unauthorized")).toEqual(at("/components/examples/Unauthorized"));
    expect(inline("500", "serverError")).toEqual(at("/components/examples/ServerError"));
  });

  it("starts a conversation for a bot and a user, routed optionally, and answers with the active conversation", () => {
    expect(at("/components/schemas/StartConversationRequest/required")).toEqual(["botId", "userId"]);
    expect(at("/components/schemas/StartConversationRequest/properties/metadata")).toMatchObject({
      type: "object",
      additionalProperties: true,
    });
    expect(at("/components/schemas/ConversationAssignment/required")).toEqual(["type", "target"]);
    expect(at("/components/schemas/AssignmentType/enum")).toEqual(["queue", "operator", "team"]);
    expect(at("/components/schemas/StartConversationResponse/properties/data")).toEqual({
      $ref: "#/components/schemas/ActiveConversation",
    });
    expect(keywords("StartConversationRequest", { botId: "", userId: "u" })).toEqual(["/botId minLength"]);
    expect(keywords("StartConversationRequest", { botId: "b", userId: "u", assignment: { type: "queue" } })).toEqual([
      "/assignment required",
    ]);
  });

  it("closes by bot and user, requires text for a text closing message, and answers with the closed conversation", () => {
    expect(at("/components/schemas/CloseConversationRequest/required")).toEqual(["botId", "userId"]);
    expect(at("/components/schemas/RedirectType/enum")).toEqual(["text", "edge"]);
    expect(at("/components/schemas/CloseConversationResponse/properties/data")).toEqual({
      $ref: "#/components/schemas/ClosedConversation",
    });
    const close = (redirectPayload: unknown) =>
      keywords("CloseConversationRequest", { botId: "b", userId: "u", redirectPayload });
    expect(close({ type: "text", text: "Adiós" })).toEqual([]);
    expect(close({ type: "edge" })).toEqual([]);
    expect(close({ type: "text" })).toEqual(["/redirectPayload required", "/redirectPayload if"]);
    expect(close({ text: "Adiós" })).toEqual(["/redirectPayload required"]);
    expect((example(CLOSE, "post", 200, "closed").data as { endedReason: string }).endedReason).toBe(
      "closed_by_operator",
    );
  });
});
