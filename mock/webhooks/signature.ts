// Jelou's HMAC signature, both ways: `X-Jelou-Signature: sha256=<lower-case hex HMAC-SHA256 of the exact body bytes>`,
// keyed with the integration's signing secret. The same bytes must be signed and sent: serialise once.
import { createHmac, timingSafeEqual } from "node:crypto";

/** A body as sent or received: the exact bytes, or the string that is encoded to them as UTF-8. */
export type SignedBody = string | Uint8Array;

const HEADER = /^sha256=([0-9a-fA-F]{64})$/;

function digest(body: SignedBody, secret: string): Buffer {
  return createHmac("sha256", secret).update(body).digest();
}

/** The `X-Jelou-Signature` value of a body: `sha256=` and the lower-case hex HMAC-SHA256 keyed with `secret`. */
export function signJelouPayload(body: SignedBody, secret: string): string {
  return `sha256=${digest(body, secret).toString("hex")}`;
}

/**
 * True when `header` is the signature of the raw body with `secret`, compared in constant time. False, never a throw,
 * for a missing, repeated or malformed header, a body or secret of the wrong type, or an empty secret.
 */
export function verifyJelouSignature(rawBody: unknown, header: unknown, secret: unknown): boolean {
  if (typeof header !== "string" || typeof secret !== "string" || secret === "") return false;
  if (typeof rawBody !== "string" && !(rawBody instanceof Uint8Array)) return false;
  const match = HEADER.exec(header.trim());
  if (!match) return false;
  return timingSafeEqual(Buffer.from(match[1] as string, "hex"), digest(rawBody, secret));
}
