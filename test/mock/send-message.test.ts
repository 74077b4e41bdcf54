// Send-message on the fake's chatbot host: signed with the integration's secret over the exact bytes, found by
// project, room, bot and user, checked against its value's type, and kept in the conversation's transcript.
import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator } from "../../spec/schema-validator.ts";

const validator = createSpecValidator(loadSpec());
const KEY = "send-message-test-key";
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely and checked against the spec.
type Json = any;

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(() => server.close());
afterEach(() => server.reset());

const sign = (bytes: string, secret: string) => `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`;

async function gateway(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(`${server.baseUrl}/v1/external-support/${path}`, {
    method,
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return res.json();
}

/** A project with an integration and an active conversation: its secret and the send-message body's ids. */
async function activeConversation(projectId = "p-send") {
  const created = await gateway("POST", projectId, { webhookUrl: "http://127.0.0.1:9/hook" });
  const started = await gateway("POST", `${projectId}/conversations/start`, { botId: "bot-1", userId: "user-1" });
  return {
    secret: created.data.signingSecret as string,
    conversationId: started.data._id as string,
    ids: { project_id: projectId, room_id: started.data.roomId as string, bot_id: "bot-1", user_id: "user-1" },
  };
}

const envelope = { field: "messages", object: "message_event", event_type: "incoming_message" };

async function send(raw: string, signature?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/chatbot/v1/external-support/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature && { "x-jelou-signature": signature }), ...headers },
    body: raw,
  });
  const body: Json = await res.json();
  if (!["INVALID_BODY", "SCENARIO_NOT_APPLICABLE"].includes(body?.error?.key)) {
    const verdict = validator.validateResponse({
      operationId: "sendMessage",
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      body,
    });
    expect(verdict.outcome, JSON.stringify(verdict)).toBe("valid");
  }
  return { status: res.status, body };
}

describe("send-message", () => {
  it("accepts a body signed with the integration's secret, answers its id and adds it to the transcript", async () => {
    const { secret, ids, conversationId } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { id: "m-1", type: "text", content: { body: "Hola" } } });
    const reply = await send(raw, sign(raw, secret));
    expect([reply.status, reply.body.data]).toEqual([200, { id: "m-1" }]);
    const stored = server.state().conversations.find((c) => c.conversation._id === conversationId);
    expect(stored?.messages).toEqual([
      { from: "agent", at: expect.any(String), value: { id: "m-1", type: "text", content: { body: "Hola" } } },
    ]);
  });

  it("gives a message sent without an id one of its own", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    const reply = await send(raw, sign(raw, secret));
    expect(reply.status).toBe(200);
    expect(reply.body.data.id).toMatch(/^[0-9a-f]{24}$/);
  });

  it("checks the signature over the bytes received, whatever their spacing", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } }, null, 2);
    expect((await send(raw, sign(raw, secret))).status).toBe(200);
    // Signed compact, sent spaced: the JSON is the same, the bytes are not.
    expect((await send(raw, sign(JSON.stringify(JSON.parse(raw)), secret))).status).toBe(401);
  });

  it.each([
    ["no signature", () => undefined],
    ["a malformed signature", () => "sha256=not-hex"],
    ["another secret's signature", (raw: string) => sign(raw, "not-the-secret")],
  ])("answers 401 INVALID_SIGNATURE to %s, and stores nothing", async (_name, signatureOf) => {
    const { ids, conversationId } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    const reply = await send(raw, signatureOf(raw));
    expect([reply.status, reply.body.error.key]).toEqual([401, "INVALID_SIGNATURE"]);
    expect(server.state().conversations.find((c) => c.conversation._id === conversationId)?.messages).toBeUndefined();
  });

  it("needs no API key, and ignores one: the signature is its only credential", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    expect((await send(raw, sign(raw, "wrong"), { "x-api-key": KEY })).status).toBe(401);
    expect((await send(raw, sign(raw, secret))).status).toBe(200);
  });

  it("answers 404 for a project without an integration, before checking the signature", async () => {
    const raw = JSON.stringify({
      ...envelope,
      project_id: "p-none",
      room_id: "r",
      bot_id: "b",
      user_id: "u",
      value: { type: "text", content: { body: "Hola" } },
    });
    const reply = await send(raw, sign(raw, "any"));
    expect([reply.status, reply.body.error.key]).toEqual([404, "INTEGRATION_NOT_FOUND"]);
  });

  it.each([
    ["a closed conversation", "close"],
    ["another room", "room"],
    ["a user with no conversation", "user"],
  ])("answers 409 CONVERSATION_NOT_ACTIVE for %s", async (_name, change) => {
    const { secret, ids } = await activeConversation();
    if (change === "close") await gateway("POST", "p-send/conversations/close", { botId: "bot-1", userId: "user-1" });
    const target = {
      ...ids,
      ...(change === "room" && { room_id: "room-other" }),
      ...(change === "user" && { user_id: "user-2" }),
    };
    const raw = JSON.stringify({ ...envelope, ...target, value: { type: "text", content: { body: "Hola" } } });
    const reply = await send(raw, sign(raw, secret));
    expect([reply.status, reply.body.error.key]).toEqual([409, "CONVERSATION_NOT_ACTIVE"]);
  });

  it.each([
    ["a text without its body", { type: "text", content: {} }, "value.content.body"],
    [
      "an image whose type is a video's",
      { type: "image", content: { url: "https://x.test/a.mp4", mime_type: "video/mp4" } },
      "value.content.mime_type",
    ],
    [
      "a document over plain http",
      { type: "document", content: { url: "http://x.test/a.pdf", mime_type: "application/pdf" } },
      "value.content.url",
    ],
    ["an unknown type", { type: "sticker", content: {} }, "value.type"],
  ])("answers 422 naming the field for %s", async (_name, value, field) => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value });
    const reply = await send(raw, sign(raw, secret));
    expect(reply.status).toBe(422);
    expect(Object.keys(reply.body.validationError)).toContain(field);
  });

  it("accepts each media type with its extras: caption, filename", async () => {
    const { secret, ids } = await activeConversation();
    for (const value of [
      { type: "image", content: { url: "https://x.test/a.jpg", mime_type: "image/jpeg", caption: "Foto" } },
      { type: "video", content: { url: "https://x.test/a.mp4", mime_type: "video/mp4" } },
      { type: "audio", content: { url: "https://x.test/a.mp3", mime_type: "audio/mpeg" } },
      { type: "document", content: { url: "https://x.test/a.pdf", mime_type: "application/pdf", filename: "a.pdf" } },
    ]) {
      const raw = JSON.stringify({ ...envelope, ...ids, value });
      expect((await send(raw, sign(raw, secret))).status, value.type).toBe(200);
    }
  });

  it("answers a signed body that is not JSON with 400 INVALID_BODY, and an unsigned one with 401", async () => {
    expect((await send("{not json", sign("{not json", "s"))).body.error.key).toBe("INVALID_BODY");
    expect((await send("{not json")).status).toBe(401);
  });

  it("answers the fake's scenarios once the signature passes, and the journal says how it authenticated", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    const failed = await send(raw, sign(raw, secret), { "x-fake-jelou-scenario": "server-error" });
    expect(failed.status).toBe(500);
    expect((await send(raw, undefined, { "x-fake-jelou-scenario": "server-error" })).status).toBe(401);
    server.setOperation({ operationId: "sendMessage", projectId: "p-send", scenario: "server-error" });
    expect((await send(raw, sign(raw, secret))).status).toBe(500);
    const journal = server.requests().filter((r) => r.operation === "sendMessage");
    expect(journal.map((r) => [r.status, r.auth, r.projectId])).toEqual([
      [500, "signature", "p-send"],
      [401, "none", "p-send"],
      [500, "signature", "p-send"],
    ]);
  });

  it("answers a request it cannot verify (no project named) by its body alone: no scenario, no delay, auth none", async () => {
    const raw = JSON.stringify({ ...envelope, value: { type: "text", content: { body: "Hola" } } });
    const reply = await send(raw, sign(raw, "whatever"), {
      "x-fake-jelou-scenario": "server-error",
      "x-fake-jelou-delay": "60000",
    });
    expect([reply.status, Object.keys(reply.body.validationError)]).toEqual([
      422,
      ["project_id", "room_id", "bot_id", "user_id"],
    ]);
    expect(server.requests().at(-1)).toMatchObject({ operation: "sendMessage", status: 422, auth: "none" });
  });

  it("takes the signature only in the spec's form: lower-case hex", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    const good = sign(raw, secret);
    expect((await send(raw, `sha256=${good.slice(7).toUpperCase()}`)).status).toBe(401);
    expect((await send(raw, good)).status).toBe(200);
  });

  it("refuses a compressed body (415): the signature covers the bytes sent, not the ones they inflate to", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { type: "text", content: { body: "Hola" } } });
    const res = await fetch(`${server.url}/chatbot/v1/external-support/webhook`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "x-jelou-signature": sign(raw, secret),
      },
      body: gzipSync(raw),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as Json).error.key).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("is served under /chatbot only: the gateway's /v1/external-support/webhook is Create integration", async () => {
    const res = await fetch(`${server.baseUrl}/v1/external-support/webhook`, { method: "POST" });
    expect([res.status, ((await res.json()) as Json).error.key]).toEqual([401, "UNAUTHORIZED"]);
    const get = await fetch(`${server.url}/chatbot/v1/external-support/webhook`);
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });
});

describe("the transcript's budget", () => {
  it("refuses a message the state's byte budget has no room for, keeping the transcript as it was", async () => {
    const small = await startMockServer({ port: 0, stateBudgetBytes: 12_000 });
    try {
      const res = await fetch(`${small.baseUrl}/v1/external-support/p/conversations/start`, {
        method: "POST",
        headers: { "x-api-key": KEY, "content-type": "application/json" },
        body: JSON.stringify({ botId: "b", userId: "u" }),
      });
      const id = ((await res.json()) as Json).data._id;
      const message = { type: "text" as const, content: { body: "x".repeat(1_000) } };
      let sent = 0;
      const fill = () => {
        for (;;) {
          small.sendUserMessage("p", id, message);
          sent++;
        }
      };
      expect(fill).toThrow("byte budget");
      expect(sent).toBeGreaterThan(3);
      expect(small.transcript("p", id)).toHaveLength(sent);
      expect(small.stats().stateBytes).toBeLessThanOrEqual(12_000);
    } finally {
      await small.close();
    }
  });
});

describe("the transcript in a state document", () => {
  it("round-trips through state() and loadState(), and a bad message is refused naming its field", async () => {
    const { secret, ids } = await activeConversation();
    const raw = JSON.stringify({ ...envelope, ...ids, value: { id: "m-1", type: "text", content: { body: "Hola" } } });
    await send(raw, sign(raw, secret));
    const state = server.state();
    server.reset();
    server.loadState(state);
    expect(server.state()).toEqual(state);
    const conversation = state.conversations[0] as Json;
    const broken = (message: Json) => ({ ...state, conversations: [{ ...conversation, messages: [message] }] });
    const good = conversation.messages[0];
    expect(() => server.loadState(broken({ ...good, from: "bot" }))).toThrow("conversations.0.messages.0.from");
    expect(() => server.loadState(broken({ ...good, value: { type: "text", content: { body: "x" } } }))).toThrow(
      "conversations.0.messages.0.value.id",
    );
    expect(() => server.loadState(broken({ ...good, value: { ...good.value, content: {} } }))).toThrow(
      "conversations.0.messages.0.value.content.body",
    );
    expect(server.state()).toEqual(state);
  });
});
