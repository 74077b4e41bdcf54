// Pact V4 consumer tests of client/: every interaction is exercised through the real client, never raw fetch.
// The pact records only what the client and its callers rely on, as shapes (matchers), not values.
// Each test body runs inside waitForRecords: this Pact core answers a request before it records it, and Pact must not
// judge an interaction before its records are in (docs/pact-flake.md).
import { rmSync } from "node:fs";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { beforeAll, describe, expect, it } from "vitest";
import { createJelouClient, type JelouClientOptions } from "../client/index.ts";
import { CONSUMER, CREDENTIALS, PACT_FILE, PACTS_DIR, PROVIDER, STATES, type StateParams } from "./contract-terms.ts";
import { waitForRecords } from "./mock-server-records.ts";

const { like, regex } = MatchersV3;
const ISO_8601 = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$";
const JSON_CONTENT = { "Content-Type": regex("^application/json(;.*)?$", "application/json; charset=utf-8") };
const path = ({ projectId, conversationId }: StateParams) =>
  `/v1/external-support/${projectId}/conversations/${conversationId}`;

// Pact merges into an existing file: start clean so interactions removed here cannot linger (pact-js#731). Only this
// suite's file: the folder also holds 6-events-consumer's pact, which running this suite alone must not delete.
beforeAll(() => {
  rmSync(PACT_FILE, { force: true });
});

const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: PACTS_DIR, logLevel: "warn" });

const conversation = (state: "active" | "closed") => ({
  _id: like("6790f1c2a4b5c6d7e8f90123"),
  roomId: like("room-6790f1c2a4b5"),
  state: regex("^(active|closed)$", state),
  startAt: regex(ISO_8601, "2026-01-15T10:30:00.000Z"),
  ...(state === "closed" && {
    endAt: regex(ISO_8601, "2026-01-15T10:45:00.000Z"),
    endedReason: like("closed_by_operator"),
  }),
  User: { id: like("user-1"), names: like("María Fernanda López"), referenceId: like("+5215512345678") },
  Bot: { id: like("bot-1"), name: like("Soporte Acme"), type: like("Whatsapp") },
});

const errorEnvelope = (code: string, key: string) => ({
  message: like(["Conversation not found."]),
  statusMessage: like("failed"),
  error: { code: like(code), key: like(key) },
});

const apiKey = (key: string) => ({ "x-api-key": key });
const basicHeader = {
  Authorization: `Basic ${Buffer.from(`${CREDENTIALS.basic.clientId}:${CREDENTIALS.basic.clientSecret}`).toString("base64")}`,
};

/** The client under test, pointed at Pact's mock server. */
const clientFor = (url: string, credentials: Pick<JelouClientOptions, "apiKey" | "basic">) =>
  createJelouClient({ baseUrl: url, ...credentials });

describe("Get Conversation, as fake-jelou's client consumes it", () => {
  it("reads an active conversation", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-active" };
    await pact
      .addInteraction()
      .given(STATES.activeConversation, { ...ids })
      .uponReceiving("a request for an active conversation")
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(CREDENTIALS.validApiKey)))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("active") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: CREDENTIALS.validApiKey }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          if (!result.ok) throw new Error(result.error.message);
          expect(result.conversation).toMatchObject({
            state: "active",
            User: { names: "María Fernanda López" },
            Bot: { type: "Whatsapp" },
          });
        }),
      );
  });

  it("reads a closed conversation, with when and why it ended", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-closed" };
    await pact
      .addInteraction()
      .given(STATES.closedConversation, { ...ids })
      .uponReceiving("a request for a closed conversation")
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(CREDENTIALS.validApiKey)))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("closed") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: CREDENTIALS.validApiKey }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          if (!result.ok || result.conversation.state !== "closed") throw new Error("expected a closed conversation");
          expect(Date.parse(result.conversation.endAt)).toBeGreaterThan(Date.parse(result.conversation.startAt));
          expect(result.conversation.endedReason).toBe("closed_by_operator");
        }),
      );
  });

  it("reads an active conversation authenticated with HTTP Basic", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-basic" };
    await pact
      .addInteraction()
      .given(STATES.activeConversation, { ...ids })
      .uponReceiving("a request for an active conversation, authenticated with Basic")
      .withRequest("GET", path(ids), (b) => b.headers(basicHeader))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("active") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { basic: CREDENTIALS.basic }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          expect(result).toMatchObject({ ok: true, conversation: { state: "active" } });
        }),
      );
  });

  it.each([
    [
      "credentials Jelou rejects",
      STATES.rejectedCredentials,
      CREDENTIALS.rejectedApiKey,
      401,
      errorEnvelope("E0401", "UNAUTHORIZED"),
      "unauthorized",
    ],
    [
      "a conversation that does not exist",
      STATES.missingConversation,
      CREDENTIALS.validApiKey,
      404,
      errorEnvelope("E1404", "CONVERSATION_NOT_FOUND"),
      "not-found",
    ],
    [
      "Jelou failing",
      STATES.jelouFailing,
      CREDENTIALS.validApiKey,
      500,
      errorEnvelope("E0000", "UNKNOWN_ERROR"),
      "server-error",
    ],
  ] as const)("reports %s", async (title, state, key, status, body, kind) => {
    const ids = { projectId: "project-1", conversationId: `conversation-${status}` };
    await pact
      .addInteraction()
      .given(state, { ...ids })
      .uponReceiving(`a request that meets ${title}`)
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(key)))
      .willRespondWith(status, (b) => b.headers(JSON_CONTENT).jsonBody(body))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: key }).getConversation(ids.projectId, ids.conversationId);
          expect(result).toMatchObject({ ok: false, error: { kind, status, body: { statusMessage: "failed" } } });
        }),
      );
  });
});

// The write operations and the integration's reads. Each interaction has its own projectId, so that the Prism
// verification can pick the spec's example for it from the path alone (contracts/4-provider-prism.pact.test.ts).
const integration = (secret: boolean) => ({
  id: like("6790f1c2a4b5c6d7e8f90aaa"),
  brainId: like("project-x"),
  webhookUrl: like("https://panel.example.com/jelou"),
  authType: regex("^(bearer|api_key|basic|no_auth)$", "bearer"),
  ...(secret && {
    signingSecret: regex("^[0-9a-f]{64}$", "5b8a4598c2822a4c7a29c99d8e08087d1d75e015ad7a8538bf40a21d5960b4d3"),
  }),
  createdAt: regex(ISO_8601, "2026-01-15T10:30:00.000Z"),
  updatedAt: regex(ISO_8601, "2026-01-15T10:30:00.000Z"),
});
const validationEnvelope = (code: string, field: string) => ({
  ...errorEnvelope(code, "VALIDATOR_ERROR"),
  validationError: { [field]: like([{ es: like("..."), en: like("...") }]) },
});
const pair = { botId: "bot-1", userId: "+5215512345678" };
const hook = {
  webhookUrl: "https://panel.example.com/jelou",
  authType: "bearer",
  authorization: "panel-token",
} as const;

type Client = ReturnType<typeof clientFor>;
interface WriteCase {
  title: string;
  projectId: string;
  state: [string, Record<string, string>] | undefined;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  suffix: "" | "/conversations/start" | "/conversations/close";
  body?: object;
  key?: string;
  status: number;
  response?: object;
  call(client: Client, projectId: string): Promise<{ ok: boolean }>;
  /** What the client's result must hold. */
  want: object;
}

const errorCases = (
  operation: string,
  projectId: string,
  method: WriteCase["method"],
  suffix: WriteCase["suffix"],
  body: object | undefined,
  call: WriteCase["call"],
): WriteCase[] => [
  {
    title: `${operation} with credentials Jelou rejects`,
    projectId: `${projectId}-401`,
    state: [STATES.rejectedCredentials, {}],
    method,
    suffix,
    ...(body && { body }),
    key: CREDENTIALS.rejectedApiKey,
    status: 401,
    response: errorEnvelope("E0401", "UNAUTHORIZED"),
    call,
    want: { ok: false, error: { kind: "unauthorized", status: 401 } },
  },
  {
    title: `${operation} while Jelou fails`,
    projectId: `${projectId}-500`,
    state: [STATES.jelouFailing, {}],
    method,
    suffix,
    ...(body && { body }),
    status: 500,
    response: errorEnvelope("E0000", "UNKNOWN_ERROR"),
    call,
    want: { ok: false, error: { kind: "server-error", status: 500 } },
  },
];

const has = (projectId: string): [string, Record<string, string>] => [STATES.integration, { projectId }];
const none = (projectId: string): [string, Record<string, string>] => [STATES.noIntegration, { projectId }];
const active = (projectId: string): [string, Record<string, string>] => [STATES.activePair, { projectId, ...pair }];
const idle = (projectId: string): [string, Record<string, string>] => [STATES.idlePair, { projectId, ...pair }];

const create: WriteCase["call"] = (c, p) => c.createIntegration(p, hook);
const read: WriteCase["call"] = (c, p) => c.getIntegration(p);
const update: WriteCase["call"] = (c, p) => c.updateIntegration(p, { webhookUrl: "https://panel.example.com/v2" });
const remove: WriteCase["call"] = (c, p) => c.deleteIntegration(p);
const start: WriteCase["call"] = (c, p) => c.startConversation(p, pair);
const close: WriteCase["call"] = (c, p) => c.closeConversation(p, pair);

const WRITE_CASES: WriteCase[] = [
  {
    title: "createIntegration",
    projectId: "p-create",
    state: none("p-create"),
    method: "POST",
    suffix: "",
    body: hook,
    status: 200,
    response: { data: integration(true) },
    call: create,
    want: { ok: true, integration: { authType: "bearer" } },
  },
  {
    title: "createIntegration for a project that has one",
    projectId: "p-create-409",
    state: has("p-create-409"),
    method: "POST",
    suffix: "",
    body: hook,
    status: 409,
    response: errorEnvelope("E1408", "INTEGRATION_ALREADY_EXISTS"),
    call: create,
    want: { ok: false, error: { kind: "conflict", status: 409 } },
  },
  {
    title: "createIntegration with a webhookUrl that is not a URL",
    projectId: "p-create-422",
    state: none("p-create-422"),
    method: "POST",
    suffix: "",
    body: { webhookUrl: "not a url" },
    status: 422,
    response: validationEnvelope("E0422", "webhookUrl"),
    call: (c, p) => c.createIntegration(p, { webhookUrl: "not a url" }),
    want: { ok: false, error: { kind: "invalid-request", status: 422 } },
  },
  ...errorCases("createIntegration", "p-create", "POST", "", hook, create),
  {
    title: "getIntegration",
    projectId: "p-get",
    state: has("p-get"),
    method: "GET",
    suffix: "",
    status: 200,
    response: { data: integration(false) },
    call: read,
    want: { ok: true, integration: { authType: "bearer" } },
  },
  {
    title: "getIntegration for a project without one",
    projectId: "p-get-404",
    state: none("p-get-404"),
    method: "GET",
    suffix: "",
    status: 404,
    response: errorEnvelope("E1405", "INTEGRATION_NOT_FOUND"),
    call: read,
    want: { ok: false, error: { kind: "not-found", status: 404 } },
  },
  ...errorCases("getIntegration", "p-get", "GET", "", undefined, read),
  {
    title: "updateIntegration",
    projectId: "p-update",
    state: has("p-update"),
    method: "PATCH",
    suffix: "",
    body: { webhookUrl: "https://panel.example.com/v2" },
    status: 200,
    response: { data: integration(false) },
    call: update,
    want: { ok: true },
  },
  // An authType outside the enum, which only a caller that bypasses the types can send: what a 400 looks like.
  {
    title: "updateIntegration with an unknown authType",
    projectId: "p-update-400",
    state: has("p-update-400"),
    method: "PATCH",
    suffix: "",
    body: { authType: "oauth" },
    status: 400,
    response: validationEnvelope("E0400", "authType"),
    call: (c, p) => c.updateIntegration(p, { authType: "oauth" as "bearer" }),
    want: { ok: false, error: { kind: "invalid-request", status: 400 } },
  },
  {
    title: "updateIntegration for a project without one",
    projectId: "p-update-404",
    state: none("p-update-404"),
    method: "PATCH",
    suffix: "",
    body: { webhookUrl: "https://panel.example.com/v2" },
    status: 404,
    response: errorEnvelope("E1405", "INTEGRATION_NOT_FOUND"),
    call: update,
    want: { ok: false, error: { kind: "not-found", status: 404 } },
  },
  ...errorCases("updateIntegration", "p-update", "PATCH", "", { webhookUrl: "https://panel.example.com/v2" }, update),
  {
    title: "deleteIntegration",
    projectId: "p-delete",
    state: has("p-delete"),
    method: "DELETE",
    suffix: "",
    status: 200,
    response: { message: like(["Integration deleted successfully"]), statusMessage: like("success") },
    call: remove,
    want: { ok: true },
  },
  {
    title: "deleteIntegration for a project without one",
    projectId: "p-delete-404",
    state: none("p-delete-404"),
    method: "DELETE",
    suffix: "",
    status: 404,
    response: errorEnvelope("E1405", "INTEGRATION_NOT_FOUND"),
    call: remove,
    want: { ok: false, error: { kind: "not-found", status: 404 } },
  },
  ...errorCases("deleteIntegration", "p-delete", "DELETE", "", undefined, remove),
  {
    title: "startConversation",
    projectId: "p-start",
    state: idle("p-start"),
    method: "POST",
    suffix: "/conversations/start",
    body: pair,
    status: 200,
    response: { data: conversation("active") },
    call: start,
    want: { ok: true, conversation: { state: "active" } },
  },
  {
    title: "startConversation for a pair that has an active conversation",
    projectId: "p-start-409",
    state: active("p-start-409"),
    method: "POST",
    suffix: "/conversations/start",
    body: pair,
    status: 409,
    response: errorEnvelope("E1409", "CONVERSATION_ALREADY_ACTIVE"),
    call: start,
    want: { ok: false, error: { kind: "conflict", status: 409 } },
  },
  {
    title: "startConversation with a bot Jelou does not know",
    projectId: "p-start-404",
    state: [STATES.unknownBot, { projectId: "p-start-404", botId: pair.botId }],
    method: "POST",
    suffix: "/conversations/start",
    body: pair,
    status: 404,
    response: errorEnvelope("E1406", "BOT_OR_USER_NOT_FOUND"),
    call: start,
    want: { ok: false, error: { kind: "not-found", status: 404 } },
  },
  {
    title: "startConversation with an empty botId",
    projectId: "p-start-422",
    state: idle("p-start-422"),
    method: "POST",
    suffix: "/conversations/start",
    body: { botId: "", userId: pair.userId },
    status: 422,
    response: validationEnvelope("E0422", "botId"),
    call: (c, p) => c.startConversation(p, { botId: "", userId: pair.userId }),
    want: { ok: false, error: { kind: "invalid-request", status: 422 } },
  },
  ...errorCases("startConversation", "p-start", "POST", "/conversations/start", pair, start),
  {
    title: "closeConversation",
    projectId: "p-close",
    state: active("p-close"),
    method: "POST",
    suffix: "/conversations/close",
    body: pair,
    status: 200,
    response: { data: conversation("closed") },
    call: close,
    want: { ok: true, conversation: { state: "closed" } },
  },
  {
    title: "closeConversation for a pair without an active conversation",
    projectId: "p-close-404",
    state: idle("p-close-404"),
    method: "POST",
    suffix: "/conversations/close",
    body: pair,
    status: 404,
    response: errorEnvelope("E1407", "ACTIVE_CONVERSATION_NOT_FOUND"),
    call: close,
    want: { ok: false, error: { kind: "not-found", status: 404 } },
  },
  {
    title: "closeConversation with a text redirect without text",
    projectId: "p-close-422",
    state: active("p-close-422"),
    method: "POST",
    suffix: "/conversations/close",
    body: { ...pair, redirectPayload: { type: "text" } },
    status: 422,
    response: validationEnvelope("E0422", "redirectPayload.text"),
    call: (c, p) => c.closeConversation(p, { ...pair, redirectPayload: { type: "text" } }),
    want: { ok: false, error: { kind: "invalid-request", status: 422 } },
  },
  ...errorCases("closeConversation", "p-close", "POST", "/conversations/close", pair, close),
];

describe("the integration and conversation operations, as fake-jelou's client consumes them", () => {
  it.each(WRITE_CASES.map((c) => [c.title, c] as const))("%s", async (_title, c) => {
    const key = c.key ?? CREDENTIALS.validApiKey;
    const headers = { ...apiKey(key), ...(c.body && { "Content-Type": "application/json" }) };
    let builder = pact.addInteraction();
    if (c.state) builder = builder.given(c.state[0], c.state[1]);
    await builder
      .uponReceiving(`a ${c.title} request`)
      .withRequest(c.method, `/v1/external-support/${c.projectId}${c.suffix}`, (b) => {
        b.headers(headers);
        if (c.body) b.jsonBody(c.body);
      })
      .willRespondWith(c.status, (b) => b.headers(JSON_CONTENT).jsonBody(c.response ?? {}))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await c.call(clientFor(mock.url, { apiKey: key }), c.projectId);
          expect(result).toMatchObject(c.want);
        }),
      );
  });
});
