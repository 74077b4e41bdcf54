// GET /__admin/events: the stream the console follows. Through a real listening fake: the backlog, live requests with
// their bodies (secrets redacted), deliveries, admin changes, filters, bounds and shutdown.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { readEventFilter } from "../../mock/event-filter.ts";
import { EventHub } from "../../mock/event-hub.ts";
import { eventStreams } from "../../mock/http/event-stream.ts";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { MAX_EVENT_STREAMS } from "../../mock/limits.ts";
import { type EventReader, openEvents } from "../helpers/event-stream.ts";

// A start body every test's conversation can use: one bot and user per project.
const START = { botId: "b", userId: "u", initialMessage: "Hola", assignment: { type: "queue", target: "SOPORTE" } };
const KEY = "events-test-key";
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function fake(options: Parameters<typeof startMockServer>[0] = {}) {
  const server = await startMockServer({ port: 0, ...options });
  closers.push(() => server.close());
  return server;
}

async function events(server: MockServer, query = "", headers: Record<string, string> = {}): Promise<EventReader> {
  const reader = await openEvents(`${server.url}/__admin/events${query}`, headers);
  closers.push(() => reader.close());
  return reader;
}

async function receiver() {
  const got: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      got.push(body);
      res.writeHead(200).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

function api(server: MockServer, method: string, path: string, body?: unknown) {
  return fetch(`${server.baseUrl}/v1/external-support/${path}`, {
    method,
    headers: { "x-api-key": KEY, "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as { data: Record<string, unknown> } }));
}

const admin = (server: MockServer, method: string, path: string, body: unknown = {}) =>
  fetch(`${server.url}/__admin${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(method !== "GET" && { body: JSON.stringify(body) }),
  });

const isRequest = (path: string) => (e: { type: string; data: unknown }) =>
  e.type === "request" && (e.data as { path: string }).path.endsWith(path);

describe("GET /__admin/events", () => {
  it("starts with ready and the backlog, oldest first, then follows requests live with their bodies", async () => {
    const server = await fake();
    await api(server, "GET", "p1/conversations/first");
    await api(server, "GET", "p1/conversations/second");
    const reader = await events(server);
    expect(reader.response.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
    expect(reader.response.headers["cache-control"]).toBe("no-store");
    await reader.next(isRequest("/second"));
    expect(reader.events.slice(0, 3).map((e) => [e.type, (e.data as { path?: string }).path])).toEqual([
      ["ready", undefined],
      ["request", "/jelouapi/v1/external-support/p1/conversations/first"],
      ["request", "/jelouapi/v1/external-support/p1/conversations/second"],
    ]);
    expect(reader.events[0]?.data).toEqual({ requests: 2, deliveries: 0 });
    // The journal keeps no bodies: backlog events have none.
    expect(reader.events[1]?.data).not.toHaveProperty("response");

    const answered = await api(server, "GET", "p1/conversations/live");
    const live = (await reader.next(isRequest("/live"))).data as Record<string, unknown>;
    expect(live).toMatchObject({
      method: "GET",
      operation: "getConversation",
      projectId: "p1",
      conversationId: "live",
      status: 200,
      scenario: "active",
      scenarioSource: "default",
      auth: "api-key",
      response: { contentType: "application/json" },
    });
    expect(JSON.parse((live.response as { body: string }).body)).toEqual(answered.body);
  });

  it("never carries a secret: the signing secret, the webhook credential, nor the webhook URL's query", async () => {
    const hook = await receiver();
    const server = await fake();
    const reader = await events(server);
    const credential = "webhook-credential-5Tq";
    const url = new URL(hook.url);
    url.search = "?key=QUERY-SECRET-42";
    const created = await api(server, "POST", "p-secret", {
      webhookUrl: url.href,
      authType: "basic",
      authorization: `${credential}:pw`,
    });
    expect(created.status).toBe(200);
    const secret = created.body.data.signingSecret as string;
    const event = await reader.next(isRequest("/p-secret"));
    const body = JSON.parse((event.data as { response: { body: string } }).response.body);
    expect(body.data.signingSecret).toBe("[redacted]");
    expect(body.data.webhookUrl).toBe(`${url.origin}/hook`);
    // A delivery, with the credential in its Authorization header, reaches the stream too.
    await api(server, "POST", "p-secret/conversations/start", START);
    await reader.next((e) => e.type === "delivery" && (e.data as { outcome: string }).outcome !== "pending");
    await api(server, "GET", "p-secret");
    await reader.next((e) => e.type === "request" && (e.data as { operation?: string }).operation === "getIntegration");
    const worldText = await (await admin(server, "GET", "/world")).text();
    const world = JSON.parse(worldText) as { integrations: { integration: { webhookUrl: string } }[] };
    expect(world.integrations[0]?.integration.webhookUrl).toBe(`${url.origin}/hook`);
    for (const text of [reader.text(), worldText]) {
      for (const value of [
        secret,
        credential,
        `${credential}:pw`,
        "url-user-7Hd",
        "url-password-2Kw",
        "QUERY-SECRET-42",
      ]) {
        for (const encoded of [value, Buffer.from(value).toString("base64"), encodeURIComponent(value)]) {
          expect(text).not.toContain(encoded);
        }
      }
    }
  });

  it("answers HEAD with the stream's headers and no stream, and opens none once the fake is closing", async () => {
    const server = await fake();
    for (let i = 0; i <= MAX_EVENT_STREAMS; i++) {
      const head = await fetch(`${server.url}/__admin/events`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    }
    const reader = await events(server);
    await reader.next((e) => e.type === "ready");

    const hub = new EventHub();
    const streams = eventStreams(hub, { requests: () => [], deliveries: () => [] });
    const app = express();
    app.get("/events", streams.handle);
    const plain = createServer(app).listen(0, "127.0.0.1");
    await once(plain, "listening");
    closers.push(() => plain.close());
    streams.close();
    const refused = await fetch(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/events`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { key: string } }).error.key).toBe("SHUTTING_DOWN");
  });

  it("sends each delivery when it is queued and as it changes, and each admin change", async () => {
    const hook = await receiver();
    const server = await fake();
    const reader = await events(server, "?types=delivery,change");
    await api(server, "POST", "p-hook", { webhookUrl: hook.url });
    await api(server, "POST", "p-hook/conversations/start", START);
    const delivered = await reader.next(
      (e) => e.type === "delivery" && (e.data as { outcome: string }).outcome === "delivered",
    );
    const record = delivered.data as { id: string; event: string; attempts: { status: number }[]; payload: unknown };
    expect(record).toMatchObject({ event: "conversation.start", attempts: [{ status: 200 }] });
    expect(JSON.stringify(record.payload)).toBe(hook.got[0]);
    const pending = reader.events.find((e) => e.type === "delivery" && (e.data as { id: string }).id === record.id);
    expect(pending?.data).toMatchObject({ outcome: "pending", attempts: [] });

    expect((await admin(server, "PUT", "/scenario", { scenario: "closed" })).status).toBe(200);
    expect((await reader.next((e) => e.type === "change")).data).toEqual({ method: "PUT", path: "/__admin/scenario" });
    // A refused change changed nothing: no event.
    expect((await admin(server, "PUT", "/scenario", { scenario: "nope" })).status).toBe(400);
    await admin(server, "POST", "/reset");
    await reader.next((e) => e.type === "change" && (e.data as { path: string }).path === "/__admin/reset");
    expect(reader.events.filter((e) => e.type === "change")).toHaveLength(2);
    // Only the types asked for.
    expect(reader.events.some((e) => e.type === "request")).toBe(false);
  });

  it("filters requests by operation, status and project, the backlog included", async () => {
    const server = await fake();
    await api(server, "GET", "p-a/conversations/missing-1");
    await api(server, "GET", "p-b/conversations/c-ok");
    const reader = await events(server, "?types=request&status=4xx,500&projectId=p-a&backlog=10");
    await fetch(`${server.baseUrl}/v1/external-support/p-a/conversations/no-key`);
    await api(server, "GET", "p-a/conversations/fine");
    await fetch(`${server.baseUrl}/v1/external-support/p-a/conversations/c-500`, {
      headers: { "x-api-key": KEY, "x-fake-jelou-scenario": "500" },
    });
    await reader.next(isRequest("/c-500"));
    expect(reader.events.filter((e) => e.type === "request").map((e) => (e.data as { status: number }).status)).toEqual(
      [404, 401, 500],
    );
    const byOperation = await events(server, "?operation=getIntegration&backlog=0");
    await api(server, "GET", "p-a/conversations/c");
    await api(server, "GET", "p-a");
    expect((await byOperation.next((e) => e.type === "request")).data).toMatchObject({ operation: "getIntegration" });
    expect(byOperation.events.filter((e) => e.type === "request")).toHaveLength(1);
  });

  it.each([
    ["?types=request,journal", "types"],
    ["?status=4x", "status"],
    ["?backlog=1001", "backlog"],
    ["?backlog=-1", "backlog"],
    ["?projectId=a&projectId=b", "projectId"],
    ["?since=1", "since"],
  ])("refuses %s in the envelope, naming the field", async (query, field) => {
    const server = await fake();
    const res = await fetch(`${server.url}/__admin/events${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { key: string }; validationError: Record<string, unknown> };
    expect(body.error.key).toBe("INVALID_QUERY");
    expect(Object.keys(body.validationError)).toEqual([field]);
  });

  it(`opens at most ${MAX_EVENT_STREAMS} streams; one more is a 503 until one closes`, async () => {
    const server = await fake();
    const readers = await Promise.all(Array.from({ length: MAX_EVENT_STREAMS }, () => events(server)));
    const refused = await fetch(`${server.url}/__admin/events`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { key: string } }).error.key).toBe("EVENT_STREAMS_FULL");
    readers[0]?.close();
    await readers[0]?.ended;
    const again = await events(server);
    await again.next((e) => e.type === "ready");
  });

  it("is guarded like the rest of the admin API", async () => {
    const server = await fake({ adminToken: "events-admin-token" });
    expect((await fetch(`${server.url}/__admin/events`)).status).toBe(401);
    const reader = await events(server, "", { authorization: "Bearer events-admin-token" });
    await reader.next((e) => e.type === "ready");
  });

  it("ends its streams on close(), which then does not wait out the grace period", async () => {
    const server = await startMockServer({ port: 0, shutdownGraceMs: 600_000 });
    const reader = await openEvents(`${server.url}/__admin/events`);
    await reader.next((e) => e.type === "ready");
    // With the stream left open, close() would wait the 10 minutes of grace: the test's timeout says it did not.
    await server.close();
    await reader.ended;
  });

  it("ends the stream of a reader that stops reading once it has a megabyte waiting", async () => {
    const hook = await receiver();
    const server = await fake();
    const reader = await events(server, "?types=delivery");
    await reader.next((e) => e.type === "ready");
    reader.response.pause();
    await api(server, "POST", "p-slow", { webhookUrl: hook.url });
    await api(server, "POST", "p-slow/conversations/start", START);
    const [conversationId] = server.deliveries().map((d) => d.conversationId);
    const body = "x".repeat(60_000);
    // Each message's delivery is streamed twice (queued, then delivered) with its 60 kB payload: about 7 MB in all,
    // far past the socket's buffers and the stream's 1 MiB.
    for (let i = 0; i < 60; i++) {
      server.sendUserMessage("p-slow", conversationId as string, { type: "text", content: { body } });
      await server.waitForDelivery((d) => d.event === "message" && d.outcome !== "pending" && hook.got.length > i + 1);
    }
    reader.response.resume();
    await reader.ended;
    expect(reader.text().length).toBeLessThan(60 * 2 * 60_000);
  });
});

describe("the request events' rate", () => {
  it("sends requestsPerWindow request events a window, then one skipped event counting the others", async () => {
    const hub = new EventHub();
    const streams = eventStreams(
      hub,
      { requests: () => [], deliveries: () => [] },
      { requestsPerWindow: 5, windowMs: 200 },
    );
    const app = express();
    app.get("/events", streams.handle);
    const server = createServer(app).listen(0, "127.0.0.1");
    await once(server, "listening");
    closers.push(() => {
      streams.close();
      server.close();
    });
    const reader = await openEvents(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`);
    closers.push(() => reader.close());
    await reader.next((e) => e.type === "ready");
    const entry = (path: string) =>
      ({
        type: "request",
        data: { time: "t", method: "GET", path, status: 200, durationMs: 1, auth: "none" },
      }) as const;
    // In one turn of the event loop, so in one window whatever the machine's speed.
    for (let i = 1; i <= 20; i++) hub.publish(entry(`/r${i}`));
    hub.publish({ type: "change", data: { method: "POST", path: "/__admin/reset" } });
    expect((await reader.next((e) => e.type === "skipped")).data).toEqual({ requests: 15 });
    expect(reader.events.filter((e) => e.type === "request").map((e) => (e.data as { path: string }).path)).toEqual([
      "/r1",
      "/r2",
      "/r3",
      "/r4",
      "/r5",
    ]);
    // Deliveries and changes are never skipped.
    expect(reader.events.some((e) => e.type === "change")).toBe(true);
    hub.publish(entry("/next-window"));
    await reader.next(isRequest("/next-window"));
  });
});

describe("readEventFilter", () => {
  it("defaults to every type and a backlog of 100", () => {
    const read = readEventFilter({});
    expect(read.ok && [...read.filter.types]).toEqual(["request", "delivery", "change"]);
    expect(read.ok && read.filter.backlog).toBe(100);
  });
});
