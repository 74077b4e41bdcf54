// Who can reach the admin API over HTTP: the Host allow-list, the admin token, JSON-only mutations and no CORS.
// Requests go out with node:http, which sends the Host header a test gives it (fetch would not).
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, type MockServerOptions, startMockServer } from "../../mock/index.ts";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  key: string | undefined;
}

function send(
  server: MockServer,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: server.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        let key: string | undefined;
        try {
          key = (JSON.parse(text) as { error?: { key?: string } }).error?.key;
        } catch {
          key = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, key });
      });
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const CONVERSATION = "/jelouapi/v1/external-support/p/conversations/c";
const TOKEN = "admin-token-5b7e0c";
const servers: MockServer[] = [];
async function start(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer({ port: 0, ...options });
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("without an admin token", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await start({ allowedHosts: ["fake-jelou"] });
  });

  // An address cannot be rebound to another machine: any IP literal is the fake's own.
  it.each(["127.0.0.1", "localhost:4010", "[::1]:4010", "fake-jelou:4010", "192.168.1.20:4010", "127.0.0.2"])(
    "answers a request whose Host is %s",
    async (host) => {
      expect((await send(server, "GET", "/__admin/requests", { host })).status).toBe(200);
    },
  );

  it.each(["attacker.example:4010", "localhost.attacker.example", "192.168.1.20.attacker.example"])(
    "refuses a request whose Host is %s with 403 ADMIN_HOST_NOT_ALLOWED, and changes nothing",
    async (host) => {
      const put = await send(
        server,
        "PUT",
        "/__admin/scenario",
        { host, "content-type": "application/json" },
        {
          scenario: "closed",
        },
      );
      expect([put.status, put.key]).toEqual([403, "ADMIN_HOST_NOT_ALLOWED"]);
      const read = await send(server, "GET", "/__admin/requests", { host });
      expect([read.status, read.key]).toEqual([403, "ADMIN_HOST_NOT_ALLOWED"]);
      expect(server.scenario()).toBe("active");
    },
  );

  it("is what a loopback Host changes with the same request", async () => {
    const put = await send(
      server,
      "PUT",
      "/__admin/scenario",
      { host: "127.0.0.1", "content-type": "application/json" },
      { scenario: "closed" },
    );
    expect(put.status).toBe(200);
    expect(server.scenario()).toBe("closed");
    server.reset();
  });

  it.each(["fake-jelou:4010", "http://fake-jelou", "two words", ""])(
    "refuses the allowed host %j (names only, no scheme or port) with MockConfigError",
    async (name) => {
      await expect(start({ allowedHosts: [name] })).rejects.toThrow(/allowedHosts takes host names/);
    },
  );

  it("still answers the health check and the Jelou routes for any Host", async () => {
    const host = "attacker.example";
    expect((await send(server, "GET", "/__admin/health", { host })).status).toBe(200);
    expect((await send(server, "GET", CONVERSATION, { host, "x-api-key": "k" })).status).toBe(200);
  });
});

describe("mutations from a web page", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await start();
  });

  it("refuses a simple cross-site POST /__admin/reset (text/plain) with 415, and resets nothing", async () => {
    server.setScenario("closed");
    const reply = await send(server, "POST", "/__admin/reset", {
      origin: "https://attacker.example",
      "content-type": "text/plain",
    });
    expect([reply.status, reply.key]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
    expect(server.scenario()).toBe("closed");
    server.reset();
  });

  it.each([
    ["POST", "/__admin/reset"],
    ["DELETE", "/__admin/requests"],
    ["DELETE", "/__admin/conversations/p/c"],
  ])("refuses %s %s without Content-Type: application/json with 415", async (method, path) => {
    const reply = await send(server, method, path);
    expect([reply.status, reply.key]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);
  });

  it("answers no CORS preflight: no Access-Control-Allow-* header, no 2xx", async () => {
    const reply = await send(server, "OPTIONS", "/__admin/reset", {
      origin: "https://attacker.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(Object.keys(reply.headers).filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });
});

describe("with an admin token", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await start({ adminToken: TOKEN });
  });

  it.each<[string, Record<string, string>]>([
    ["no Authorization", {}],
    ["a wrong token", { authorization: "Bearer nope" }],
    ["the token without its scheme", { authorization: TOKEN }],
  ])("refuses %s with 401 ADMIN_UNAUTHORIZED, never repeating the token", async (_title, headers) => {
    const reply = await send(server, "GET", "/__admin/requests", headers);
    expect([reply.status, reply.key]).toEqual([401, "ADMIN_UNAUTHORIZED"]);
    expect(reply.headers["www-authenticate"]).toBe('Bearer realm="fake-jelou admin"');
    expect(reply.text).not.toContain(TOKEN);
  });

  it("answers the right token from any Host, and the health check without it", async () => {
    const auth = { authorization: `Bearer ${TOKEN}`, host: "fake-jelou:4010" };
    expect((await send(server, "GET", "/__admin/requests", auth)).status).toBe(200);
    const reset = await send(server, "POST", "/__admin/reset", { ...auth, "content-type": "application/json" });
    expect(reset.status).toBe(200);
    expect((await send(server, "GET", "/__admin/health")).status).toBe(200);
    expect(server.adminToken).toBe(TOKEN);
  });

  it("keeps the token out of the journal", async () => {
    await send(server, "GET", CONVERSATION, { "x-api-key": "k", authorization: `Bearer ${TOKEN}` });
    await send(server, "GET", "/__admin/requests", { authorization: `Bearer ${TOKEN}` });
    expect(JSON.stringify(server.requests())).not.toContain(TOKEN);
  });

  it("refuses a token with spaces or control characters as a MockConfigError, without showing it", async () => {
    await expect(start({ adminToken: "two words" })).rejects.toThrow(/value not shown/);
    await expect(start({ adminToken: "" })).rejects.toThrow(/adminToken/);
  });
});

describe("the token of a server bound beyond loopback", () => {
  it("is generated when none is given, and only then", async () => {
    // Bound to every interface, but the tests only ever talk to it over loopback.
    const exposed = await start({ host: "0.0.0.0" });
    expect(exposed.adminToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await send(exposed, "GET", "/__admin/requests")).status).toBe(401);
    const authorized = await send(exposed, "GET", "/__admin/requests", {
      authorization: `Bearer ${exposed.adminToken}`,
    });
    expect(authorized.status).toBe(200);
    const other = await start({ host: "0.0.0.0" });
    expect(other.adminToken).not.toBe(exposed.adminToken);
    expect((await start({ host: "0.0.0.0", adminToken: TOKEN })).adminToken).toBe(TOKEN);
    expect((await start({ host: "0.0.0.0", admin: false })).adminToken).toBeUndefined();
    expect((await start({ host: "127.0.0.1" })).adminToken).toBeUndefined();
  });
});
