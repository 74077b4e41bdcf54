// What the fake POSTs for an event: the payload serialised once, signed over those bytes, with the auth header the
// integration's `authType` asks for. Pure: the delivery engine only sends what this decided.
import type { StoredIntegration } from "../state.ts";
import type { WebhookEventName, WebhookPayload } from "./events.ts";

/** A way to break a delivery on purpose, to test the team's handler (docs/webhooks.md). */
export type DeliveryFault = "bad-signature" | "no-auth" | "duplicate" | "out-of-order";

/** Every delivery fault, in the order the docs list them. */
export const DELIVERY_FAULTS: readonly DeliveryFault[] = ["bad-signature", "no-auth", "duplicate", "out-of-order"];

/**
 * The fault a request asks for with `X-Fake-Jelou-Webhook-Fault`, else `fallback` (the project's, set through the
 * admin API); or, when the header names no fault, the message that says which ones there are.
 */
export function requestedFault(
  header: string | undefined,
  fallback: DeliveryFault | undefined,
): { fault: DeliveryFault | undefined } | { error: string } {
  if (header === undefined) return { fault: fallback };
  const fault = DELIVERY_FAULTS.find((name) => name === header.trim().toLowerCase());
  if (fault) return { fault };
  return {
    error: `X-Fake-Jelou-Webhook-Fault must be one of ${DELIVERY_FAULTS.join(", ")}, not "${header.slice(0, 100)}".`,
  };
}

/** One event to deliver: where, the exact bytes, and the secrets the engine needs but never records. */
export interface DeliveryRequest {
  event: WebhookEventName;
  projectId: string;
  conversationId: string;
  /** The integration's webhookUrl. */
  url: string;
  /** The compact JSON of the payload: the bytes sent and signed. */
  body: Buffer;
  signingSecret: string;
  authHeader?: { name: string; value: string };
  fault?: DeliveryFault;
}

/** The header Jelou adds for the integration's `authType` (spec/README.md §24), if any. */
export function authHeaderOf(stored: StoredIntegration): DeliveryRequest["authHeader"] {
  const credential = stored.authorization;
  if (credential === undefined) return undefined;
  switch (stored.integration.authType) {
    case "bearer":
      return { name: "Authorization", value: `Bearer ${credential}` };
    case "api_key":
      return { name: "X-API-Key", value: credential };
    case "basic":
      return { name: "Authorization", value: `Basic ${Buffer.from(credential).toString("base64")}` };
    default:
      return undefined;
  }
}

/** The delivery of an event to the project's integration; undefined when the project has none to call. */
export function outgoingEvent(
  stored: StoredIntegration | undefined,
  event: WebhookEventName,
  conversationId: string,
  payload: WebhookPayload,
  fault: DeliveryFault | undefined,
): DeliveryRequest | undefined {
  if (stored === undefined) return undefined;
  const authHeader = authHeaderOf(stored);
  return {
    event,
    projectId: stored.projectId,
    conversationId,
    url: stored.integration.webhookUrl,
    body: Buffer.from(JSON.stringify(payload)),
    signingSecret: stored.integration.signingSecret,
    ...(authHeader && { authHeader }),
    ...(fault && { fault }),
  };
}
