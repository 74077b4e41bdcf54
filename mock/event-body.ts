// The response body a request event carries: what the client got, as text, without the secrets some bodies hold.
import type { EventResponseBody } from "./event-hub.ts";
import { cutUtf8 } from "./journal.ts";
import { EVENT_BODY_BYTES } from "./limits.ts";

/** Keys whose values are secrets wherever they appear: Create integration answers with its `signingSecret`. */
const SECRET_KEYS = new Set(["signingSecret", "authorization"]);
export const REDACTED = "[redacted]";

// Generated bodies are cached buffers, answered again and again: each is turned into text once.
const ofBuffer = new WeakMap<Buffer, EventResponseBody>();

/** A reply's body (bytes or a JSON value) as text for an event: secret keys redacted, cut to `maxBytes`. */
export function eventBody(body: unknown, maxBytes: number = EVENT_BODY_BYTES): EventResponseBody {
  if (!Buffer.isBuffer(body) || maxBytes !== EVENT_BODY_BYTES) return textOf(body, maxBytes);
  let text = ofBuffer.get(body);
  if (text === undefined) {
    text = textOf(body, maxBytes);
    ofBuffer.set(body, text);
  }
  return text;
}

function textOf(body: unknown, maxBytes: number): EventResponseBody {
  let text = Buffer.isBuffer(body) ? body.toString("utf8") : (JSON.stringify(body) ?? "");
  if ([...SECRET_KEYS].some((name) => text.includes(`"${name}"`))) text = redactedText(text);
  const cut = cutUtf8(text, maxBytes);
  return { contentType: "application/json", body: cut, ...(cut.length < text.length && { truncated: true }) };
}

// A body that names a secret key but is not JSON cannot be redacted field by field: none of it is shown.
function redactedText(text: string): string {
  try {
    return JSON.stringify(redacted(JSON.parse(text)));
  } catch {
    return JSON.stringify(REDACTED);
  }
}

function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, child]) => [name, SECRET_KEYS.has(name) ? REDACTED : redacted(child)]),
  );
}
