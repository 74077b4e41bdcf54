// A panel's webhook for Jelou's events, with Express and node:crypto only: it checks the auth header and the
// signature over the raw bytes, answers 401 to anything else, and acts once on each event (events.ts), answering the
// end user through send-message. Mount it where the integration's webhookUrl points: POST /jelou/webhook.
import { createHmac, timingSafeEqual } from "node:crypto";
import express, { type Express } from "express";
import type { SchemaSendMessageRequest } from "fake-jelou/client";
import { createEventProcessor, type EventProcessor } from "./events.ts";

/** What the panel was given when it created its integration. */
export interface WebhookOptions {
  /** The integration's `signingSecret` (Create integration answers it once). */
  signingSecret: string;
  /**
   * The `authorization` of an integration whose `authType` is `bearer`: Jelou sends `Authorization: Bearer <it>`.
   * (`api_key` sends `X-API-Key: <it>`, `basic` sends `Authorization: Basic <base64 of it>`: compare those instead.)
   */
  bearerToken: string;
  /** Jelou's chatbot host, `https://chatbot.jelou.ai` (the fake serves it under `<fake>/chatbot`). */
  chatbotUrl: string;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Equal bytes, compared in constant time (timingSafeEqual throws on unequal lengths; a length is no secret). */
function same(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** True when `header` is `sha256=` and the hex HMAC-SHA256 of the exact bytes received, keyed with `secret`. */
export function isJelouSignature(raw: Buffer, header: string | undefined, secret: string): boolean {
  const hex = SIGNATURE.exec(header ?? "")?.[1];
  if (hex === undefined) return false;
  return same(Buffer.from(hex, "hex"), createHmac("sha256", secret).update(raw).digest());
}

/** Sends a message to the end user: serialised once, and those bytes signed and sent. */
async function sendMessage(options: WebhookOptions, message: SchemaSendMessageRequest): Promise<void> {
  const body = JSON.stringify(message);
  const signature = `sha256=${createHmac("sha256", options.signingSecret).update(body).digest("hex")}`;
  const response = await fetch(`${options.chatbotUrl}/v1/external-support/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-jelou-signature": signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`send-message answered ${response.status}`);
}

/** The webhook app and its event processor (whose `processed` lists what it acted on). */
export function createWebhookApp(options: WebhookOptions): { app: Express; events: EventProcessor } {
  const events = createEventProcessor((message) => sendMessage(options, message));
  const bearer = Buffer.from(`Bearer ${options.bearerToken}`);
  const app = express();
  // express.raw keeps the bytes as received: JSON parsed and serialised again need not be the bytes Jelou signed. Any
  // media type: the signature, not the header, says whether the body is Jelou's.
  app.post("/jelou/webhook", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
    // No body at all leaves req.body unset: nothing was signed, so the check below refuses it.
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const authorized = same(Buffer.from(req.get("authorization") ?? ""), bearer);
    if (!authorized || !isJelouSignature(raw, req.get("x-jelou-signature"), options.signingSecret)) {
      res.sendStatus(401);
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString("utf8"));
    } catch {
      res.sendStatus(400);
      return;
    }
    // A duplicate is acknowledged like the first delivery, so that Jelou stops sending it. A failure (send-message
    // refused) rejects: Express answers 500, and a retry or a redelivery gets to act.
    await events.process(payload);
    res.sendStatus(200);
  });
  return { app, events };
}
