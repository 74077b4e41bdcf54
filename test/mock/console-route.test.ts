// The console's server side: its page and assets under a strict CSP, the token traded for a cookie, and the admin
// routes the page reads and drives (/world, close).
import { once } from "node:events";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { consoleCookie } from "../../mock/admin-guard.ts";
import { CONSOLE_CSP, consoleRouter } from "../../mock/http/console-route.ts";
import { startMockServer } from "../../mock/index.ts";

// A start body every test's conversation can use: one bot and user per project.
const START = { botId: "b", userId: "u", initialMessage: "Hola", assignment: { type: "queue", target: "SOPORTE" } };
const KEY = "console-test-key";
const TOKEN = "console-admin-token-4Rz";
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function fake(options: Parameters<typeof startMockServer>[0] = {}) {
  const server = await startMockServer({ port: 0, ...options });
  closers.push(() => server.close());
  return server;
}

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("GET /__admin/console", () => {
  it("serves the page and its assets with a strict Content-Security-Policy and no caching", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-"));
    for (const file of ["index.html", "console.js", "console.css"]) writeFileSync(join(dir, file), `/* ${file} */`);
    const app = express();
    app.use("/__admin/console", consoleRouter(undefined, dir));
    const server = { url: await listen(createServer(app)) };
    for (const [path, type] of [
      ["/__admin/console", "text/html; charset=utf-8"],
      ["/__admin/console/console.js", "text/javascript; charset=utf-8"],
      ["/__admin/console/console.css", "text/css; charset=utf-8"],
    ] as const) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe(type);
      expect(res.headers.get("content-security-policy")).toBe(CONSOLE_CSP);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.text()).toBe(`/* ${path === "/__admin/console" ? "index.html" : path.split("/").pop()} */`);
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("require-trusted-types-for 'script'");
    expect(CONSOLE_CSP).not.toContain("unsafe");
    const post = await fetch(`${server.url}/__admin/console`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET");
  });

  it("is off with the admin API, and refused to a rebinding host", async () => {
    const off = await fake({ admin: false });
    expect((await fetch(`${off.url}/__admin/console`)).status).toBe(404);
    const server = await fake();
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: "127.0.0.1", port, path: "/__admin/console", headers: { host: "attacker.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(403);
  });

  it("trades the URL's token for an HttpOnly, SameSite=Strict cookie scoped to /__admin, with the page itself", async () => {
    const server = await fake({ adminToken: TOKEN });
    expect(server.consoleUrl).toBe(`${server.url}/__admin/console?token=${TOKEN}`);
    // The page and the cookie in one answer, not a redirect: opened from a link on another site, a redirected request
    // would go without the SameSite=Strict cookie (the page then drops the token from the address bar).
    const traded = await fetch(server.consoleUrl as string, { redirect: "manual" });
    expect(traded.status).toBe(200);
    expect(traded.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(traded.headers.get("referrer-policy")).toBe("no-referrer");
    expect(traded.headers.get("cache-control")).toBe("no-store");
    await traded.body?.cancel();
    const cookie = traded.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      new RegExp(`^${consoleCookie(TOKEN)}=[A-Za-z0-9_-]{43}; Path=/__admin; HttpOnly; SameSite=Strict$`),
    );
    expect(cookie).not.toContain(TOKEN);
    const session = cookie.split(";")[0] as string;

    expect((await fetch(`${server.url}/__admin/world`, { headers: { cookie: session } })).status).toBe(200);
    expect((await fetch(`${server.url}/__admin/requests`, { headers: { cookie: session } })).status).toBe(200);
    const reset = await fetch(`${server.url}/__admin/reset`, {
      method: "POST",
      headers: { cookie: session, "content-type": "application/json" },
    });
    expect(reset.status).toBe(200);
    // A cross-site form cannot send JSON: the cookie alone does not make a mutation.
    const form = await fetch(`${server.url}/__admin/reset`, {
      method: "POST",
      headers: { cookie: session, "content-type": "text/plain" },
    });
    expect(form.status).toBe(415);

    for (const url of [`${server.url}/__admin/console`, `${server.url}/__admin/console?token=wrong`]) {
      const refused = await fetch(url, { redirect: "manual" });
      expect(refused.status).toBe(401);
      expect(refused.headers.get("set-cookie")).toBeNull();
      expect(await refused.text()).not.toContain(TOKEN);
    }
  });

  it("sets no cookie for a token when no token is in force", async () => {
    const server = await fake();
    expect(server.consoleUrl).toBe(`${server.url}/__admin/console`);
    const res = await fetch(`${server.url}/__admin/console?token=anything`, { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    await res.body?.cancel();
  });

  it("says how to build the console when its files are missing", async () => {
    const app = express();
    app.use("/__admin/console", consoleRouter(undefined, join(mkdtempSync(join(tmpdir(), "console-")), "none")));
    const url = await listen(createServer(app));
    const res = await fetch(`${url}/__admin/console`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { key: string; description: string } };
    expect(body.error.key).toBe("CONSOLE_NOT_BUILT");
    expect(body.error.description).toContain("npm run build:console");
  });
});

async function receiver() {
  const got: { event?: string }[] = [];
  const url = await listen(
    createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        got.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    }),
  );
  return { got, url: `${url}/hook` };
}

const api = (url: string, method: string, path: string, body: unknown) =>
  fetch(`${url}/jelouapi/v1/external-support/${path}`, {
    method,
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then(async (res) => (await res.json()) as { data: Record<string, unknown> });
const post = (url: string, path: string) =>
  fetch(`${url}/__admin${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

describe("the routes the console drives", () => {
  it("GET /__admin/world lists integrations without their secrets, and conversations with their transcripts' length", async () => {
    const hook = await receiver();
    const server = await fake({ seed: "world-seed" });
    const created = await api(server.url, "POST", "p-world", {
      webhookUrl: hook.url,
      authType: "bearer",
      authorization: "world-credential-9x",
    });
    const started = await api(server.url, "POST", "p-world/conversations/start", START);
    const id = started.data._id as string;
    server.sendUserMessage("p-world", id, { type: "text", content: { body: "uno" } });
    const res = await fetch(`${server.url}/__admin/world`);
    const text = await res.text();
    expect(text).not.toContain(created.data.signingSecret as string);
    expect(text).not.toContain("world-credential-9x");
    expect(JSON.parse(text)).toEqual({
      scenario: "active",
      seed: "world-seed",
      integrations: [
        {
          projectId: "p-world",
          integration: expect.objectContaining({ webhookUrl: hook.url, authType: "bearer" }),
          hasAuthorization: true,
        },
      ],
      conversations: [{ projectId: "p-world", conversation: expect.objectContaining({ _id: id }), messages: 1 }],
    });
    expect(JSON.parse(text).integrations[0].integration).not.toHaveProperty("signingSecret");
  });

  it("POST .../close closes an active conversation as the API would, and its event goes to the webhook", async () => {
    const hook = await receiver();
    const server = await fake();
    await api(server.url, "POST", "p-close", { webhookUrl: hook.url });
    const started = await api(server.url, "POST", "p-close/conversations/start", START);
    const id = started.data._id as string;
    const closed = await post(server.url, `/conversations/p-close/${id}/close`);
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as { conversation: unknown }).conversation).toMatchObject({
      _id: id,
      state: "closed",
      endedReason: "closed_by_operator",
    });
    await server.waitForDelivery((d) => d.event === "conversation.close");
    expect(hook.got.map((body) => body.event)).toEqual(["conversation.start", "conversation.close"]);

    const again = await post(server.url, `/conversations/p-close/${id}/close`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { key: string } }).error.key).toBe("CONVERSATION_NOT_ACTIVE");
    const unknown = await post(server.url, "/conversations/p-close/nope/close");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { key: string } }).error.key).toBe("CONVERSATION_NOT_STARTED");
  });
});
