import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  type Conversation,
  createJelouClient,
  JelouClientConfigError,
  type JelouErrorKind,
} from "../../client/index.ts";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { answer, startScriptedServer } from "../helpers/scripted-server.ts";

const API_KEY = "SECRET-api-key-7f3a";
const CLIENT_SECRET = "SECRET-client-secret-9c1d";
const basic = { clientId: "client-1", clientSecret: CLIENT_SECRET };

let fake: MockServer;
beforeAll(async () => {
  fake = await startMockServer({ port: 0, apiKeys: [API_KEY], basic: [basic], now: "2026-11-25T00:00:00Z" });
});
afterAll(() => fake.close());

describe("the integration and conversation operations against the fake", () => {
  const jelou = () => createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY });
  const pair = { botId: "bot-9", userId: "+5215512340000" };

  it("create (with the secret), get (without), update, delete, then not-found", async () => {
    const client = jelou();
    const created = await client.createIntegration("client-p1", { webhookUrl: "http://127.0.0.1:9/hook" });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.integration.signingSecret).toMatch(/^[0-9a-f]{64}$/);
    expectTypeOf(created.integration.signingSecret).toEqualTypeOf<string>();
    const read = await client.getIntegration("client-p1");
    expect(read).toMatchObject({ ok: true, integration: { id: created.integration.id, authType: "no_auth" } });
    expect(JSON.stringify(read)).not.toContain(created.integration.signingSecret);
    const updated = await client.updateIntegration("client-p1", { authType: "bearer", authorization: "tok" });
    expect(updated).toMatchObject({ ok: true, integration: { authType: "bearer" } });
    expect(await client.deleteIntegration("client-p1")).toEqual({ ok: true });
    expect(await client.getIntegration("client-p1")).toMatchObject({
      ok: false,
      error: { kind: "not-found", status: 404 },
    });
  });

  it("reports a second create as conflict and a refused body as invalid-request, with Jelou's validationError", async () => {
    const client = jelou();
    await client.createIntegration("client-p2", { webhookUrl: "http://127.0.0.1:9/hook" });
    expect(await client.createIntegration("client-p2", { webhookUrl: "http://127.0.0.1:9/hook" })).toMatchObject({
      ok: false,
      error: { kind: "conflict", status: 409, body: { error: { key: "INTEGRATION_ALREADY_EXISTS" } } },
    });
    const invalid = await client.updateIntegration("client-p2", { authType: "basic" });
    expect(invalid).toMatchObject({ ok: false, error: { kind: "invalid-request", status: 400 } });
    expect(!invalid.ok && (invalid.error.body as { validationError: object }).validationError).toHaveProperty(
      "authorization",
    );
  });

  it("starts (active), closes (closed, narrowed), and reports a second close as not-found", async () => {
    const client = jelou();
    const started = await client.startConversation("client-p3", pair);
    if (!started.ok) throw new Error(started.error.message);
    expect(started.conversation).toMatchObject({ state: "active", Bot: { id: pair.botId }, User: { id: pair.userId } });
    const read = await client.getConversation("client-p3", started.conversation._id);
    expect(read).toMatchObject({ ok: true, conversation: { _id: started.conversation._id, state: "active" } });
    const closed = await client.closeConversation("client-p3", pair);
    if (!closed.ok) throw new Error(closed.error.message);
    expectTypeOf(closed.conversation.endAt).toEqualTypeOf<string>();
    expect(closed.conversation.endedReason).toBe("closed_by_operator");
    expect(await client.closeConversation("client-p3", pair)).toMatchObject({
      ok: false,
      error: { kind: "not-found", status: 404, message: expect.stringContaining("no active conversation") },
    });
  });

  it("refuses an empty or dot-segment projectId before any request", async () => {
    const client = jelou();
    await expect(client.getIntegration("")).rejects.toThrow(TypeError);
    await expect(client.startConversation("..", pair)).rejects.toThrow(TypeError);
  });

  it("reports 200 without the expected data as unexpected-status", async () => {
    const server = await startScriptedServer(answer(200, { message: ["ok"], statusMessage: "success", status: 1 }));
    try {
      const client = createJelouClient({ baseUrl: server.url, apiKey: "k" });
      expect(await client.getIntegration("p")).toMatchObject({
        ok: false,
        error: { kind: "unexpected-status", status: 200 },
      });
      expect(await client.closeConversation("p", pair)).toMatchObject({
        ok: false,
        error: { kind: "unexpected-status" },
      });
    } finally {
      await server.close();
    }
  });
});

describe("getConversation against the fake", () => {
  it.each([
    ["an API key", { apiKey: API_KEY }],
    ["HTTP Basic", { basic }],
  ])("returns an active conversation, authenticated with %s", async (_title, credentials) => {
    const result = await createJelouClient({ baseUrl: fake.baseUrl, ...credentials }).getConversation("p", "conv-1");
    expect(result).toMatchObject({ ok: true, conversation: { _id: "conv-1", state: "active" } });
  });

  it("returns a closed conversation whose type narrows to endAt: string", async () => {
    const result = await createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }).getConversation("p", "closed-1");
    if (!result.ok) throw new Error(result.error.message);
    const c: Conversation = result.conversation;
    expect(c.state).toBe("closed");
    if (c.state === "closed") {
      expectTypeOf(c.endAt).toEqualTypeOf<string>();
      expect(Date.parse(c.endAt)).toBeGreaterThan(Date.parse(c.startAt));
    }
  });

  it.each<[string, JelouErrorKind, "active" | "not-found" | "server-error", number]>([
    ["a rejected key", "unauthorized", "active", 401],
    ["an unknown conversation", "not-found", "not-found", 404],
    ["Jelou failing", "server-error", "server-error", 500],
  ])("reports %s as %s, with the status and Jelou's envelope", async (title, kind, scenario, status) => {
    fake.setConversation("p", "c", { scenario });
    const apiKey = title === "a rejected key" ? "SECRET-wrong-key" : API_KEY;
    const result = await createJelouClient({ baseUrl: fake.baseUrl, apiKey }).getConversation("p", "c");
    fake.reset();
    expect(result).toMatchObject({ ok: false, error: { kind, status } });
    if (!result.ok) expect(result.error.body).toMatchObject({ statusMessage: "failed", error: expect.any(Object) });
  });

  it("reports a connection reset as a network error", async () => {
    fake.setConversation("p", "c", { scenario: "reset" });
    const result = await createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }).getConversation("p", "c");
    fake.reset();
    expect(result).toEqual({
      ok: false,
      error: { kind: "network", message: expect.stringContaining("Failed to reach Jelou") },
    });
  });

  it("gives up after timeoutMs and reports a timeout", async () => {
    fake.setConversation("p", "slow", { scenario: "timeout" });
    const result = await createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, timeoutMs: 200 }).getConversation(
      "p",
      "slow",
    );
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "timeout", message: expect.stringContaining("within 200 ms") },
    });
    fake.reset();
  });

  it.each<[string, string]>([
    ["p", ""],
    ["", "c"],
    ["p", "."],
    ["..", "c"],
  ])("refuses the ids %j / %j, which no URL could carry, instead of calling another route", async (projectId, id) => {
    const client = createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY });
    await expect(client.getConversation(projectId, id)).rejects.toThrow(TypeError);
  });

  it("sends an id made of three dots as itself", async () => {
    const result = await createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY }).getConversation("p", "...");
    expect(result).toMatchObject({ ok: true, conversation: { _id: "..." } });
  });

  it("encodes path segments, so odd ids reach Jelou intact", async () => {
    const id = "a/b c?d#e%f";
    const result = await createJelouClient({ baseUrl: `${fake.baseUrl}/`, apiKey: API_KEY }).getConversation(
      "pro/ject",
      id,
    );
    expect(result).toMatchObject({ ok: true, conversation: { _id: id } });
    expect(fake.requests().find((r) => r.conversationId === id)).toMatchObject({ projectId: "pro/ject", status: 200 });
  });
});

describe("getConversation against answers the spec does not declare", () => {
  it.each<[string, number, unknown, string, JelouErrorKind]>([
    ["a 503", 503, { message: "busy" }, "application/json", "server-error"],
    ["a 429", 429, "slow down", "text/plain", "unexpected-status"],
    ["a 200 that is not JSON", 200, "<html>maintenance</html>", "text/html", "unexpected-status"],
    [
      "a 200 without data",
      200,
      { message: ["ok"], statusMessage: "success", status: 1 },
      "application/json",
      "unexpected-status",
    ],
  ])("reports %s", async (_title, status, body, contentType, kind) => {
    const server = await startScriptedServer(answer(status, body, contentType));
    const result = await createJelouClient({ baseUrl: server.url, apiKey: API_KEY }).getConversation("p", "c");
    await server.close();
    expect(result).toMatchObject({ ok: false, error: { kind, status, body } });
  });

  it("does not follow a redirect, so credentials never travel to another origin", async () => {
    const elsewhere = await startScriptedServer(answer(200, { data: { _id: "c", state: "active" } }));
    const redirecting = await startScriptedServer((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/v1/external-support/p/conversations/c` }).end();
    });
    const result = await createJelouClient({ baseUrl: redirecting.url, apiKey: API_KEY }).getConversation("p", "c");
    await redirecting.close();
    await elsewhere.close();
    expect(result).toMatchObject({ ok: false, error: { kind: "unexpected-status", status: 302 } });
    expect(elsewhere.requests).toEqual([]);
  });

  it.each([
    ["an empty data object", { data: {} }],
    ["data as an array", { data: [] }],
    ["a state outside the enum", { data: { _id: "c", state: "archived" } }],
  ])("reports a 200 with %s as unexpected", async (_title, body) => {
    const server = await startScriptedServer(
      answer(200, { message: ["ok"], statusMessage: "success", status: 1, ...body }),
    );
    const result = await createJelouClient({ baseUrl: server.url, apiKey: API_KEY }).getConversation("p", "c");
    await server.close();
    expect(result).toMatchObject({ ok: false, error: { kind: "unexpected-status", status: 200 } });
  });

  it("reports a refused connection as a network error naming the cause", async () => {
    const server = await startScriptedServer(answer(200, {}));
    await server.close();
    const result = await createJelouClient({ baseUrl: server.url, apiKey: API_KEY }).getConversation("p", "c");
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "network", message: expect.stringContaining("ECONNREFUSED") },
    });
  });

  it("sends the request through an injected fetch", async () => {
    const seen: Request[] = [];
    const fetch = (async (input: Request) => {
      seen.push(input);
      return new Response(
        JSON.stringify({ message: "x", statusMessage: "failed", status: 0, error: { code: "E", key: "K" } }),
        {
          status: 404,
          headers: { "content-type": "application/json" },
        },
      );
    }) as typeof globalThis.fetch;
    const result = await createJelouClient({
      baseUrl: "https://gateway.jelou.ai/jelouapi",
      apiKey: API_KEY,
      fetch,
    }).getConversation("p", "c");
    expect(result).toMatchObject({ ok: false, error: { kind: "not-found" } });
    expect(seen[0]?.url).toBe("https://gateway.jelou.ai/jelouapi/v1/external-support/p/conversations/c");
    expect(seen[0]?.headers.get("x-api-key")).toBe(API_KEY);
  });
});

describe("secrets", () => {
  it("never puts a credential in a result, whatever the outcome", async () => {
    const closedPort = await startScriptedServer(answer(200, {}));
    await closedPort.close();
    const outcomes = await Promise.all([
      createJelouClient({ baseUrl: fake.baseUrl, apiKey: "SECRET-wrong-key" }).getConversation("p", "c"),
      createJelouClient({
        baseUrl: fake.baseUrl,
        basic: { clientId: "x", clientSecret: "SECRET-wrong" },
      }).getConversation("p", "c"),
      createJelouClient({ baseUrl: closedPort.url, basic }).getConversation("p", "c"),
      createJelouClient({ baseUrl: closedPort.url, apiKey: API_KEY, timeoutMs: 1 }).getConversation("p", "c"),
    ]);
    const text = JSON.stringify(outcomes);
    for (const secret of ["SECRET", Buffer.from(`client-1:${CLIENT_SECRET}`).toString("base64")])
      expect(text).not.toContain(secret);
    expect(outcomes.map((o) => !o.ok && o.error.kind)).toEqual([
      "unauthorized",
      "unauthorized",
      "network",
      expect.any(String),
    ]);
  });

  it.each([
    ["no credential", { baseUrl: "http://127.0.0.1" }, "exactly one of apiKey or basic"],
    ["both credentials", { baseUrl: "http://127.0.0.1", apiKey: API_KEY, basic }, "exactly one of apiKey or basic"],
    ["an empty key", { baseUrl: "http://127.0.0.1", apiKey: " " }, "apiKey is empty"],
    [
      "a clientId with a colon",
      { baseUrl: "http://127.0.0.1", basic: { clientId: "a:b", clientSecret: CLIENT_SECRET } },
      "without ':'",
    ],
    ["a relative base URL", { baseUrl: `/jelouapi?key=${API_KEY}`, apiKey: API_KEY }, "absolute http(s) URL"],
    [
      "a base URL with user:password@",
      { baseUrl: `http://u:${CLIENT_SECRET}@127.0.0.1/`, apiKey: API_KEY },
      "must not carry",
    ],
    ["a zero timeout", { baseUrl: "http://127.0.0.1", apiKey: API_KEY, timeoutMs: 0 }, "timeoutMs"],
    [
      "a timeout beyond setTimeout's range",
      { baseUrl: "http://127.0.0.1", apiKey: API_KEY, timeoutMs: 3e9 },
      "timeoutMs",
    ],
    [
      "a key a header cannot carry",
      { baseUrl: "http://127.0.0.1", apiKey: `${API_KEY}\r\nX-Evil: 1` },
      "characters a header cannot carry",
    ],
  ])("refuses %s with a JelouClientConfigError that shows no secret", (_title, options, message) => {
    let thrown: unknown;
    try {
      createJelouClient(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JelouClientConfigError);
    expect((thrown as Error).message).toContain(message);
    expect((thrown as Error).message).not.toContain("SECRET");
  });
});
