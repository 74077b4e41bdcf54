import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { fileURLToPath } from "node:url";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMockApp,
  MockConfigError,
  MockListenError,
  type MockServer,
  type MockServerOptions,
  startMockServer,
} from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, formatViolations } from "../../spec/schema-validator.ts";

const validator = createSpecValidator(loadSpec());
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const KEY = { "x-api-key": "test-key" };
const NOW = "2026-11-25T00:00:00Z";
const path = (projectId: string, conversationId: string, prefix = "/jelouapi") =>
  `${prefix}/v1/external-support/${encodeURIComponent(projectId)}/conversations/${encodeURIComponent(conversationId)}`;

// biome-ignore lint/suspicious/noExplicitAny: replies are read as loose JSON; their shape is what the tests check.
type Json = Record<string, any>;

async function get(server: MockServer, url: string, headers: Record<string, string> = KEY) {
  const response = await fetch(`${server.url}${url}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as Json };
}

/** Asserts a reply is what the spec allows for its status, naming any violation. */
function expectSpecValid(status: number, contentType: string | null, body: unknown) {
  const result = validator.validateResponse({
    operationId: "getConversation",
    status,
    contentType: contentType ?? "",
    body,
  });
  expect(result, result.outcome === "invalid" ? formatViolations(result.violations) : result.outcome).toMatchObject({
    outcome: "valid",
  });
}

const servers: MockServer[] = [];
async function start(options: MockServerOptions = {}) {
  const server = await startMockServer({ port: 0, now: NOW, ...options });
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

let server: MockServer;
beforeAll(async () => {
  server = await start();
});

describe("scenarios over HTTP", () => {
  it.each([
    ["active", 200, "active"],
    ["closed", 200, "closed"],
    ["unauthorized", 401, undefined],
    ["not-found", 404, undefined],
    ["server-error", 500, undefined],
    ["200", 200, "active"],
    ["401", 401, undefined],
    ["404", 404, undefined],
    ["500", 500, undefined],
  ])("X-Fake-Jelou-Scenario: %s answers %i with a spec-valid body", async (scenario, status, state) => {
    const reply = await get(server, path("p1", "conv-1"), { ...KEY, "X-Fake-Jelou-Scenario": scenario });
    expect(reply.status).toBe(status);
    expect(reply.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expectSpecValid(reply.status, reply.headers.get("content-type"), reply.body);
    if (state) expect(reply.body.data).toMatchObject({ _id: "conv-1", state });
    else expect(reply.body).toMatchObject({ statusMessage: "failed", status: 0 });
  });

  it("returns only spec-valid bodies, for every scenario over many ids and every prefix", async () => {
    const scenarios = ["active", "closed", "unauthorized", "not-found", "server-error"];
    let checked = 0;
    for (const scenario of scenarios) {
      for (let n = 0; n < 40; n++) {
        for (const prefix of ["/jelouapi", "/platform", ""]) {
          const reply = await get(server, path(`project-${n % 3}`, `id-${n}-ñ/é`, prefix), {
            ...KEY,
            "X-Fake-Jelou-Scenario": scenario,
          });
          expectSpecValid(reply.status, reply.headers.get("content-type"), reply.body);
          checked++;
        }
      }
    }
    expect(checked).toBe(600);
  });

  it("serves the same conversation under /jelouapi, /platform and the bare /v1 prefix", async () => {
    const bodies = await Promise.all(
      ["/jelouapi", "/platform", ""].map(async (prefix) => (await get(server, path("p", "c", prefix))).text),
    );
    expect(new Set(bodies).size).toBe(1);
  });

  it("answers errors with the spec's own named examples, as Prism does", async () => {
    const spec = loadSpec() as Json;
    const responses = spec.paths["/v1/external-support/{projectId}/conversations/{conversationId}"].get.responses;
    for (const [scenario, status, example] of [
      ["unauthorized", "401", "unauthorized"],
      ["not-found", "404", "notFound"],
      ["server-error", "500", "serverError"],
    ] as const) {
      const reply = await get(server, path("p", "c"), { ...KEY, "X-Fake-Jelou-Scenario": scenario });
      expect(reply.body).toEqual(responses[status].content["application/json"].examples[example].value);
    }
  });

  it.each([
    ["code=404", 404],
    ["code=401", 401],
    ["example=closed", 200],
    ["example=serverError", 500],
  ])("switches on Prism's Prefer: %s", async (prefer, status) => {
    const reply = await get(server, path("p", "c"), { ...KEY, Prefer: prefer });
    expect(reply.status).toBe(status);
    if (prefer === "example=closed") expect(reply.body.data.state).toBe("closed");
  });

  it.each([
    ["X-Fake-Jelou-Scenario", { "X-Fake-Jelou-Scenario": "archived" }, "Valid scenarios: active, closed"],
    ["Prefer", { Prefer: "example=archived" }, "Valid examples: active, closed"],
  ])("refuses an unknown name in %s with a 400 envelope listing the valid ones", async (_title, headers, listed) => {
    const reply = await get(server, path("p", "c"), { ...KEY, ...headers });
    expect(reply.status).toBe(400);
    expect(reply.body.error.key).toBe("UNKNOWN_SCENARIO");
    expect(reply.body.message[0]).toContain(listed);
    expect(validator.validateSchema("ErrorEnvelope", reply.body)).toEqual([]);
  });
});

describe("precedence over HTTP", () => {
  it("goes header, then rule, then magic id, then the server default", async () => {
    const s = await start({ scenario: "server-error" });
    const state = async (id: string, headers: Record<string, string> = {}) => {
      const reply = await get(s, path("p", id), { ...KEY, ...headers });
      return reply.status === 200 ? reply.body.data.state : reply.status;
    };
    expect(await state("plain")).toBe(500);
    expect(await state("closed-1")).toBe("closed");
    expect(await state("missing-1")).toBe(404);
    s.setConversation("p", "closed-1", { scenario: "active" });
    expect(await state("closed-1")).toBe("active");
    expect(await state("closed-1", { "X-Fake-Jelou-Scenario": "404" })).toBe(404);
    s.setScenario("closed");
    expect(await state("plain")).toBe("closed");
  });
});

describe("auth", () => {
  const basic = (pair: string) => ({ Authorization: `Basic ${Buffer.from(pair).toString("base64")}` });

  it.each<[string, Record<string, string>]>([
    ["no credentials", {}],
    ["an empty x-api-key", { "x-api-key": "" }],
    ["a malformed Basic header", { Authorization: "Basic not-base64!" }],
    ["a Bearer token", { Authorization: "Bearer abc" }],
  ])("answers 401 to %s, whatever the scenario asked for", async (_title, headers) => {
    for (const scenario of ["closed", "server-error", "timeout", "reset"]) {
      const reply = await get(server, path("p", "c"), { ...headers, "X-Fake-Jelou-Scenario": scenario });
      expect(reply.status).toBe(401);
      expectSpecValid(401, reply.headers.get("content-type"), reply.body);
    }
  });

  it.each<[string, Record<string, string>]>([
    ["an unknown scenario name", { "X-Fake-Jelou-Scenario": "bogus" }],
    ["an invalid delay", { "X-Fake-Jelou-Delay": "-5" }],
    ["an unknown Prefer code", { Prefer: "code=418" }],
  ])("answers 401, not 400, to a request without credentials that also sends %s", async (_title, headers) => {
    expect((await get(server, path("p", "c"), headers)).status).toBe(401);
  });

  // Bounded well below the 60 s delay asked for: a refused request that honoured it would abort here.
  it("answers 401 at once to a request without credentials that asks for a delay", async () => {
    const reply = await fetch(`${server.url}${path("p", "c")}`, {
      headers: { "X-Fake-Jelou-Delay": "60000" },
      signal: AbortSignal.timeout(10_000),
    });
    expect(reply.status).toBe(401);
  });

  it("answers 401 at once to a refused request when the server has a default delay, and delays accepted ones", async () => {
    const s = await start({ delayMs: 60_000, apiKeys: ["key-1"] });
    for (const headers of [{}, { "x-api-key": "wrong-key" }] as Record<string, string>[]) {
      const reply = await fetch(`${s.url}${path("p", "c")}`, { headers, signal: AbortSignal.timeout(10_000) });
      expect(reply.status).toBe(401);
    }
    const accepted = fetch(`${s.url}${path("p", "c")}`, {
      headers: { "x-api-key": "key-1" },
      signal: AbortSignal.timeout(500),
    });
    await expect(accepted).rejects.toThrow(/aborted|timeout/i);
  });

  it("accepts any key or well-formed Basic pair by default", async () => {
    expect((await get(server, path("p", "c"), { "x-api-key": "anything" })).status).toBe(200);
    expect((await get(server, path("p", "c"), basic("client:secret"))).status).toBe(200);
  });

  it("accepts only the configured credentials when some are configured", async () => {
    const s = await start({ apiKeys: ["key-1", "key-2"], basic: [{ clientId: "client", clientSecret: "s3cret" }] });
    expect((await get(s, path("p", "c"), { "x-api-key": "key-2" })).status).toBe(200);
    expect((await get(s, path("p", "c"), { "x-api-key": "key-3" })).status).toBe(401);
    expect((await get(s, path("p", "c"), basic("client:s3cret"))).status).toBe(200);
    expect((await get(s, path("p", "c"), basic("client:nope"))).status).toBe(401);
    expect(s.requests().map((r) => r.auth)).toEqual(["api-key", "invalid", "basic", "invalid"]);
  });
});

describe("determinism", () => {
  it("serves the same conversation on every request and after a restart with the same seed", async () => {
    const a = await start({ seed: "seed-1" });
    const b = await start({ seed: "seed-1" });
    const c = await start({ seed: "seed-2" });
    const first = (await get(a, path("p", "closed-7"))).text;
    expect((await get(a, path("p", "closed-7"))).text).toBe(first);
    expect((await get(b, path("p", "closed-7"))).text).toBe(first);
    expect((await get(c, path("p", "closed-7"))).text).not.toBe(first);
  });

  it("keeps dates in the recent past by default", async () => {
    const s = await start({ now: undefined });
    const { body } = await get(s, path("p", "c"));
    const age = Date.now() - Date.parse(body.data.startAt);
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThan(8 * 24 * 3_600_000);
  });
});

describe("latency and faults", () => {
  it("waits X-Fake-Jelou-Delay milliseconds before answering", async () => {
    const started = performance.now();
    const reply = await get(server, path("p", "c"), { ...KEY, "X-Fake-Jelou-Delay": "300" });
    expect(reply.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("applies the server's delay to every request", async () => {
    const s = await start({ delayMs: 250 });
    const started = performance.now();
    await get(s, path("p", "c"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
  });

  it.each(["-1", "1.5", "abc", "60001", ""])("refuses X-Fake-Jelou-Delay: %j with a 400 envelope", async (delay) => {
    const reply = await get(server, path("p", "c"), { ...KEY, "X-Fake-Jelou-Delay": delay });
    expect(reply.status).toBe(400);
    expect(reply.body.error.key).toBe("INVALID_DELAY");
  });

  it("holds a timeout request until the client gives up, then records no status", async () => {
    const s = await start();
    const attempt = fetch(`${s.url}${path("p", "c")}`, {
      headers: { ...KEY, "X-Fake-Jelou-Scenario": "timeout" },
      signal: AbortSignal.timeout(300),
    });
    await expect(attempt).rejects.toThrow(/aborted|timeout/i);
    await expect.poll(() => s.requests().at(-1)).toMatchObject({ scenario: "timeout", status: null });
    expect((await get(s, "/__admin/health")).body).toEqual({ status: "ok" });
  });

  it("drops held timeout requests on close instead of waiting for them", async () => {
    const s = await startMockServer({ port: 0, timeoutHoldMs: 60_000 });
    const attempt = fetch(`${s.url}${path("p", "c")}`, { headers: { ...KEY, "X-Fake-Jelou-Scenario": "timeout" } });
    const connections = () => new Promise<number>((resolve) => s.server.getConnections((_e, n) => resolve(n)));
    await expect.poll(connections).toBe(1);
    // Expected before closing: the request fails while close() is still under way.
    const failed = expect(attempt).rejects.toThrow();
    await s.close();
    await failed;
  });

  it("drops a timeout request that was still in its delay when close began", async () => {
    const s = await startMockServer({ port: 0, timeoutHoldMs: 60_000 });
    const attempt = fetch(`${s.url}${path("p", "c")}`, {
      headers: { ...KEY, "X-Fake-Jelou-Scenario": "timeout", "X-Fake-Jelou-Delay": "300" },
    });
    const connections = () => new Promise<number>((resolve) => s.server.getConnections((_e, n) => resolve(n)));
    await expect.poll(connections).toBe(1);
    // Expected before closing: the request fails while close() is still under way.
    const failed = expect(attempt).rejects.toThrow();
    await s.close();
    await failed;
  });

  it("answers a request in flight at close with Connection: close, then stops accepting", async () => {
    const s = await startMockServer({ port: 0 });
    const pending = fetch(`${s.url}${path("p", "c")}`, { headers: { ...KEY, "X-Fake-Jelou-Delay": "300" } });
    const connections = () => new Promise<number>((resolve) => s.server.getConnections((_e, n) => resolve(n)));
    await expect.poll(connections).toBe(1);
    const closed = s.close();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get("connection")).toBe("close");
    await closed;
    await expect(fetch(`${s.url}${path("p", "c")}`, { headers: KEY })).rejects.toThrow("fetch failed");
  });

  it("answers a request that reached an idle keep-alive connection just as close began, instead of resetting it", async () => {
    const s = await startMockServer({ port: 0 });
    const socket = connect(s.port, "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => {
      received += chunk;
    });
    const request = `GET ${path("p", "c")} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n\r\n`;
    socket.write(request);
    await expect.poll(() => received).toContain("Connection: keep-alive");
    received = "";
    // The connection is idle now; the second request is on the wire when close begins, in the same turn.
    socket.write(request);
    await s.close();
    await once(socket, "close");
    expect(received).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(received).toContain("Connection: close");
  });

  describe("shutdown with clients that never finish a request", () => {
    const PARTIAL: [string, string][] = [
      ["sends nothing", ""],
      ["sends half a request line", "GET /jelouapi/v1/exter"],
      ["sends half the headers", `GET ${path("p", "c")} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-k`],
      [
        "sends half an admin body",
        'PUT /__admin/scenario HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"scen',
      ],
    ];

    it.each(PARTIAL)("close() ends after the grace period when a client %s", async (_title, bytes) => {
      const s = await startMockServer({ port: 0, shutdownGraceMs: 200 });
      const socket = connect(s.port, "127.0.0.1");
      socket.on("error", () => {});
      await once(socket, "connect");
      if (bytes) socket.write(bytes);
      const connections = () => new Promise<number>((resolve) => s.server.getConnections((_e, n) => resolve(n)));
      await expect.poll(connections).toBe(1);
      const socketClosed = once(socket, "close");
      await s.close();
      await socketClosed;
    });

    it("close() ends after the grace period while a delayed request is still waiting", async () => {
      const s = await startMockServer({ port: 0, shutdownGraceMs: 200 });
      const pending = fetch(`${s.url}${path("p", "c")}`, { headers: { ...KEY, "X-Fake-Jelou-Delay": "60000" } });
      const failed = expect(pending).rejects.toThrow("fetch failed");
      const connections = () => new Promise<number>((resolve) => s.server.getConnections((_e, n) => resolve(n)));
      await expect.poll(connections).toBe(1);
      await s.close();
      await failed;
    });

    // In a process of its own: the fake must not keep it alive once close() has resolved, even though a request that
    // asked for a 60 s delay was still waiting when its client left.
    it("leaves no timer behind for a delayed request whose client left, so the process can exit", () => {
      const script = `
        import { startMockServer } from "./mock/index.ts";
        const s = await startMockServer({ port: 0, shutdownGraceMs: 200 });
        const url = s.url + "/jelouapi/v1/external-support/p/conversations/c";
        const headers = { "x-api-key": "k", "x-fake-jelou-delay": "60000" };
        await fetch(url, { headers, signal: AbortSignal.timeout(300) }).catch(() => {});
        await s.close();`;
      const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(child.error, "the process still ran 20 s later").toBeUndefined();
      expect(child.status, child.stderr).toBe(0);
    });

    it("refuses a grace period that is not a whole number of ms from 0 to 600000", async () => {
      await expect(startMockServer({ port: 0, shutdownGraceMs: -1 })).rejects.toThrow(MockConfigError);
      await expect(startMockServer({ port: 0, shutdownGraceMs: 600_001 })).rejects.toThrow(/shutdownGraceMs/);
    });
  });

  it("applies a rule changed while the request was in its delay", async () => {
    const s = await start();
    const pending = get(s, path("p", "c"), { ...KEY, "X-Fake-Jelou-Delay": "300" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    s.setConversation("p", "c", { scenario: "closed" });
    expect((await pending).body.data.state).toBe("closed");
  });

  it("destroys the connection without a response in the reset scenario, and keeps serving", async () => {
    await expect(
      fetch(`${server.url}${path("p", "c")}`, { headers: { ...KEY, "X-Fake-Jelou-Scenario": "reset" } }),
    ).rejects.toThrow("fetch failed");
    expect((await get(server, path("p", "c"))).status).toBe(200);
  });
});

describe("edges", () => {
  it("answers unknown routes with a 404 envelope", async () => {
    const reply = await get(server, "/jelouapi/v1/external-support/p1/integrations");
    expect(reply.status).toBe(404);
    expect(reply.body.error.key).toBe("ROUTE_NOT_FOUND");
    expect(validator.validateSchema("ErrorEnvelope", reply.body)).toEqual([]);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])(
    "answers %s on the conversation route with 405 and Allow: GET",
    async (method) => {
      const response = await fetch(`${server.url}${path("p", "c")}`, { method, headers: KEY });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET");
      expect(((await response.json()) as Json).error.key).toBe("METHOD_NOT_ALLOWED");
    },
  );

  describe("a path that is not valid percent-encoding", () => {
    const BAD = ["%zz", "%C0%AF", "%FF%FE", "%E0%A4%A", "%"];

    it.each(BAD)("%s with a key: 400 INVALID_PATH_ENCODING saying so, in either id", async (segment) => {
      for (const url of [
        `/jelouapi/v1/external-support/${segment}/conversations/c`,
        `/jelouapi/v1/external-support/p/conversations/${segment}`,
      ]) {
        const reply = await get(server, url);
        expect(reply.status, url).toBe(400);
        expect(validator.validateSchema("ErrorEnvelope", reply.body)).toEqual([]);
        expect(reply.body.error.key).toBe("INVALID_PATH_ENCODING");
        expect(reply.body.error.description).toMatch(/not valid percent-encoding/);
        expect(reply.text).not.toContain("Failed to decode param");
      }
    });

    it.each(BAD)("%s without credentials: 401 first, as for any refused request", async (segment) => {
      const reply = await get(server, `/jelouapi/v1/external-support/p/conversations/${segment}`, {});
      expect(reply.status).toBe(401);
      expectSpecValid(401, reply.headers.get("content-type"), reply.body);
    });

    it("in an admin path: 400 INVALID_PATH_ENCODING", async () => {
      const reply = await get(server, "/__admin/conversations/%zz/c");
      expect(reply.status).toBe(400);
      expect(reply.body.error.key).toBe("INVALID_PATH_ENCODING");
    });
  });

  it("journals conversation requests without any credential", async () => {
    const s = await start();
    await get(s, path("p", "c"), { "x-api-key": "very-secret-key" });
    await get(s, path("p", "c"), { Authorization: `Basic ${Buffer.from("id:very-secret-pass").toString("base64")}` });
    const journal = JSON.stringify(s.requests());
    expect(journal).not.toContain("very-secret");
    expect(journal).not.toContain(Buffer.from("id:very-secret-pass").toString("base64"));
    expect(s.requests()).toEqual([
      expect.objectContaining({
        method: "GET",
        projectId: "p",
        conversationId: "c",
        scenario: "active",
        status: 200,
        auth: "api-key",
      }),
      expect.objectContaining({ status: 200, auth: "basic", scenarioSource: "default" }),
    ]);
  });
});

describe("library API", () => {
  it("listens on a free port with port 0 and reports url, baseUrl and port", async () => {
    const s = await start();
    expect(s.port).toBeGreaterThan(0);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}`);
    expect(s.baseUrl).toBe(`${s.url}/jelouapi`);
  });

  it("throws MockConfigError for an unknown scenario or an invalid rule, naming the problem", async () => {
    const s = await start();
    expect(() => s.setScenario("archived")).toThrow(MockConfigError);
    expect(() =>
      s.setConversation("p", "c", { scenario: "active", conversation: { User: { names: 1 as unknown as string } } }),
    ).toThrow("User.names must be string");
  });

  it("serves a rule's overrides and forgets everything on reset", async () => {
    const s = await start();
    s.setConversation("p", "c", {
      scenario: "closed",
      conversation: { endedReason: "closed_by_user", User: { names: "Ana Souza" } },
    });
    const { body } = await get(s, path("p", "c"));
    expect(body.data).toMatchObject({ state: "closed", endedReason: "closed_by_user", User: { names: "Ana Souza" } });
    expectSpecValid(200, "application/json", body);
    expect(s.conversations()).toHaveLength(1);
    s.setScenario("not-found");
    s.reset();
    expect(s.conversations()).toEqual([]);
    expect(s.requests()).toEqual([]);
    expect(s.scenario()).toBe("active");
    expect((await get(s, path("p", "c"))).body.data.state).toBe("active");
  });

  it("serves a rule's overrides over a body it had cached, and the cached body again once the rule is gone", async () => {
    const s = await start();
    const generated = (await get(s, path("p", "cached"))).text;
    s.setConversation("p", "cached", { scenario: "active", conversation: { User: { names: "Ana Souza" } } });
    expect((await get(s, path("p", "cached"))).body.data.User.names).toBe("Ana Souza");
    s.deleteConversation("p", "cached");
    expect((await get(s, path("p", "cached"))).text).toBe(generated);
  });

  it("offers the whole control API on its handle: a rule, the stats, clearing the journal", async () => {
    const s = await start();
    s.setConversation("p", "c", { scenario: "closed" });
    await get(s, path("p", "c"));
    expect(s.conversation("p", "c")).toEqual({ projectId: "p", conversationId: "c", scenario: "closed" });
    expect(s.conversation("p", "other")).toBeUndefined();
    expect(s.stats()).toMatchObject({ requests: 1, conversations: 1 });
    s.clearRequests();
    expect([s.requests(), s.stats().requests]).toEqual([[], 0]);
    expect(s.conversations({ offset: 1 })).toEqual([]);
  });

  it("closes idempotently", async () => {
    const s = await startMockServer({ port: 0 });
    await Promise.all([s.close(), s.close()]);
    await s.close();
    expect(s.server.listening).toBe(false);
  });

  it("fails with MockListenError naming the port when it is taken", async () => {
    const s = await start();
    const attempt = startMockServer({ port: s.port });
    await expect(attempt).rejects.toThrow(MockListenError);
    await expect(startMockServer({ port: s.port })).rejects.toThrow(
      `Failed to listen on 127.0.0.1:${s.port}: port ${s.port} is already in use`,
    );
  });

  it("builds an app that can be mounted on any server, without listening itself", async () => {
    const { app, control } = createMockApp({ scenario: "closed", now: NOW });
    const httpServer = createServer(app).listen(0, "127.0.0.1");
    await once(httpServer, "listening");
    const { port } = httpServer.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path("p", "c")}`, { headers: KEY });
    expect(((await response.json()) as Json).data.state).toBe("closed");
    expect(control.requests()).toHaveLength(1);
    httpServer.close();
  });

  it("mounts under another Express app, as a plain request handler", async () => {
    const { app } = createMockApp({ scenario: "closed", now: NOW });
    const outer = express().use("/jelou", app);
    const httpServer = createServer(outer).listen(0, "127.0.0.1");
    await once(httpServer, "listening");
    const { port } = httpServer.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/jelou${path("p", "c")}`, { headers: KEY });
    expect(((await response.json()) as Json).data.state).toBe("closed");
    httpServer.close();
  });

  it.each<[string, Partial<MockServerOptions>, string]>([
    ["an unknown default scenario", { scenario: "bogus" as "active" }, 'Unknown scenario "bogus"'],
    ["a journal limit that is not a number", { journalLimit: Number.NaN }, "journalLimit must be a whole number"],
    ["a negative rule limit", { ruleLimit: -1 }, "ruleLimit must be a whole number"],
    ["a fractional timeout hold", { timeoutHoldMs: 1.5 }, "timeoutHoldMs must be a whole number"],
  ])("refuses %s with MockConfigError", (_title, options, message) => {
    expect(() => createMockApp(options)).toThrow(MockConfigError);
    expect(() => createMockApp(options)).toThrow(message);
  });

  it("accepts a status alias as the default scenario", async () => {
    const s = await start({ scenario: "404" as "not-found" });
    expect(s.scenario()).toBe("not-found");
    expect((await get(s, path("p", "c"))).status).toBe(404);
  });

  it("refuses an option it does not know (a typo would otherwise be ignored), naming it", async () => {
    // @ts-expect-error: the typo under test
    await expect(startMockServer({ prot: 0 })).rejects.toThrow(/Unknown option "prot" of startMockServer.*port/);
    // @ts-expect-error: the typo under test
    expect(() => createMockApp({ seeed: "x" })).toThrow(MockConfigError);
    // createMockApp does not listen: a server option is unknown to it.
    expect(() => createMockApp({ port: 0 } as never)).toThrow(/Unknown option "port" of createMockApp/);
  });

  it("refuses a delay outside 0..60000 ms and a date that is not one", () => {
    expect(() => createMockApp({ delayMs: 60_001 })).toThrow(MockConfigError);
    expect(() => createMockApp({ now: "yesterday" })).toThrow("now must be a date");
  });
});
