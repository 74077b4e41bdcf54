// The stateful sandbox over HTTP: integration CRUD, start and close, what getConversation then reads, the scenarios
// and rules of every operation, and the state's admin routes. Every Jelou response is checked against the spec.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import type { OperationId } from "../../mock/operations/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator } from "../../spec/schema-validator.ts";

const validator = createSpecValidator(loadSpec());
const KEY = "sandbox-test-key";
const TOKEN = "webhook-token-5f1e9a";

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely and checked against the spec.
type Json = any;
interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Json;
}

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, now: "2026-11-25T00:00:00Z" });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const PATHS: Record<OperationId, (projectId: string, id?: string) => [string, string]> = {
  createIntegration: (p) => ["POST", `/v1/external-support/${p}`],
  getIntegration: (p) => ["GET", `/v1/external-support/${p}`],
  updateIntegration: (p) => ["PATCH", `/v1/external-support/${p}`],
  deleteIntegration: (p) => ["DELETE", `/v1/external-support/${p}`],
  startConversation: (p) => ["POST", `/v1/external-support/${p}/conversations/start`],
  closeConversation: (p) => ["POST", `/v1/external-support/${p}/conversations/close`],
  getConversation: (p, id = "c1") => ["GET", `/v1/external-support/${p}/conversations/${id}`],
  sendMessage: () => ["POST", "/chatbot/v1/external-support/webhook"],
};

/** Calls an operation of the fake, and checks what it answered against the spec. */
async function call(
  operationId: OperationId,
  projectId: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string>; id?: string; s?: MockServer } = {},
): Promise<Reply> {
  const [method, path] = PATHS[operationId](projectId, options.id);
  const target = options.s ?? server;
  const hasBody = method !== "GET" && (options.body !== undefined || options.raw !== undefined);
  const res = await fetch(`${path.startsWith("/chatbot/") ? target.url : target.baseUrl}${path}`, {
    method,
    headers: { "x-api-key": KEY, ...(hasBody && { "content-type": "application/json" }), ...options.headers },
    ...(hasBody && { body: options.raw ?? JSON.stringify(options.body) }),
  });
  const text = await res.text();
  const body = text === "" ? undefined : JSON.parse(text);
  const fakeOwn =
    typeof body?.error?.key === "string" &&
    ["SCENARIO_NOT_APPLICABLE", "INVALID_BODY", "UNKNOWN_SCENARIO"].includes(body.error.key);
  if (!fakeOwn) {
    const verdict = validator.validateResponse({
      operationId,
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      body,
    });
    if (verdict.outcome !== "valid") {
      throw new Error(
        `${operationId} ${res.status} is not what the spec says: ${JSON.stringify(verdict).slice(0, 800)}`,
      );
    }
  }
  return { status: res.status, headers: res.headers, text, body };
}

const hook = "http://127.0.0.1:9/hook";

describe("integrations", () => {
  it("create, get without secrets, patch, delete, then 404 for get, patch and delete", async () => {
    const created = await call("createIntegration", "p1", {
      body: { webhookUrl: hook, authType: "bearer", authorization: TOKEN },
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ brainId: "p1", webhookUrl: hook, authType: "bearer" });
    expect(created.body.data.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.text).not.toContain(TOKEN);

    const read = await call("getIntegration", "p1");
    expect(read.status).toBe(200);
    const { signingSecret: _secret, ...visible } = created.body.data;
    expect(read.body.data).toEqual(visible);
    expect(read.text).not.toContain(created.body.data.signingSecret);
    expect(read.text).not.toContain(TOKEN);

    const patched = await call("updateIntegration", "p1", { body: { webhookUrl: "http://localhost:8080/v2" } });
    expect(patched.status).toBe(200);
    expect(patched.body.data).toMatchObject({
      id: visible.id,
      webhookUrl: "http://localhost:8080/v2",
      authType: "bearer",
    });
    expect(Date.parse(patched.body.data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(visible.createdAt));
    expect((await call("getIntegration", "p1")).body.data.webhookUrl).toBe("http://localhost:8080/v2");

    const deleted = await call("deleteIntegration", "p1");
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      message: ["Integration deleted successfully"],
      statusMessage: "success",
      status: 1,
    });
    for (const operation of ["getIntegration", "deleteIntegration"] as const) {
      const gone = await call(operation, "p1");
      expect([gone.status, gone.body.error.key]).toEqual([404, "INTEGRATION_NOT_FOUND"]);
    }
    const patchGone = await call("updateIntegration", "p1", { body: { webhookUrl: hook } });
    expect([patchGone.status, patchGone.body.error.key]).toEqual([404, "INTEGRATION_NOT_FOUND"]);
  });

  it("keeps one integration per project: a second create is a 409, another project is free", async () => {
    expect((await call("createIntegration", "p1", { body: { webhookUrl: hook } })).status).toBe(200);
    const again = await call("createIntegration", "p1", { body: { webhookUrl: hook } });
    expect([again.status, again.body.error.key]).toEqual([409, "INTEGRATION_ALREADY_EXISTS"]);
    expect((await call("createIntegration", "p2", { body: { webhookUrl: hook } })).status).toBe(200);
  });

  it("gives a new signing secret to an integration created again after a delete", async () => {
    const first = (await call("createIntegration", "p1", { body: { webhookUrl: hook } })).body.data.signingSecret;
    await call("deleteIntegration", "p1");
    const second = (await call("createIntegration", "p1", { body: { webhookUrl: hook } })).body.data.signingSecret;
    expect(second).not.toBe(first);
  });

  it.each<[string, unknown, string]>([
    ["no webhookUrl", { authType: "no_auth" }, "webhookUrl"],
    ["a webhookUrl that is not a URL", { webhookUrl: "not a url" }, "webhookUrl"],
    ["a webhookUrl that is not http(s)", { webhookUrl: "ftp://files.example.com/hook" }, "webhookUrl"],
    ["credentials inside the webhookUrl", { webhookUrl: "https://user:pw@example.com/hook" }, "webhookUrl"],
    ["an unknown authType", { webhookUrl: hook, authType: "oauth" }, "authType"],
    ["bearer without authorization", { webhookUrl: hook, authType: "bearer" }, "authorization"],
    ["a body that is not an object", ["https://example.com"], "body"],
  ])("refuses a create with %s: 422 naming the field in Spanish and English", async (_title, body, field) => {
    const reply = await call("createIntegration", "p1", { body });
    expect(reply.status).toBe(422);
    expect(reply.body.error.key).toBe("VALIDATOR_ERROR");
    expect(reply.body.validationError[field]).toEqual([{ es: expect.any(String), en: expect.any(String) }]);
    expect((await call("getIntegration", "p1")).status).toBe(404);
  });

  it("refuses an update that sends nothing or a bad value with 400, as its page says", async () => {
    await call("createIntegration", "p1", { body: { webhookUrl: hook } });
    for (const body of [{}, { authType: "basic" }, { webhookUrl: "mailto:a@b.c" }]) {
      const reply = await call("updateIntegration", "p1", { body });
      expect([reply.status, reply.body.error.key]).toEqual([400, "VALIDATOR_ERROR"]);
    }
  });

  it("drops the stored credential when authType becomes no_auth, and keeps it with authorization alone", async () => {
    await call("createIntegration", "p1", { body: { webhookUrl: hook, authType: "api_key", authorization: TOKEN } });
    expect(server.state().integrations[0]?.authorization).toBe(TOKEN);
    await call("updateIntegration", "p1", { body: { authorization: `${TOKEN}-2` } });
    expect(server.state().integrations[0]).toMatchObject({ authorization: `${TOKEN}-2` });
    await call("updateIntegration", "p1", { body: { authType: "no_auth" } });
    expect(server.state().integrations[0]?.authorization).toBeUndefined();
  });

  it("accepts a local http webhook by default and only public https ones with requireHttpsWebhooks", async () => {
    const strict = await startMockServer({ port: 0, requireHttpsWebhooks: true });
    try {
      for (const url of [
        "http://example.com/hook",
        "https://localhost/hook",
        "https://10.0.0.7/hook",
        "https://[::1]/hook",
      ]) {
        const reply = await call("createIntegration", "p1", { body: { webhookUrl: url }, s: strict });
        expect([url, reply.status, Object.keys(reply.body.validationError)]).toEqual([url, 422, ["webhookUrl"]]);
      }
      const ok = await call("createIntegration", "p1", {
        body: { webhookUrl: "https://hooks.example.com/jelou" },
        s: strict,
      });
      expect(ok.status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe("conversations started through the API", () => {
  const pair = { botId: "bot-1", userId: "+5215512345678" };

  it("start, get active, close, get closed, close again 404, start anew", async () => {
    const started = await call("startConversation", "p1", {
      body: {
        ...pair,
        initialMessage: "Hola",
        metadata: { ticketId: "T-1" },
        assignment: { type: "queue", target: "SOPORTE" },
      },
    });
    expect(started.status).toBe(200);
    const conversation = started.body.data;
    expect(conversation).toMatchObject({ state: "active", User: { id: pair.userId }, Bot: { id: pair.botId } });
    expect(conversation._id).toMatch(/^[0-9a-f]{24}$/);

    const active = await call("getConversation", "p1", { id: conversation._id });
    expect(active.body.data).toEqual(conversation);

    const closed = await call("closeConversation", "p1", {
      body: { ...pair, redirectPayload: { type: "text", text: "Gracias" } },
    });
    expect(closed.status).toBe(200);
    expect(closed.body.data).toMatchObject({ ...conversation, state: "closed", endedReason: "closed_by_operator" });
    expect(Date.parse(closed.body.data.endAt)).toBeGreaterThanOrEqual(Date.parse(conversation.startAt));
    expect((await call("getConversation", "p1", { id: conversation._id })).body.data).toEqual(closed.body.data);

    const again = await call("closeConversation", "p1", { body: pair });
    expect([again.status, again.body.error.key]).toEqual([404, "ACTIVE_CONVERSATION_NOT_FOUND"]);
    const next = await call("startConversation", "p1", { body: pair });
    expect(next.status).toBe(200);
    expect(next.body.data._id).not.toBe(conversation._id);
  });

  it("allows one active conversation per bot and user: a second start is a 409, another pair or project is free", async () => {
    expect((await call("startConversation", "p1", { body: pair })).status).toBe(200);
    const again = await call("startConversation", "p1", { body: pair });
    expect([again.status, again.body.error.key]).toEqual([409, "CONVERSATION_ALREADY_ACTIVE"]);
    expect((await call("startConversation", "p1", { body: { ...pair, userId: "+5215500000000" } })).status).toBe(200);
    expect((await call("startConversation", "p2", { body: pair })).status).toBe(200);
  });

  it("shows a started conversation in the state a scenario header asks for, without changing it", async () => {
    const { _id } = (await call("startConversation", "p1", { body: pair })).body.data;
    const asClosed = await call("getConversation", "p1", { id: _id, headers: { "x-fake-jelou-scenario": "closed" } });
    expect(asClosed.body.data).toMatchObject({ _id, state: "closed", endedReason: "closed_by_operator" });
    expect((await call("getConversation", "p1", { id: _id })).body.data.state).toBe("active");
  });

  it.each<[string, unknown, string]>([
    ["no botId", { userId: "u" }, "botId"],
    ["an empty userId", { botId: "b", userId: "" }, "userId"],
    ["an unknown assignment type", { ...pair, assignment: { type: "robot", target: "x" } }, "assignment.type"],
  ])("refuses a start with %s: 422 naming the field", async (_title, body, field) => {
    const reply = await call("startConversation", "p1", { body });
    expect(reply.status).toBe(422);
    expect(Object.keys(reply.body.validationError)).toContain(field);
  });

  it("refuses a close whose text redirect has no text: 422 naming redirectPayload.text", async () => {
    const reply = await call("closeConversation", "p1", { body: { ...pair, redirectPayload: { type: "text" } } });
    expect(reply.status).toBe(422);
    expect(Object.keys(reply.body.validationError)).toContain("redirectPayload.text");
  });
});

describe("scenarios and rules on every operation", () => {
  it.each(Object.keys(PATHS) as OperationId[])(
    "%s answers 401 to a request without credentials, even with a malformed body",
    async (operation) => {
      const reply = await call(operation, "p1", { raw: "{not json", headers: { "x-api-key": "" } });
      // Send-message's credential is its signature.
      const key = operation === "sendMessage" ? "INVALID_SIGNATURE" : "UNAUTHORIZED";
      expect([reply.status, reply.body.error.key]).toEqual([401, key]);
    },
  );

  it("answers a malformed JSON body with 400 INVALID_BODY once the credentials pass", async () => {
    const reply = await call("startConversation", "p1", { raw: "{not json" });
    expect([reply.status, reply.body.error.key]).toEqual([400, "INVALID_BODY"]);
  });

  it.each<[OperationId, string, number, string]>([
    ["createIntegration", "server-error", 500, "UNKNOWN_ERROR"],
    ["createIntegration", "conflict", 409, "INTEGRATION_ALREADY_EXISTS"],
    ["updateIntegration", "validation-error", 400, "VALIDATOR_ERROR"],
    ["startConversation", "validation-error", 422, "VALIDATOR_ERROR"],
    ["startConversation", "not-found", 404, "BOT_OR_USER_NOT_FOUND"],
    ["closeConversation", "404", 404, "ACTIVE_CONVERSATION_NOT_FOUND"],
    ["deleteIntegration", "unauthorized", 401, "UNAUTHORIZED"],
  ])("%s answers the %s scenario with the spec's %i", async (operation, scenario, status, key) => {
    const reply = await call(operation, "p1", {
      body: { webhookUrl: hook, botId: "b", userId: "u" },
      headers: { "x-fake-jelou-scenario": scenario },
    });
    expect([reply.status, reply.body.error.key]).toEqual([status, key]);
  });

  it.each<[OperationId, string]>([
    ["getIntegration", "conflict"],
    ["getIntegration", "validation-error"],
    ["createIntegration", "closed"],
    ["deleteIntegration", "active"],
  ])("%s refuses the %s scenario with 400 SCENARIO_NOT_APPLICABLE naming it", async (operation, scenario) => {
    const reply = await call(operation, "p1", {
      body: { webhookUrl: hook },
      headers: { "x-fake-jelou-scenario": scenario },
    });
    expect([reply.status, reply.body.error.key]).toEqual([400, "SCENARIO_NOT_APPLICABLE"]);
    expect(reply.body.message[0]).toContain(`does not apply to ${operation}`);
  });

  it("takes Prism's Prefer naming an operation's success example as its normal work", async () => {
    const created = await call("createIntegration", "p1", {
      body: { webhookUrl: hook },
      headers: { prefer: "example=created" },
    });
    expect(created.status).toBe(200);
    await call("startConversation", "p1", { body: { botId: "b", userId: "u" } });
    const closed = await call("closeConversation", "p1", {
      body: { botId: "b", userId: "u" },
      headers: { prefer: "code=200, example=closed" },
    });
    expect([closed.status, closed.body.data.state]).toEqual([200, "closed"]);
    const wrong = await call("getIntegration", "p1", { headers: { prefer: "example=conflict" } });
    expect([wrong.status, wrong.body.error.key]).toEqual([400, "SCENARIO_NOT_APPLICABLE"]);
  });

  it("does every operation's normal work under a server default of closed", async () => {
    const closedByDefault = await startMockServer({ port: 0, scenario: "closed" });
    try {
      expect((await call("createIntegration", "p1", { body: { webhookUrl: hook }, s: closedByDefault })).status).toBe(
        200,
      );
      expect((await call("getConversation", "p1", { s: closedByDefault })).body.data.state).toBe("closed");
    } finally {
      await closedByDefault.close();
    }
  });

  it("applies an operation rule to one project or to all, behind the request's own header", async () => {
    server.setOperation({ operationId: "startConversation", projectId: "p1", scenario: "server-error" });
    expect((await call("startConversation", "p1", { body: { botId: "b", userId: "u" } })).status).toBe(500);
    expect((await call("startConversation", "p2", { body: { botId: "b", userId: "u" } })).status).toBe(200);
    const header = await call("startConversation", "p1", {
      body: { botId: "b", userId: "u2" },
      headers: { "x-fake-jelou-scenario": "validation-error" },
    });
    expect(header.status).toBe(422);
    server.setOperation({ operationId: "getIntegration", scenario: "not-found" });
    await call("createIntegration", "p3", { body: { webhookUrl: hook } });
    expect((await call("getIntegration", "p3")).status).toBe(404);
    expect(server.operations()).toEqual([
      { operationId: "startConversation", projectId: "p1", scenario: "server-error" },
      { operationId: "getIntegration", scenario: "not-found" },
    ]);
    expect(server.deleteOperation("getIntegration")).toBe(true);
    expect((await call("getIntegration", "p3")).status).toBe(200);
  });

  it("refuses an operation rule the operation does not answer, and an unknown operation", () => {
    expect(() => server.setOperation({ operationId: "getIntegration", scenario: "conflict" })).toThrow(
      'The scenario "conflict" does not apply to getIntegration',
    );
    expect(() => server.setOperation({ operationId: "sendAnything" as OperationId, scenario: "server-error" })).toThrow(
      'Unknown operation "sendAnything"',
    );
    expect(server.operations()).toEqual([]);
  });

  it("delays a write as it delays a read, and decides it after the delay", async () => {
    const pending = call("createIntegration", "p1", {
      body: { webhookUrl: hook },
      headers: { "x-fake-jelou-delay": "150" },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.state().integrations).toEqual([]);
    expect((await pending).status).toBe(200);
    expect(server.state().integrations).toHaveLength(1);
  });

  it("answers a method the path does not serve with 405 and the methods it does", async () => {
    const res = await fetch(`${server.baseUrl}/v1/external-support/p1`, {
      method: "PUT",
      headers: { "x-api-key": KEY },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST, DELETE, PATCH");
  });
});

describe("the state", () => {
  async function admin(method: string, path: string, body?: unknown, s: MockServer = server) {
    const res = await fetch(`${s.url}/__admin${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: text === "" ? undefined : JSON.parse(text) };
  }

  it("exports integrations with their secret and credential, and started conversations; loads them into another fake", async () => {
    const secret = (
      await call("createIntegration", "p1", { body: { webhookUrl: hook, authType: "bearer", authorization: TOKEN } })
    ).body.data.signingSecret;
    const { _id } = (await call("startConversation", "p1", { body: { botId: "b", userId: "u", metadata: { a: 1 } } }))
      .body.data;
    const exported = await admin("GET", "/state");
    expect(exported.status).toBe(200);
    expect(exported.body.integrations[0]).toMatchObject({
      projectId: "p1",
      authorization: TOKEN,
      integration: { signingSecret: secret },
    });
    expect(exported.body.conversations[0]).toMatchObject({
      projectId: "p1",
      conversation: { _id },
      start: { botId: "b", userId: "u", metadata: { a: 1 } },
    });

    const other = await startMockServer({ port: 0 });
    try {
      expect((await admin("PUT", "/state", exported.body, other)).status).toBe(200);
      expect((await call("getIntegration", "p1", { s: other })).status).toBe(200);
      expect((await call("getConversation", "p1", { id: _id, s: other })).body.data._id).toBe(_id);
      const again = await call("startConversation", "p1", { body: { botId: "b", userId: "u" }, s: other });
      expect(again.status).toBe(409);
    } finally {
      await other.close();
    }
  });

  it("never records a secret or a credential in the journal", async () => {
    const created = await call("createIntegration", "p1", {
      body: { webhookUrl: hook, authType: "bearer", authorization: TOKEN },
    });
    const journal = JSON.stringify(server.requests());
    expect(journal).not.toContain(TOKEN);
    expect(journal).not.toContain(created.body.data.signingSecret);
    expect(server.requests()[0]).toMatchObject({ operation: "createIntegration", projectId: "p1", status: 200 });
  });

  it.each<[string, unknown, string]>([
    ["not an object", [1], "state"],
    ["an unknown field", { integrations: [], extra: 1 }, "extra"],
    [
      "an integration without a secret",
      {
        integrations: [
          {
            projectId: "p",
            integration: {
              id: "i",
              brainId: "p",
              webhookUrl: hook,
              authType: "no_auth",
              createdAt: "2026-01-01T00:00:00Z",
              updatedAt: "2026-01-01T00:00:00Z",
            },
          },
        ],
      },
      "integrations.0.integration.signingSecret",
    ],
    [
      "an integration of another project",
      {
        integrations: [
          {
            projectId: "p",
            integration: {
              id: "i",
              brainId: "q",
              webhookUrl: hook,
              authType: "no_auth",
              signingSecret: "a".repeat(64),
              createdAt: "2026-01-01T00:00:00Z",
              updatedAt: "2026-01-01T00:00:00Z",
            },
          },
        ],
      },
      "integrations.0.integration.brainId",
    ],
    [
      "a conversation whose bot is not its start's",
      {
        conversations: [
          {
            projectId: "p",
            start: { botId: "b", userId: "u" },
            conversation: {
              _id: "c",
              roomId: "r",
              state: "active",
              startAt: "2026-01-01T00:00:00Z",
              User: { id: "u", names: "A", referenceId: "+1", createdAt: "2025-01-01T00:00:00Z" },
              Bot: { id: "other", name: "B", type: "Whatsapp" },
            },
          },
        ],
      },
      "conversations.0.conversation.Bot.id",
    ],
  ])(
    "refuses a state that is %s with 400 INVALID_STATE naming %s, and keeps the state it had",
    async (_title, body, field) => {
      await call("createIntegration", "p1", { body: { webhookUrl: hook } });
      const reply = await admin("PUT", "/state", body);
      expect([reply.status, reply.body.error.key]).toEqual([400, "INVALID_STATE"]);
      expect(Object.keys(reply.body.validationError)).toEqual([field]);
      expect(server.state().integrations).toHaveLength(1);
    },
  );

  it("refuses a state beyond its byte budget, and empties on reset", async () => {
    const small = await startMockServer({ port: 0, stateBudgetBytes: 2_000 });
    try {
      await call("createIntegration", "p1", { body: { webhookUrl: hook }, s: small });
      const full = await call("createIntegration", "p2", {
        body: { webhookUrl: `${hook}/${"x".repeat(1_500)}` },
        s: small,
      });
      expect([full.status, full.body.error.key]).toEqual([409, "STATE_BUDGET_REACHED"]);
      expect(small.stats()).toMatchObject({ integrations: 1 });
      expect((await admin("POST", "/reset", undefined, small)).status).toBe(200);
      expect(small.state()).toEqual({ integrations: [], conversations: [] });
    } finally {
      await small.close();
    }
  });
});

describe("hostile and odd input, found in review", () => {
  const deep = (levels: number) => {
    let value: unknown = 0;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };

  it("refuses a body nesting 30000 levels with 422, delayed or not, and keeps serving", async () => {
    // Written as text: JSON.stringify itself would overflow on it.
    const raw = `{"botId":"b","userId":"u","metadata":{"a":${"[".repeat(30_000)}0${"]".repeat(30_000)}}}`;
    for (const headers of [{}, { "x-fake-jelou-delay": "1" }] as Record<string, string>[]) {
      const reply = await call("startConversation", "p1", { raw, headers });
      expect([reply.status, Object.keys(reply.body.validationError)]).toEqual([422, ["body"]]);
    }
    expect((await call("getIntegration", "p1")).status).toBe(404);
  });

  it("accepts a state whose metadata is a huge flat array, and refuses one nesting too deep, keeping the state it had", async () => {
    const conversation = (await call("startConversation", "p1", { body: { botId: "b", userId: "u" } })).body.data;
    const doc = server.state();
    (doc.conversations[0] as { start: { metadata?: object } }).start.metadata = { a: Array(200_000).fill(0) };
    expect(() => server.loadState(doc)).not.toThrow();
    (doc.conversations[0] as { start: { metadata?: object } }).start.metadata = { a: deep(100) };
    expect(() => server.loadState(doc)).toThrow("nests deeper than");
    expect(server.state().conversations.map((c) => c.conversation._id)).toEqual([conversation._id]);
  });

  it("closes, patches and shows closed what carries a leap second, as the spec's date-time allows", async () => {
    await call("createIntegration", "p1", { body: { webhookUrl: hook } });
    await call("startConversation", "p1", { body: { botId: "b", userId: "u" } });
    const doc = server.state();
    (doc.integrations[0] as { integration: { createdAt: string } }).integration.createdAt = "2016-12-31T23:59:60Z";
    (doc.conversations[0] as { conversation: { startAt: string } }).conversation.startAt = "2026-06-30T23:59:60Z";
    server.loadState(doc);
    const id = doc.conversations[0]?.conversation._id;
    const shown = await call("getConversation", "p1", { id, headers: { "x-fake-jelou-scenario": "closed" } });
    expect(shown.status).toBe(200);
    expect((await call("updateIntegration", "p1", { body: { webhookUrl: `${hook}/2` } })).status).toBe(200);
    expect((await call("closeConversation", "p1", { body: { botId: "b", userId: "u" } })).status).toBe(200);
  });

  it("keeps what a caller does to state() or to a loaded document away from the fake", async () => {
    await call("createIntegration", "p1", { body: { webhookUrl: hook } });
    const doc = server.state();
    (doc.integrations[0] as { integration: { webhookUrl: string } }).integration.webhookUrl = "changed";
    expect(server.state().integrations[0]?.integration.webhookUrl).toBe(hook);
    server.loadState(
      doc.integrations[0]
        ? {
            integrations: [
              { ...doc.integrations[0], integration: { ...doc.integrations[0].integration, webhookUrl: hook } },
            ],
          }
        : doc,
    );
    const loaded = server.state();
    (loaded.integrations[0] as { integration: { signingSecret: string } }).integration.signingSecret = "not hex";
    expect(server.state().integrations[0]?.integration.signingSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it("leaves the state as it was when a document does not fit its budget", async () => {
    const small = await startMockServer({ port: 0, stateBudgetBytes: 4_000 });
    try {
      await call("createIntegration", "p1", { body: { webhookUrl: hook }, s: small });
      const one = small.state().integrations[0];
      if (!one) throw new Error("expected an integration");
      const many = Array.from({ length: 9 }, (_, i) => ({
        ...one,
        projectId: `q${i}`,
        integration: { ...one.integration, brainId: `q${i}` },
      }));
      expect(() => small.loadState({ integrations: many })).toThrow("exceeds its byte budget");
      expect(small.state().integrations.map((i) => i.projectId)).toEqual(["p1"]);
    } finally {
      await small.close();
    }
  });

  it("refuses a provider state that reuses a conversation id for another pair, or holds an integration the API would refuse", () => {
    server.setProviderState("bot b1 and user u1 have an active conversation in project p1", { conversationId: "c1" });
    expect(() =>
      server.setProviderState("bot b2 and user u2 have an active conversation in project p1", { conversationId: "c1" }),
    ).toThrow("conversation c1 already exists");
    expect(() =>
      server.setProviderState("project p9 has an integration", {
        webhookUrl: "https://admin:hunter2@hooks.example.com/x",
      }),
    ).toThrow("must not carry credentials");
    expect(() =>
      server.setProviderState("project p9 has an integration", { authType: "bearer", authorization: " " }),
    ).toThrow("authorization must not be empty");
  });

  it("repeats no text of a malformed body, which may hold a credential", async () => {
    // V8's message quotes the text where parsing failed: here, the start of the body.
    const reply = await call("startConversation", "p1", { raw: "sekrit-token-4f2a" });
    expect(reply.status).toBe(400);
    expect(reply.text).not.toContain("sekrit");
    expect(reply.body.message[0]).toMatch(/^Malformed JSON body/);
  });

  it("names the state's own limit when a state document is too large", async () => {
    const small = await startMockServer({ port: 0, stateBudgetBytes: 1_000 });
    try {
      const res = await fetch(`${small.url}/__admin/state`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ integrations: [], pad: "x".repeat(2_000) }),
      });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { message: string[] }).message[0]).toContain("1000 bytes (stateBudgetBytes)");
    } finally {
      await small.close();
    }
  });

  it("takes Prefer: code=200 as an operation's normal work", async () => {
    expect(
      (await call("createIntegration", "p1", { body: { webhookUrl: hook }, headers: { prefer: "code=200" } })).status,
    ).toBe(200);
  });

  it("refuses more private hosts with requireHttpsWebhooks: a trailing dot, multicast, site-local, IPv4-compatible", async () => {
    const strict = await startMockServer({ port: 0, requireHttpsWebhooks: true });
    try {
      for (const url of [
        "https://localhost./h",
        "https://printer.local./h",
        "https://224.0.0.1/h",
        "https://[fec0::1]/h",
        "https://[::127.0.0.1]/h",
      ]) {
        const reply = await call("createIntegration", "p1", { body: { webhookUrl: url }, s: strict });
        expect([url, reply.status]).toEqual([url, 422]);
      }
    } finally {
      await strict.close();
    }
  });
});
