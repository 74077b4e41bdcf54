// The response body a request event carries: what the client got, as text, without the secrets some bodies hold.
import type { EventResponseBody } from "./event-hub.ts";
import { cutUtf8 } from "./journal.ts";
import { EVENT_BODY_BYTES } from "./limits.ts";
import { mayHoldSecrets, REDACTED, redacted } from "./redact.ts";

// Generated bodies are cached buffers, answered again and again: each is turned into text once.
const ofBuffer = new WeakMap<Buffer, EventResponseBody>();

/** A reply's body (bytes or a JSON value) as text for an event: secrets redacted, cut to `maxBytes`. */
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
  if (mayHoldSecrets(text)) text = redactedText(text);
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
