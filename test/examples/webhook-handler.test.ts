// examples/webhook-handler/, which docs/webhooks.md offers as a handler to copy, driven end to end by the fake on
// loopback: the fake delivers signed events to it, and it answers the end user through the fake's send-message.
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWebhookApp, isJelouSignature } from "../../examples/webhook-handler/app.ts";
import { createEventProcessor } from "../../examples/webhook-handler/events.ts";
import { type MockServer, startMockServer } from "../../mock/index.ts";

const PROJECT = "p-panel";
const TOKEN = "panel-bearer-token";
const PAIR = { botId: "bot-1", userId: "user-1" };

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * The fake, and the handler registered as its project's bearer webhook. The handler's port must be known before the
 * integration is created, and the signing secret only after: the server listens first and gets its app then.
 */
async function setup() {
  const fake = await startMockServer({ port: 0 });
  closers.push(() => fake.close());
  const http = createServer();
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  closers.push(() => {
    http.closeAllConnections();
    http.close();
  });
  const webhookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/jelou/webhook`;
  const created = await gateway(fake, PROJECT, { webhookUrl, authType: "bearer", authorization: TOKEN });
  const { app, events } = createWebhookApp({
    signingSecret: created.data.signingSecret,
    bearerToken: TOKEN,
    chatbotUrl: `${fake.url}/chatbot`,
  });
  http.on("request", app);
  return { fake, events };
}

// biome-ignore lint/suspicious/noExplicitAny: the fake's answers are read loosely; the fake's own tests type them.
async function gateway(fake: MockServer, path: string, body: object, headers = {}): Promise<any> {
  const res = await fetch(`${fake.baseUrl}/v1/external-support/${path}`, {
    method: "POST",
    headers: { "x-api-key": "k", "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** Starts a conversation (with a webhook fault when given) and awaits the finished delivery of its start event. */
async function start(fake: MockServer, fault?: string) {
  const headers = fault ? { "x-fake-jelou-webhook-fault": fault } : {};
  const started = await gateway(fake, `${PROJECT}/conversations/start`, PAIR, headers);
  const delivery = await fake.waitForDelivery((d) => d.event === "conversation.start");
  return { conversationId: started.data._id as string, names: started.data.User.names as string, delivery };
}

describe("examples/webhook-handler", () => {
  it("verifies start, answers a user message through send-message, and records close, in order", async () => {
    const { fake, events } = await setup();
    const { conversationId, names, delivery } = await start(fake);
    expect(delivery).toMatchObject({ outcome: "delivered", attempts: [{ status: 200 }] });
    expect(events.processed).toEqual([
      {
        event: "conversation.start",
        conversationId,
        projectId: PROJECT,
        contactName: names,
        at: expect.any(Number),
      },
    ]);

    const said = fake.sendUserMessage(PROJECT, conversationId, { type: "text", content: { body: "Necesito ayuda" } });
    // Delivered means the handler answered 200, which it does only once its reply was accepted.
    expect((await fake.waitForDelivery((d) => d.event === "message")).outcome).toBe("delivered");
    expect(fake.transcript(PROJECT, conversationId)).toEqual([
      said,
      {
        from: "agent",
        at: expect.any(String),
        value: {
          id: `reply-${said.value.id}`,
          type: "text",
          content: { body: "Recibimos tu mensaje: «Necesito ayuda»" },
        },
      },
    ]);

    expect(events.processed[1]).toMatchObject({
      event: "message",
      messageId: said.value.id,
      content: "Necesito ayuda",
    });

    await gateway(fake, `${PROJECT}/conversations/close`, PAIR);
    expect((await fake.waitForDelivery((d) => d.event === "conversation.close")).outcome).toBe("delivered");
    expect(events.processed.map((e) => e.event)).toEqual(["conversation.start", "message", "conversation.close"]);
    expect(events.processed[2]).toMatchObject({ conversationId, reason: "closed_by_operator" });
  });

  it("acknowledges a redelivery with 200 and acts once: one record, one reply", async () => {
    const { fake, events } = await setup();
    const { conversationId, delivery } = await start(fake);
    fake.sendUserMessage(PROJECT, conversationId, { type: "text", content: { body: "Hola" } });
    const message = await fake.waitForDelivery((d) => d.event === "message");
    for (const { id } of [delivery, message]) {
      const again = fake.redeliver(id);
      expect(await fake.waitForDelivery((d) => d.id === again.id)).toMatchObject({
        redeliveryOf: id,
        outcome: "delivered",
        attempts: [{ status: 200 }],
      });
    }
    expect(events.processed.map((e) => e.event)).toEqual(["conversation.start", "message"]);
    expect(fake.transcript(PROJECT, conversationId).map((m) => m.from)).toEqual(["user", "agent"]);
  });

  it("acts once on the duplicate fault: the same delivery twice, both acknowledged", async () => {
    const { fake, events } = await setup();
    const { conversationId } = await start(fake, "duplicate");
    await fake.waitForDelivery((d) => d.event === "conversation.start" && d.redeliveryOf !== undefined);
    fake.sendUserMessage(
      PROJECT,
      conversationId,
      { type: "text", content: { body: "Hola" } },
      { webhookFault: "duplicate" },
    );
    await fake.waitForDelivery((d) => d.event === "message" && d.redeliveryOf !== undefined);
    const copies = fake.deliveries().filter((d) => d.fault === "duplicate");
    expect(copies.map((d) => [d.event, d.outcome])).toEqual([
      ["message", "delivered"],
      ["message", "delivered"],
      ["conversation.start", "delivered"],
      ["conversation.start", "delivered"],
    ]);
    expect(events.processed.map((e) => e.event)).toEqual(["conversation.start", "message"]);
    expect(fake.transcript(PROJECT, conversationId).map((m) => m.from)).toEqual(["user", "agent"]);
  });

  it.each(["bad-signature", "no-auth"])("answers 401 to the %s fault and acts on nothing", async (fault) => {
    const { fake, events } = await setup();
    const { delivery } = await start(fake, fault);
    expect(delivery).toMatchObject({ fault, outcome: "failed", attempts: [{ status: 401 }] });
    expect(events.processed).toEqual([]);
  });

  it("answers 500 while send-message fails, and acts on the redelivery once it works", async () => {
    const { fake, events } = await setup();
    const { conversationId } = await start(fake);
    fake.setOperation({ operationId: "sendMessage", projectId: PROJECT, scenario: "server-error" });
    fake.sendUserMessage(PROJECT, conversationId, {
      type: "image",
      content: { url: "https://x.test/a.jpg", mime_type: "image/jpeg" },
    });
    const failed = await fake.waitForDelivery((d) => d.event === "message");
    expect(failed).toMatchObject({ outcome: "failed", attempts: [{ status: 500 }] });
    expect(events.processed.map((e) => e.event)).toEqual(["conversation.start"]);

    fake.deleteOperation("sendMessage", PROJECT);
    const again = fake.redeliver(failed.id);
    expect((await fake.waitForDelivery((d) => d.id === again.id)).outcome).toBe("delivered");
    expect(events.processed[1]).toMatchObject({
      event: "message",
      type: "image",
      content: "https://x.test/a.jpg",
      reply: "Recibimos tu imagen.",
    });
    expect(fake.transcript(PROJECT, conversationId).map((m) => m.from)).toEqual(["user", "agent"]);
  });
});

describe("the handler's HTTP layer", () => {
  it("answers 401 to a request without a body or signature, and 400 to a signed body that is not JSON", async () => {
    const http = createServer(createWebhookApp({ signingSecret: "s3cret", bearerToken: TOKEN, chatbotUrl: "" }).app);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    closers.push(() => http.close());
    const post = async (body: string | undefined, signature?: string) => {
      const headers = { authorization: `Bearer ${TOKEN}`, ...(signature && { "x-jelou-signature": signature }) };
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/jelou/webhook`;
      return (await fetch(url, { method: "POST", headers, ...(body !== undefined && { body }) })).status;
    };
    const sign = (body: string) => `sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`;
    expect(await post(undefined)).toBe(401);
    expect(await post(undefined, sign(""))).toBe(400);
    expect(await post("{}")).toBe(401);
    expect(await post("not json", sign("not json"))).toBe(400);
    expect(await post('{"event":"other"}', sign('{"event":"other"}'))).toBe(200);
  });
});

describe("the handler's event processing", () => {
  it("ignores a payload that is none of the events, and takes a second delivery as a duplicate", async () => {
    const sent: unknown[] = [];
    const events = createEventProcessor(async (message) => {
      sent.push(message);
    });
    expect(await events.process({ event: "conversation.transfer" })).toBe("ignored");
    expect(await events.process(null)).toBe("ignored");
    const close = { event: "conversation.close", timestamp: 1, conversation: { id: "c1" }, reason: "closed_by_user" };
    expect(await events.process(close)).toBe("processed");
    expect(await events.process({ ...close, timestamp: 2 })).toBe("duplicate");
    expect(events.processed).toEqual([
      { event: "conversation.close", conversationId: "c1", reason: "closed_by_user", at: 1 },
    ]);
    expect(sent).toEqual([]);
  });
});

describe("isJelouSignature", () => {
  const raw = Buffer.from('{"event":"conversation.start"}');
  const good = `sha256=${createHmac("sha256", "s3cret").update(raw).digest("hex")}`;

  it("accepts the HMAC of the exact bytes, in either case of hex", () => {
    expect(isJelouSignature(raw, good, "s3cret")).toBe(true);
    expect(isJelouSignature(raw, good.toUpperCase().replace("SHA256", "sha256"), "s3cret")).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["another secret's", `sha256=${createHmac("sha256", "other").update(raw).digest("hex")}`],
    ["a short digest", good.slice(0, -2)],
    ["another algorithm", good.replace("sha256", "sha1")],
    ["two values", `${good}, ${good}`],
    ["non-hex", `sha256=${"z".repeat(64)}`],
  ])("refuses %s, without throwing", (_name, header) => {
    expect(isJelouSignature(raw, header, "s3cret")).toBe(false);
  });
});
