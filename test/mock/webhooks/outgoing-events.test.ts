// The fake calls the team: a receiver on loopback registers as the integration's webhook, and each event's body,
// signature (recomputed here, independently) and auth header are checked, with redelivery, retries, faults, and
// receivers that are down, slow or failing, none of which may touch the fake's own answers.
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../../mock/index.ts";
import type { DeliveryRecord } from "../../../mock/webhooks/deliveries.ts";
import { loadSpec } from "../../../spec/load-spec.ts";
import { createSpecValidator } from "../../../spec/schema-validator.ts";

const validator = createSpecValidator(loadSpec());
const KEY = "events-test-key";
// biome-ignore lint/suspicious/noExplicitAny: payloads are read loosely and checked against the spec.
type Json = any;

interface Received {
  headers: IncomingMessage["headers"];
  raw: Buffer;
  body: Json;
}

/** A webhook receiver on loopback: records what it gets, and answers what `answer` says (200 by default). */
async function receiver(answer: (n: number) => number | "hang" = () => 200) {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      got.push({ headers: req.headers, raw, body: JSON.parse(raw.toString()) });
      const status = answer(got.length);
      if (status !== "hang") res.writeHead(status).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/jelou?token=q-secret`;
  return {
    got,
    url,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function fake(options: Parameters<typeof startMockServer>[0] = {}) {
  const server = await startMockServer({ port: 0, ...options });
  closers.push(() => server.close());
  return server;
}

async function gateway(server: MockServer, method: string, path: string, body?: unknown, headers = {}) {
  const res = await fetch(`${server.baseUrl}/v1/external-support/${path}`, {
    method,
    headers: { "x-api-key": KEY, "content-type": "application/json", ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

const sign = (bytes: Buffer, secret: string) => `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`;
const schemaOf = { "conversation.start": "ConversationStartEvent", "conversation.close": "ConversationCloseEvent" };

describe("events to the team's webhook", () => {
  it.each([
    ["bearer", "tok-bearer-77", (c: string) => ["authorization", `Bearer ${c}`]],
    ["api_key", "key-api-88", (c: string) => ["x-api-key", c]],
    ["basic", "user:pa55-basic", (c: string) => ["authorization", `Basic ${Buffer.from(c).toString("base64")}`]],
  ])("start, user message and close each arrive signed, with the %s header", async (authType, credential, header) => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    const created = await gateway(server, "POST", "p-ev", {
      webhookUrl: hook.url,
      authType,
      authorization: credential,
    });
    const secret = created.body.data.signingSecret as string;
    const started = await gateway(server, "POST", "p-ev/conversations/start", {
      botId: "bot-1",
      userId: "user-1",
      initialMessage: "Hola",
      assignment: { type: "queue", target: "SOPORTE" },
    });
    const conversationId = started.body.data._id as string;
    await server.waitForDelivery((d) => d.event === "conversation.start");
    server.sendUserMessage("p-ev", conversationId, { type: "text", content: { body: "Necesito ayuda" } });
    await server.waitForDelivery((d) => d.event === "message");
    await gateway(server, "POST", "p-ev/conversations/close", { botId: "bot-1", userId: "user-1" });
    await server.waitForDelivery((d) => d.event === "conversation.close");

    expect(hook.got.map((r) => r.body.event ?? r.body.event_type)).toEqual([
      "conversation.start",
      "message",
      "conversation.close",
    ]);
    const [name, value] = header(credential);
    for (const { headers, raw, body } of hook.got) {
      expect(headers["x-jelou-signature"]).toBe(sign(raw, secret));
      expect(headers[name as string]).toBe(value);
      expect(headers["content-type"]).toBe("application/json");
      // Compact JSON: the bytes Jelou's documented verifier re-creates with JSON.stringify.
      expect(raw.toString()).toBe(JSON.stringify(body));
      const schema = body.event_type === "message" ? "MessageEvent" : schemaOf[body.event as keyof typeof schemaOf];
      expect(validator.validateSchema(schema as "MessageEvent", body)).toEqual([]);
    }
    const [start, message, close] = hook.got.map((r) => r.body);
    expect(start).toMatchObject({
      project_id: "p-ev",
      room_id: started.body.data.roomId,
      conversation: { id: conversationId, state: "active" },
      contact: { id: "user-1" },
      bot: { id: "bot-1" },
      initialMessage: "Hola",
      assignment: { type: "queue", target: "SOPORTE" },
    });
    expect(message).toMatchObject({
      event_type: "message",
      value: { type: "text", content: { body: "Necesito ayuda" } },
    });
    expect(close).toMatchObject({
      reason: "closed_by_operator",
      conversation: { id: conversationId, state: "closed" },
    });
    expect(server.transcript("p-ev", conversationId)).toEqual([
      { from: "user", at: expect.any(String), value: message.value },
    ]);
  });

  it("sends no auth header for no_auth, and nothing for a project without an integration", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    await gateway(server, "POST", "p-none/conversations/start", { botId: "b", userId: "u" });
    await gateway(server, "POST", "p-na", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-na/conversations/start", { botId: "b", userId: "u" });
    const delivered = await server.waitForDelivery();
    expect(delivered).toMatchObject({ projectId: "p-na", outcome: "delivered" });
    expect(delivered).not.toHaveProperty("authHeader");
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0]?.headers.authorization).toBeUndefined();
    expect(server.deliveries().map((d) => d.projectId)).toEqual(["p-na"]);
  });

  it("redelivers the same bytes with the same signature, as a new record", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    await gateway(server, "POST", "p-re", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-re/conversations/start", { botId: "b", userId: "u" });
    const first = await server.waitForDelivery();
    const again = await fetch(`${server.url}/__admin/deliveries/${first.id}/redeliver`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(again.status).toBe(202);
    const second = (await again.json()) as Json;
    await server.waitForDelivery((d) => d.id === second.id);
    expect(second).toMatchObject({ redeliveryOf: first.id, signature: first.signature });
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1]?.raw.equals(hook.got[0]?.raw as Buffer)).toBe(true);
    expect(hook.got[1]?.headers["x-jelou-signature"]).toBe(hook.got[0]?.headers["x-jelou-signature"]);
    const unknown = await fetch(`${server.url}/__admin/deliveries/nope/redeliver`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect([unknown.status, ((await unknown.json()) as Json).error.key]).toEqual([404, "DELIVERY_NOT_FOUND"]);
  });

  it("retries a 500 with --webhook-retries, and stops at the first 2xx", async () => {
    const hook = await receiver((n) => (n < 3 ? 500 : 200));
    closers.push(hook.close);
    const server = await fake({ webhookRetries: 3, webhookRetryBaseMs: 5 });
    await gateway(server, "POST", "p-retry", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-retry/conversations/start", { botId: "b", userId: "u" });
    const delivery = await server.waitForDelivery();
    expect(delivery.outcome).toBe("delivered");
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    expect(hook.got).toHaveLength(3);
  });

  it.each([
    [
      "bad-signature",
      (got: Received[], secret: string) => {
        expect(got).toHaveLength(1);
        expect(got[0]?.headers["x-jelou-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(got[0]?.headers["x-jelou-signature"]).not.toBe(sign(got[0]?.raw as Buffer, secret));
      },
    ],
    [
      "no-auth",
      (got: Received[]) => {
        expect(got).toHaveLength(1);
        expect(got[0]?.headers.authorization).toBeUndefined();
      },
    ],
    [
      "duplicate",
      (got: Received[]) => {
        expect(got).toHaveLength(2);
        expect(got[1]?.raw.equals(got[0]?.raw as Buffer)).toBe(true);
      },
    ],
  ])("applies the %s fault asked by header, and by the admin API for a project", async (fault, check) => {
    for (const how of ["header", "admin"]) {
      const hook = await receiver();
      closers.push(hook.close);
      const server = await fake();
      const created = await gateway(server, "POST", "p-f", {
        webhookUrl: hook.url,
        authType: "bearer",
        authorization: "tok-fault",
      });
      if (how === "admin") {
        const put = await fetch(`${server.url}/__admin/webhook-faults`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ fault, projectId: "p-f" }),
        });
        expect(put.status).toBe(200);
      }
      const headers = how === "header" ? { "x-fake-jelou-webhook-fault": fault } : {};
      await gateway(server, "POST", "p-f/conversations/start", { botId: "b", userId: "u" }, headers);
      await server.waitForDelivery((d) => d.redeliveryOf === undefined);
      if (fault === "duplicate") await server.waitForDelivery((d) => d.redeliveryOf !== undefined);
      check(hook.got, created.body.data.signingSecret);
      expect(server.deliveries()[0]?.fault).toBe(fault);
    }
  });

  it("delivers a conversation's events in order: close waits for the start's retries", async () => {
    const hook = await receiver((n) => (n === 1 ? 500 : 200));
    closers.push(hook.close);
    const server = await fake({ webhookRetries: 1, webhookRetryBaseMs: 50 });
    await gateway(server, "POST", "p-order", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-order/conversations/start", { botId: "b", userId: "u" });
    await gateway(server, "POST", "p-order/conversations/close", { botId: "b", userId: "u" });
    await server.waitForDelivery((d) => d.event === "conversation.close");
    expect(hook.got.map((r) => r.body.event)).toEqual([
      "conversation.start",
      "conversation.start",
      "conversation.close",
    ]);
  });

  it("delivers close before start under the out-of-order fault", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    await gateway(server, "POST", "p-o", { webhookUrl: hook.url });
    server.setWebhookFault("out-of-order", "p-o");
    await gateway(server, "POST", "p-o/conversations/start", { botId: "b", userId: "u" });
    await gateway(server, "POST", "p-o/conversations/close", { botId: "b", userId: "u" });
    await server.waitForDelivery((d) => d.event === "conversation.start");
    expect(hook.got.map((r) => r.body.event)).toEqual(["conversation.close", "conversation.start"]);
  });

  it("refuses an unknown fault by header (400) and by the admin API, naming the valid ones", async () => {
    const server = await fake();
    const reply = await gateway(
      server,
      "POST",
      "p/conversations/start",
      { botId: "b", userId: "u" },
      {
        "x-fake-jelou-webhook-fault": "sometimes",
      },
    );
    expect([reply.status, reply.body.error.key]).toEqual([400, "UNKNOWN_WEBHOOK_FAULT"]);
    expect(() => server.setWebhookFault("sometimes" as "duplicate")).toThrow(
      "bad-signature, no-auth, duplicate, out-of-order",
    );
    const started = await gateway(server, "POST", "p/conversations/start", { botId: "b2", userId: "u2" });
    const bogus = { webhookFault: "sometimes" as "duplicate" };
    const text = { type: "text" as const, content: { body: "x" } };
    expect(() => server.sendUserMessage("p", started.body.data._id, text, bogus)).toThrow(
      "webhookFault must be one of",
    );
    expect(server.transcript("p", started.body.data._id)).toEqual([]);
  });

  it("keeps per-project faults within the rules' count and byte budget, and names what is wrong with a body", async () => {
    const server = await fake({ ruleLimit: 2, ruleBudgetBytes: 2_000 });
    const put = async (body: unknown) => {
      const res = await fetch(`${server.url}/__admin/webhook-faults`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    expect((await put({ fault: "duplicate", projectId: "x".repeat(1_900) })).body.error.key).toBe(
      "RULE_BUDGET_REACHED",
    );
    expect((await put({ fault: "duplicate", projectId: "a" })).status).toBe(200);
    expect((await put({ fault: "no-auth", projectId: "b" })).status).toBe(200);
    expect((await put({ fault: "no-auth", projectId: "c" })).body.error.key).toBe("RULE_LIMIT_REACHED");
    expect((await put({ fault: "duplicate" })).body.faults).toEqual([
      { fault: "duplicate" },
      { projectId: "a", fault: "duplicate" },
      { projectId: "b", fault: "no-auth" },
    ]);
    expect(server.stats()).toMatchObject({ webhookFaults: 2, webhookFaultBytes: expect.any(Number) });
    expect((await put(["duplicate"])).body.error.key).toBe("INVALID_BODY");
    expect((await put({ fault: "duplicate", extra: 1 })).body.validationError).toHaveProperty("extra");
    expect((await put({ fault: null, projectId: "a" })).body.faults).toHaveLength(2);
  });

  it("never shows a secret in the deliveries log, in any encoding", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    const credential = "user-zz:very-secret-pw";
    const created = await gateway(server, "POST", "p-s", {
      webhookUrl: hook.url,
      authType: "basic",
      authorization: credential,
    });
    await gateway(server, "POST", "p-s/conversations/start", { botId: "b", userId: "u" });
    await server.waitForDelivery();
    const res = await fetch(`${server.url}/__admin/deliveries`);
    const text = `${await res.text()}${JSON.stringify(server.deliveries())}`;
    const secret = created.body.data.signingSecret as string;
    for (const hidden of [
      secret,
      credential,
      "very-secret-pw",
      Buffer.from(credential).toString("base64"),
      "q-secret",
    ]) {
      expect(text).not.toContain(hidden);
    }
    expect(JSON.parse(text.slice(0, text.indexOf("}]}") + 3)).deliveries[0]).toMatchObject({
      origin: new URL(hook.url).origin,
      path: "/hooks/jelou",
      authHeader: "Authorization",
    });
  });

  it("filters the log by project, event and outcome, newest first, and refuses a bad filter", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const server = await fake();
    await gateway(server, "POST", "p-l", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-l/conversations/start", { botId: "b", userId: "u" });
    await gateway(server, "POST", "p-l/conversations/close", { botId: "b", userId: "u" });
    await server.waitForDelivery((d) => d.event === "conversation.close");
    const list = async (query: string) => {
      const res = await fetch(`${server.url}/__admin/deliveries${query}`);
      return { status: res.status, body: (await res.json()) as Json };
    };
    expect((await list("")).body.deliveries.map((d: Json) => d.event)).toEqual([
      "conversation.close",
      "conversation.start",
    ]);
    expect((await list("?event=conversation.start")).body.deliveries).toHaveLength(1);
    expect((await list("?projectId=other")).body.deliveries).toEqual([]);
    expect((await list("?outcome=failed")).body.deliveries).toEqual([]);
    expect((await list("?limit=1")).body.deliveries).toHaveLength(1);
    expect((await list("?event=nope")).status).toBe(400);
  });
});

describe("a receiver that is down, slow or failing never touches the fake's answers", () => {
  it.each([
    ["down (connection refused)", "refused"],
    ["slow (past --webhook-timeout)", "timeout"],
    ["failing (500)", undefined],
  ])("%s: start and close answer at once, and the delivery says why it failed", async (_name, error) => {
    const hook = await receiver(() => (error === "timeout" ? "hang" : 500));
    closers.push(hook.close);
    if (error === "refused") hook.close();
    const server = await fake({ webhookTimeoutMs: 100 });
    await gateway(server, "POST", "p-d", { webhookUrl: hook.url });
    const started = await gateway(server, "POST", "p-d/conversations/start", { botId: "b", userId: "u" });
    expect(started.status).toBe(200);
    const closed = await gateway(server, "POST", "p-d/conversations/close", { botId: "b", userId: "u" });
    expect(closed.status).toBe(200);
    const failed = await server.waitForDelivery((d) => d.event === "conversation.close");
    expect(failed.outcome).toBe("failed");
    expect(failed.attempts[0]).toMatchObject(error ? { error } : { status: 500 });
  });

  it("one that never answers holds at most 1000 deliveries: redeliveries past them fail at once as overflow", async () => {
    const hook = await receiver(() => "hang");
    closers.push(hook.close);
    const server = await fake();
    await gateway(server, "POST", "p-h", { webhookUrl: hook.url });
    await gateway(server, "POST", "p-h/conversations/start", { botId: "b", userId: "u" });
    await expect.poll(() => hook.got.length).toBe(1);
    const start = server.deliveries()[0] as DeliveryRecord;
    const again = Array.from({ length: 1_000 }, () => server.redeliver(start.id));
    expect(again.filter((d) => d.outcome === "pending")).toHaveLength(999);
    const refused = await fetch(`${server.url}/__admin/deliveries/${start.id}/redeliver`, {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    expect(refused.status).toBe(202);
    expect(await refused.json()).toMatchObject({ outcome: "failed", attempts: [{ attempt: 1, error: "overflow" }] });
    const listed = await fetch(`${server.url}/__admin/deliveries`);
    expect(listed.status).toBe(200);
    const { deliveries } = (await listed.json()) as { deliveries: DeliveryRecord[] };
    expect(deliveries).toHaveLength(1_000);
    expect(deliveries.every((d) => d.outcome === "pending")).toBe(true);
    expect(hook.got).toHaveLength(1);
  });

  it("bound beyond loopback, delivers to no host unless --webhook-allow lists it", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    for (const [webhookAllow, outcome] of [
      [undefined, "failed"],
      [["127.0.0.1"], "delivered"],
    ] as const) {
      const server = await fake({ host: "0.0.0.0", ...(webhookAllow && { webhookAllow }) });
      const local = { ...server, baseUrl: `http://127.0.0.1:${server.port}/jelouapi` } as MockServer;
      await gateway(local, "POST", "p-x", { webhookUrl: hook.url });
      await gateway(local, "POST", "p-x/conversations/start", { botId: "b", userId: "u" });
      expect((await server.waitForDelivery()).outcome).toBe(outcome);
    }
    expect(hook.got).toHaveLength(1);
  });

  it("bound to loopback, delivers to this machine's names and the hosts listed, and nowhere else", async () => {
    const hook = await receiver();
    closers.push(hook.close);
    // 127.0.0.2 is this machine too, but not one of the names a loopback fake allows by itself.
    const elsewhere = hook.url.replace("127.0.0.1", "127.0.0.2");
    for (const [webhookAllow, error] of [
      [undefined, "not-allowed"],
      [["127.0.0.2"], "refused"],
    ] as const) {
      const server = await fake(webhookAllow ? { webhookAllow: [...webhookAllow] } : {});
      await gateway(server, "POST", "p-a", { webhookUrl: elsewhere });
      await gateway(server, "POST", "p-a/conversations/start", { botId: "b", userId: "u" });
      expect(await server.waitForDelivery()).toMatchObject({ outcome: "failed", attempts: [{ error }] });
      await gateway(server, "POST", "p-b", { webhookUrl: hook.url.replace("127.0.0.1", "localhost") });
      await gateway(server, "POST", "p-b/conversations/start", { botId: "b", userId: "u" });
      expect((await server.waitForDelivery((d) => d.projectId === "p-b")).outcome).toBe("delivered");
    }
  });
});

describe("simulated end users over the admin API", () => {
  let server: MockServer;
  let conversationId: string;
  beforeAll(async () => {
    server = await startMockServer({ port: 0 });
  });
  afterAll(() => server.close());

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${server.url}/__admin/conversations/${path}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it("records the message (201), lists the transcript in order, and refuses what it cannot take", async () => {
    const started = await gateway(server, "POST", "p-u/conversations/start", { botId: "b", userId: "u" });
    conversationId = started.body.data._id;
    const image = { type: "image", content: { url: "https://x.test/a.jpg", mime_type: "image/jpeg" } };
    const sent = await post(`p-u/${conversationId}`, image);
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ from: "user", value: { ...image, id: expect.any(String) } });
    const wrong = await post(`p-u/${conversationId}`, { type: "text", content: { text: "x" } });
    expect([wrong.status, Object.keys(wrong.body.validationError)]).toEqual([400, ["content.body"]]);
    expect((await post(`p-u/nope`, image)).body.error.key).toBe("CONVERSATION_NOT_STARTED");
    await gateway(server, "POST", "p-u/conversations/close", { botId: "b", userId: "u" });
    const late = await post(`p-u/${conversationId}`, image);
    expect([late.status, late.body.error.key]).toEqual([409, "CONVERSATION_NOT_ACTIVE"]);
    const transcript = await fetch(`${server.url}/__admin/conversations/p-u/${conversationId}/messages`);
    expect(((await transcript.json()) as Json).messages).toEqual([sent.body]);
    expect(() => server.sendUserMessage("p-u", conversationId, image as Json)).toThrow("is closed");
  });
});
