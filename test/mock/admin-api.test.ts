// The admin API over HTTP, through a real listening fake: every route, its bad inputs, and the error envelope.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, formatViolations } from "../../spec/schema-validator.ts";
import { BUILTIN_NAMES } from "../helpers/builtin-names.ts";

const validator = createSpecValidator(loadSpec());

const API_KEY = "admin-test-key-7f3a9c";
const BASIC_ID = "client-id-b41d";
const BASIC_SECRET = "client-secret-e92c";
const BASIC_HEADER = `Basic ${Buffer.from(`${BASIC_ID}:${BASIC_SECRET}`).toString("base64")}`;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

async function send(url: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, text, body };
}

/**
 * A JSON admin request; `body` is sent as given when it is a string, else JSON-encoded. Like every admin client, it
 * sends Content-Type: application/json with any method but GET, with or without a body.
 */
function admin(server: MockServer, method: string, path: string, body?: unknown, contentType = "application/json") {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  if (body !== undefined || method !== "GET") init.headers = { "content-type": contentType };
  return send(`${server.url}/__admin${path}`, init);
}

/** A Get Conversation request with an API key (no credential would be a 401 whatever the scenario). */
function conversation(
  server: MockServer,
  projectId: string,
  conversationId: string,
  headers: Record<string, string> = {},
) {
  return send(`${server.baseUrl}/v1/external-support/${projectId}/conversations/${conversationId}`, {
    headers: { "x-api-key": API_KEY, ...headers },
  });
}

interface Envelope {
  message: string[];
  error: { key: string; code: string; description?: string };
  validationError?: Record<string, unknown>;
}

/** Asserts an error reply: its status, that its body is a valid ErrorEnvelope, and its error.key. */
function expectEnvelope(reply: Reply, status: number, key: string): Envelope {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
  const violations = validator.validateSchema("ErrorEnvelope", reply.body);
  expect(violations, formatViolations(violations)).toEqual([]);
  const envelope = reply.body as Envelope;
  expect(envelope.error.key).toBe(key);
  return envelope;
}

function stateOf(reply: Reply): unknown {
  return (reply.body as { data?: { state?: unknown } }).data?.state;
}

let server: MockServer;

beforeAll(async () => {
  server = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.reset();
});

describe("GET /__admin/health", () => {
  it("answers 200 with status ok", async () => {
    const reply = await admin(server, "GET", "/health");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "ok" });
  });

  it.each(["POST", "PUT", "DELETE"])("answers %s with 405 and an Allow header", async (method) => {
    const reply = await admin(server, method, "/health");
    expectEnvelope(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("GET");
  });
});

describe("GET and PUT /__admin/scenario", () => {
  it("reports the server default", async () => {
    const reply = await admin(server, "GET", "/scenario");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ scenario: "active" });
  });

  it("changes the default that a plain conversation request gets", async () => {
    expect(stateOf(await conversation(server, "p1", "c1"))).toBe("active");
    const put = await admin(server, "PUT", "/scenario", { scenario: "closed" });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ scenario: "closed" });
    expect((await admin(server, "GET", "/scenario")).body).toEqual({ scenario: "closed" });
    const reply = await conversation(server, "p1", "c1");
    expect(reply.status).toBe(200);
    expect(stateOf(reply)).toBe("closed");
  });

  it("accepts a status code as an alias of its scenario", async () => {
    const put = await admin(server, "PUT", "/scenario", { scenario: "404" });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ scenario: "not-found" });
    expect((await conversation(server, "p1", "c1")).status).toBe(404);
  });

  it("refuses an unknown name with a 400 that lists the valid names, and keeps the default", async () => {
    const envelope = expectEnvelope(
      await admin(server, "PUT", "/scenario", { scenario: "nope" }),
      400,
      "UNKNOWN_SCENARIO",
    );
    const text = envelope.message.join(" ");
    for (const name of ["active", "closed", "unauthorized", "not-found", "server-error"]) expect(text).toContain(name);
    expect((await admin(server, "GET", "/scenario")).body).toEqual({ scenario: "active" });
  });

  it.each([
    ["a body without the scenario field", {}],
    ["a scenario that is a number", { scenario: 42 }],
    ["a scenario that is null", { scenario: null }],
    ["a body that is an array", ["closed"]],
    ["a body that is a bare string", '"closed"'],
  ])("refuses %s with 400 INVALID_BODY naming scenario", async (_title, body) => {
    const envelope = expectEnvelope(await admin(server, "PUT", "/scenario", body), 400, "INVALID_BODY");
    expect(Object.keys(envelope.validationError ?? {})).toContain("scenario");
  });

  it("refuses malformed JSON with 400 INVALID_BODY", async () => {
    expectEnvelope(await admin(server, "PUT", "/scenario", '{"scenario": "closed"'), 400, "INVALID_BODY");
  });

  it.each([
    ["text/plain", "closed"],
    ["application/x-www-form-urlencoded", "scenario=closed"],
  ])("refuses a %s body with 415", async (contentType, body) => {
    expectEnvelope(await admin(server, "PUT", "/scenario", body, contentType), 415, "UNSUPPORTED_MEDIA_TYPE");
    expect((await admin(server, "GET", "/scenario")).body).toEqual({ scenario: "active" });
  });

  it("refuses a body over 64kb with 413 PAYLOAD_TOO_LARGE", async () => {
    const body = { scenario: "closed", padding: "x".repeat(70 * 1024) };
    expectEnvelope(await admin(server, "PUT", "/scenario", body), 413, "PAYLOAD_TOO_LARGE");
    expect((await admin(server, "GET", "/scenario")).body).toEqual({ scenario: "active" });
  });

  it("answers a wrong method with 405 and an Allow header", async () => {
    const reply = await admin(server, "POST", "/scenario", { scenario: "closed" });
    expectEnvelope(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("GET, PUT");
  });
});

describe("names of built-in object properties as scenarios", () => {
  it.each(BUILTIN_NAMES)("%s is refused with 400 UNKNOWN_SCENARIO in every place a scenario is read", async (name) => {
    expectEnvelope(await conversation(server, "p", "c9", { "x-fake-jelou-scenario": name }), 400, "UNKNOWN_SCENARIO");
    expectEnvelope(await conversation(server, "p", "c9", { prefer: `code=${name}` }), 400, "UNKNOWN_SCENARIO");
    expectEnvelope(await conversation(server, "p", "c9", { prefer: `example=${name}` }), 400, "UNKNOWN_SCENARIO");
    expectEnvelope(await admin(server, "PUT", "/scenario", { scenario: name }), 400, "UNKNOWN_SCENARIO");
    expectEnvelope(await admin(server, "PUT", "/conversations/p/c9", { scenario: name }), 400, "UNKNOWN_SCENARIO");
    // Nothing broken was stored: the conversation and the default still answer.
    expect(stateOf(await conversation(server, "p", "c9"))).toBe("active");
    expect((await admin(server, "GET", "/scenario")).body).toEqual({ scenario: "active" });
    expect((await admin(server, "GET", "/conversations/p/c9")).status).toBe(404);
  });
});

describe("/__admin/conversations", () => {
  it("a rule makes that conversation closed while others stay active", async () => {
    const put = await admin(server, "PUT", "/conversations/p1/c1", { scenario: "closed" });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ projectId: "p1", conversationId: "c1", scenario: "closed" });
    expect(stateOf(await conversation(server, "p1", "c1"))).toBe("closed");
    expect(stateOf(await conversation(server, "p1", "c2"))).toBe("active");
    expect(stateOf(await conversation(server, "p2", "c1"))).toBe("active");
  });

  it("a not-found rule makes that conversation a 404 while others stay active", async () => {
    expect((await admin(server, "PUT", "/conversations/p1/c1", { scenario: "not-found" })).status).toBe(200);
    expectEnvelope(await conversation(server, "p1", "c1"), 404, "CONVERSATION_NOT_FOUND");
    expect(stateOf(await conversation(server, "p1", "c2"))).toBe("active");
  });

  it.each(["validation-error", "conflict", "422"])(
    "refuses a %s rule with 400 SCENARIO_NOT_APPLICABLE naming getConversation, and stores nothing",
    async (scenario) => {
      const put = await admin(server, "PUT", "/conversations/p1/c1", { scenario });
      expectEnvelope(put, 400, "SCENARIO_NOT_APPLICABLE");
      expect(JSON.stringify(put.body)).toContain("does not apply to getConversation");
      expect((await admin(server, "GET", "/conversations/p1/c1")).status).toBe(404);
    },
  );

  it("answers a scenario header getConversation declares no status for with 400 SCENARIO_NOT_APPLICABLE", async () => {
    expectEnvelope(
      await conversation(server, "p1", "c1", { "x-fake-jelou-scenario": "validation-error" }),
      400,
      "SCENARIO_NOT_APPLICABLE",
    );
    expectEnvelope(await conversation(server, "p1", "c1", { prefer: "code=409" }), 400, "SCENARIO_NOT_APPLICABLE");
  });

  it("the X-Fake-Jelou-Scenario header still wins over a rule", async () => {
    await admin(server, "PUT", "/conversations/p1/c1", { scenario: "not-found" });
    const reply = await conversation(server, "p1", "c1", { "x-fake-jelou-scenario": "closed" });
    expect(reply.status).toBe(200);
    expect(stateOf(reply)).toBe("closed");
  });

  it("serves overrides merged into the generated conversation", async () => {
    const before = (await conversation(server, "p1", "c1", { "x-fake-jelou-scenario": "closed" })).body as {
      data: { User: Record<string, unknown>; Bot: unknown };
    };
    const rule = {
      scenario: "closed",
      conversation: { User: { names: "Ana Souza" }, endedReason: "closed_by_user" },
    };
    const put = await admin(server, "PUT", "/conversations/p1/c1", rule);
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ projectId: "p1", conversationId: "c1", ...rule });

    const reply = await conversation(server, "p1", "c1");
    expect(reply.status).toBe(200);
    const violations = validator.validateSchema("GetConversationResponse", reply.body);
    expect(violations, formatViolations(violations)).toEqual([]);
    const data = (reply.body as { data: Record<string, unknown> & { User: Record<string, unknown> } }).data;
    expect(data).toMatchObject({ _id: "c1", state: "closed", endedReason: "closed_by_user" });
    expect(data.User).toEqual({ ...before.data.User, names: "Ana Souza" });
    expect(data.Bot).toEqual(before.data.Bot);
  });

  it("GET of one conversation returns its rule, or 404 RULE_NOT_FOUND without one", async () => {
    await admin(server, "PUT", "/conversations/p1/c1", { scenario: "closed" });
    const reply = await admin(server, "GET", "/conversations/p1/c1");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ projectId: "p1", conversationId: "c1", scenario: "closed" });
    expectEnvelope(await admin(server, "GET", "/conversations/p1/none"), 404, "RULE_NOT_FOUND");
  });

  it("GET /__admin/conversations lists the rules", async () => {
    expect((await admin(server, "GET", "/conversations")).body).toEqual({ conversations: [] });
    await admin(server, "PUT", "/conversations/p1/c1", { scenario: "closed" });
    await admin(server, "PUT", "/conversations/p2/c2", { scenario: "500" });
    const reply = await admin(server, "GET", "/conversations");
    expect(reply.status).toBe(200);
    expect((reply.body as { conversations: unknown[] }).conversations).toEqual(
      expect.arrayContaining([
        { projectId: "p1", conversationId: "c1", scenario: "closed" },
        { projectId: "p2", conversationId: "c2", scenario: "server-error" },
      ]),
    );
    expect((reply.body as { conversations: unknown[] }).conversations).toHaveLength(2);
  });

  it.each([
    [
      "User.names is a number",
      { scenario: "active", conversation: { User: { names: 42 } } },
      "conversation.User.names",
    ],
    [
      "an active rule sets endAt",
      { scenario: "active", conversation: { endAt: "2026-01-01T00:00:00Z" } },
      "conversation.endAt",
    ],
    [
      "conversation.state does not match the scenario",
      { scenario: "closed", conversation: { state: "active" } },
      "conversation.state",
    ],
    ["the override sets _id", { scenario: "closed", conversation: { _id: "other" } }, "conversation._id"],
    [
      "a closed conversation would start after it ended",
      { scenario: "closed", conversation: { startAt: "2030-01-01T00:00:00Z", endAt: "2020-01-01T00:00:00Z" } },
      "conversation.endAt",
    ],
    [
      "the start moves past the generated end",
      { scenario: "closed", conversation: { startAt: "2099-01-01T00:00:00Z" } },
      "conversation.startAt",
    ],
    [
      "the user would be created after the conversation started",
      { scenario: "active", conversation: { User: { createdAt: "2099-01-01T00:00:00Z" } } },
      "conversation.User.createdAt",
    ],
    [
      "overrides are given for an error scenario",
      { scenario: "not-found", conversation: { roomId: "r" } },
      "conversation",
    ],
    ["conversation is not an object", { scenario: "closed", conversation: "closed" }, "conversation"],
    ["the body has an unknown top-level field", { scenario: "closed", extra: true }, "extra"],
    ["the scenario is missing", { conversation: {} }, "scenario"],
    ["the body is an array", [{ scenario: "closed" }], "body"],
  ])("refuses a rule where %s, with 400 naming the field", async (_title, body, field) => {
    const envelope = expectEnvelope(await admin(server, "PUT", "/conversations/p1/c1", body), 400, "INVALID_BODY");
    expect(Object.keys(envelope.validationError ?? {})).toContain(field);
    expect((await admin(server, "GET", "/conversations")).body).toEqual({ conversations: [] });
    expect(stateOf(await conversation(server, "p1", "c1"))).toBe("active");
  });

  it("refuses a rule with an unknown scenario with 400 UNKNOWN_SCENARIO listing the valid names", async () => {
    const reply = await admin(server, "PUT", "/conversations/p1/c1", { scenario: "nope" });
    const envelope = expectEnvelope(reply, 400, "UNKNOWN_SCENARIO");
    expect(envelope.message.join(" ")).toContain("not-found");
    expect(Object.keys(envelope.validationError ?? {})).toContain("scenario");
  });

  it.each([
    ["malformed JSON", '{"scenario":', "application/json", 400, "INVALID_BODY"],
    ["a text/plain body", "closed", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"],
  ])("refuses %s", async (_title, body, contentType, status, key) => {
    expectEnvelope(await admin(server, "PUT", "/conversations/p1/c1", body, contentType), status, key);
  });

  it("refuses a rule body over 64kb with 413 PAYLOAD_TOO_LARGE", async () => {
    const body = { scenario: "closed", conversation: { roomId: "r".repeat(70 * 1024) } };
    expectEnvelope(await admin(server, "PUT", "/conversations/p1/c1", body), 413, "PAYLOAD_TOO_LARGE");
  });

  it("DELETE of a rule that does not exist is 404 RULE_NOT_FOUND", async () => {
    expectEnvelope(await admin(server, "DELETE", "/conversations/p1/none"), 404, "RULE_NOT_FOUND");
  });

  it("DELETE removes the rule and the conversation is back to the default", async () => {
    await admin(server, "PUT", "/conversations/p1/c1", { scenario: "closed" });
    expect(stateOf(await conversation(server, "p1", "c1"))).toBe("closed");
    const reply = await admin(server, "DELETE", "/conversations/p1/c1");
    expect(reply.status).toBe(204);
    expect(stateOf(await conversation(server, "p1", "c1"))).toBe("active");
    expect((await admin(server, "GET", "/conversations")).body).toEqual({ conversations: [] });
    expectEnvelope(await admin(server, "DELETE", "/conversations/p1/c1"), 404, "RULE_NOT_FOUND");
  });

  it("answers a wrong method with 405 and an Allow header", async () => {
    const one = await admin(server, "POST", "/conversations/p1/c1", { scenario: "closed" });
    expectEnvelope(one, 405, "METHOD_NOT_ALLOWED");
    expect(one.headers.get("allow")).toBe("GET, PUT, DELETE");
    const list = await admin(server, "DELETE", "/conversations");
    expectEnvelope(list, 405, "METHOD_NOT_ALLOWED");
    expect(list.headers.get("allow")).toBe("GET");
  });

  describe("with ruleLimit 2", () => {
    let limited: MockServer;
    beforeAll(async () => {
      limited = await startMockServer({ port: 0, ruleLimit: 2 });
    });
    afterAll(async () => {
      await limited.close();
    });

    it("refuses a third rule with 409 RULE_LIMIT_REACHED but still updates an existing one", async () => {
      expect((await admin(limited, "PUT", "/conversations/p1/c1", { scenario: "closed" })).status).toBe(200);
      expect((await admin(limited, "PUT", "/conversations/p1/c2", { scenario: "closed" })).status).toBe(200);
      expectEnvelope(
        await admin(limited, "PUT", "/conversations/p1/c3", { scenario: "closed" }),
        409,
        "RULE_LIMIT_REACHED",
      );
      expect(stateOf(await conversation(limited, "p1", "c3"))).toBe("active");
      expect((await admin(limited, "PUT", "/conversations/p1/c1", { scenario: "active" })).status).toBe(200);
      expect((await admin(limited, "DELETE", "/conversations/p1/c2")).status).toBe(204);
      expect((await admin(limited, "PUT", "/conversations/p1/c3", { scenario: "closed" })).status).toBe(200);
    });
  });
});

describe("the rules' byte budget", () => {
  // About 60 kB of overrides per rule: the default budget (32 MiB) holds a little over 500 of them.
  const bigRule = { scenario: "active", conversation: { roomId: "r".repeat(60_000) } };

  it("refuses rules past the default 32 MiB with 409 RULE_BUDGET_REACHED naming the budget, and still lists them all", async () => {
    let accepted = 0;
    let refusal: Reply | undefined;
    for (let i = 0; i < 700 && !refusal; i++) {
      const reply = await admin(server, "PUT", `/conversations/p/c${i}`, bigRule);
      if (reply.status === 200) accepted++;
      else refusal = reply;
    }
    expect(refusal, "a rule past the budget is refused").toBeDefined();
    const envelope = expectEnvelope(refusal as Reply, 409, "RULE_BUDGET_REACHED");
    expect(envelope.message.join(" ")).toContain(`${32 * 1024 * 1024} bytes`);
    expect(accepted).toBeGreaterThan(500);
    expect(accepted).toBeLessThan(600);
    // A smaller rule still replaces a big one, and the listing of ~32 MiB is served whole, in chunks that wait for
    // the client without piling up listeners.
    expect((await admin(server, "PUT", "/conversations/p/c0", { scenario: "closed" })).status).toBe(200);
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    const list = await admin(server, "GET", "/conversations");
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
    expect(list.status).toBe(200);
    expect((list.body as { conversations: unknown[] }).conversations).toHaveLength(accepted);
    expect(list.headers.get("x-total-count")).toBe(String(accepted));
    expect(server.conversations()).toHaveLength(accepted);
    // A client that leaves mid-listing costs the fake nothing: it goes on answering.
    const leaving = new AbortController();
    const partial = await fetch(`${server.url}/__admin/conversations`, { signal: leaving.signal });
    await partial.body?.getReader().read();
    leaving.abort();
    expect((await admin(server, "GET", "/health")).status).toBe(200);
    expect((await admin(server, "GET", "/conversations?limit=1")).status).toBe(200);
  });

  it("is a library option, refused when it is not a whole number of bytes", async () => {
    const small = await startMockServer({ port: 0, ruleBudgetBytes: 1_000 });
    try {
      expectEnvelope(await admin(small, "PUT", "/conversations/p/c", bigRule), 409, "RULE_BUDGET_REACHED");
      expect(() => small.setConversation("p", "c", bigRule as never)).toThrow(/byte budget of 1000 bytes/);
    } finally {
      await small.close();
    }
    await expect(startMockServer({ port: 0, ruleBudgetBytes: -1 })).rejects.toThrow(/ruleBudgetBytes/);
  });
});

describe("GET and DELETE /__admin/requests", () => {
  interface Entry {
    time: string;
    method: string;
    path: string;
    projectId?: string;
    conversationId?: string;
    scenario?: string;
    status: number | null;
    durationMs: number;
    auth: string;
  }
  const journal = async (target: MockServer = server) => {
    const reply = await admin(target, "GET", "/requests");
    expect(reply.status).toBe(200);
    return { text: reply.text, entries: (reply.body as { requests: Entry[] }).requests };
  };

  it("records time, method, path, operation, ids, scenario, status, duration and auth kind", async () => {
    await conversation(server, "p1", "c1");
    await conversation(server, "p1", "missing-9");
    await send(`${server.baseUrl}/v1/external-support/p1/conversations/c2`);
    const { entries } = await journal();
    expect(entries).toHaveLength(3);
    expect(entries[0]).toEqual({
      time: expect.any(String),
      method: "GET",
      path: "/jelouapi/v1/external-support/p1/conversations/c1",
      operation: "getConversation",
      projectId: "p1",
      conversationId: "c1",
      scenario: "active",
      scenarioSource: "default",
      status: 200,
      durationMs: expect.any(Number),
      auth: "api-key",
    });
    expect(Number.isNaN(Date.parse(entries[0]?.time ?? ""))).toBe(false);
    expect(entries[1]).toMatchObject({ conversationId: "missing-9", scenario: "not-found", status: 404 });
    expect(entries[2]).toMatchObject({ conversationId: "c2", scenario: "unauthorized", status: 401, auth: "none" });
  });

  it("never contains the API key or the Basic credentials sent", async () => {
    await conversation(server, "p1", "c1");
    await send(`${server.baseUrl}/v1/external-support/p1/conversations/c2`, {
      headers: { authorization: BASIC_HEADER },
    });
    await conversation(server, "p1", "c3", { "x-api-key": `${API_KEY}-other` });
    const { text, entries } = await journal();
    expect(entries.map((e) => e.auth)).toEqual(["api-key", "basic", "api-key"]);
    for (const secret of [API_KEY, BASIC_ID, BASIC_SECRET, BASIC_HEADER.slice("Basic ".length)]) {
      expect(text).not.toContain(secret);
    }
  });

  it("does not record admin requests", async () => {
    await admin(server, "GET", "/health");
    await admin(server, "PUT", "/scenario", { scenario: "closed" });
    await admin(server, "GET", "/nope");
    await conversation(server, "p1", "c1");
    await admin(server, "GET", "/requests");
    const { entries } = await journal();
    expect(entries.map((e) => e.path)).toEqual(["/jelouapi/v1/external-support/p1/conversations/c1"]);
  });

  it("DELETE clears it", async () => {
    await conversation(server, "p1", "c1");
    expect((await journal()).entries).toHaveLength(1);
    const reply = await admin(server, "DELETE", "/requests");
    expect(reply.status).toBe(204);
    expect((await journal()).entries).toEqual([]);
  });

  it("answers a wrong method with 405 and an Allow header", async () => {
    const reply = await admin(server, "POST", "/requests", {});
    expectEnvelope(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("GET, DELETE");
  });

  describe("with journalLimit 3", () => {
    let bounded: MockServer;
    beforeAll(async () => {
      bounded = await startMockServer({ port: 0, journalLimit: 3 });
    });
    afterAll(async () => {
      await bounded.close();
    });

    it("keeps only the newest 3 requests, oldest first", async () => {
      for (const id of ["c1", "c2", "c3", "c4", "c5"]) await conversation(bounded, "p1", id);
      const { entries } = await journal(bounded);
      expect(entries.map((e) => e.conversationId)).toEqual(["c3", "c4", "c5"]);
    });
  });

  it("stores the first 1 KiB of a long path and of its ids, marked truncated", async () => {
    const long = "x".repeat(7_000);
    expect((await conversation(server, "p1", long)).status).toBe(200);
    const [entry] = (await journal()).entries as (Entry & { truncated?: boolean })[];
    expect(entry?.truncated).toBe(true);
    expect(entry?.path).toBe(`/jelouapi/v1/external-support/p1/conversations/${long}`.slice(0, 1_024));
    expect(entry?.conversationId).toBe(long.slice(0, 1_024));
  });

  it("serves a page with ?offset=&limit=, and the whole count in X-Total-Count", async () => {
    for (const id of ["c1", "c2", "c3", "c4"]) await conversation(server, "p1", id);
    const reply = await admin(server, "GET", "/requests?offset=1&limit=2");
    expect(reply.status).toBe(200);
    expect((reply.body as { requests: Entry[] }).requests.map((e) => e.conversationId)).toEqual(["c2", "c3"]);
    expect(reply.headers.get("x-total-count")).toBe("4");
    await admin(server, "PUT", "/conversations/p/a", { scenario: "closed" });
    await admin(server, "PUT", "/conversations/p/b", { scenario: "closed" });
    const rules = await admin(server, "GET", "/conversations?offset=1");
    expect((rules.body as { conversations: { conversationId: string }[] }).conversations).toEqual([
      expect.objectContaining({ conversationId: "b" }),
    ]);
    expect(rules.headers.get("x-total-count")).toBe("2");
  });

  it.each(["limit=-1", "offset=abc", "limit=1e3", "limit=1&limit=2", "offset=9999999999"])(
    "refuses ?%s with 400 INVALID_QUERY",
    async (query) => {
      expectEnvelope(await admin(server, "GET", `/requests?${query}`), 400, "INVALID_QUERY");
      expectEnvelope(await admin(server, "GET", `/conversations?${query}`), 400, "INVALID_QUERY");
    },
  );
});

describe("POST /__admin/reset", () => {
  let startedClosed: MockServer;
  beforeAll(async () => {
    startedClosed = await startMockServer({ port: 0, scenario: "closed" });
  });
  afterAll(async () => {
    await startedClosed.close();
  });

  it("restores the startup default scenario, drops rules and clears the journal", async () => {
    await admin(startedClosed, "PUT", "/scenario", { scenario: "active" });
    await admin(startedClosed, "PUT", "/conversations/p1/c1", { scenario: "not-found" });
    await conversation(startedClosed, "p1", "c1");
    await conversation(startedClosed, "p1", "c2");

    const reply = await admin(startedClosed, "POST", "/reset");
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ status: "reset", scenario: "closed" });

    expect((await admin(startedClosed, "GET", "/scenario")).body).toEqual({ scenario: "closed" });
    expect((await admin(startedClosed, "GET", "/conversations")).body).toEqual({ conversations: [] });
    expect((await admin(startedClosed, "GET", "/requests")).body).toEqual({ requests: [] });
    expect(stateOf(await conversation(startedClosed, "p1", "c1"))).toBe("closed");
  });

  it("answers a wrong method with 405 and an Allow header", async () => {
    const reply = await admin(startedClosed, "GET", "/reset");
    expectEnvelope(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("POST");
  });
});

describe("GET /__admin/openapi.yaml and /__admin/openapi.json", () => {
  it("serves the spec as YAML text", async () => {
    const reply = await admin(server, "GET", "/openapi.yaml");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/yaml/);
    expect(reply.text).toContain("openapi: 3.1.0");
  });

  it("serves the spec as JSON", async () => {
    const reply = await admin(server, "GET", "/openapi.json");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect((reply.body as { openapi?: unknown }).openapi).toBe("3.1.0");
    expect(reply.body).toEqual(JSON.parse(JSON.stringify(loadSpec())));
  });
});

describe("admin bodies that could hurt the fake", () => {
  it("refuses overrides nested deeper than a conversation could be, and keeps listing rules", async () => {
    // Sent as text: serialising it here would exhaust this test's own stack.
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const body = `{"scenario":"closed","conversation":{"User":{"extra":${deep}}}}`;
    const reply = await admin(server, "PUT", "/conversations/p1/c3", body);
    const envelope = expectEnvelope(reply, 400, "INVALID_BODY");
    expect(envelope.message[0]).toContain("nests deeper than 8 levels");
    expect((await admin(server, "GET", "/conversations")).status).toBe(200);
  });

  it("answers an unsupported charset with 415, not a JSON parse error", async () => {
    const reply = await admin(
      server,
      "PUT",
      "/scenario",
      '{"scenario":"closed"}',
      "application/json; charset=x-klingon",
    );
    expectEnvelope(reply, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it.each(["/openapi.yaml", "/openapi.json"])("answers POST %s with 405 and Allow: GET", async (path) => {
    const reply = await admin(server, "POST", path);
    expectEnvelope(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("GET");
  });
});

describe("unknown admin routes and a disabled admin API", () => {
  it.each([
    ["GET", "/nope"],
    ["POST", "/health/extra"],
    ["GET", "/conversations/p1"],
  ])("answers %s /__admin%s with a 404 ROUTE_NOT_FOUND envelope", async (method, path) => {
    expectEnvelope(await admin(server, method, path), 404, "ROUTE_NOT_FOUND");
  });

  it("answers /__admin/health with 404 when started with admin: false", async () => {
    const noAdmin = await startMockServer({ port: 0, admin: false });
    try {
      expectEnvelope(await send(`${noAdmin.url}/__admin/health`), 404, "ROUTE_NOT_FOUND");
      expect(stateOf(await conversation(noAdmin, "p1", "c1"))).toBe("active");
    } finally {
      await noAdmin.close();
    }
  });
});
