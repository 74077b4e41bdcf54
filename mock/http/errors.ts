// Errors the fake answers itself, in Jelou's envelope: its own refusals, and the errors Express's parsers raise.
import type { ErrorRequestHandler, Response } from "express";
import type { Reply } from "../core/plan.ts";
import { FAKE_ERRORS, type FakeErrorKey, fakeErrorBody } from "../error-bodies.ts";
import { ADMIN_BODY_LIMIT } from "../limits.ts";

/** Sends a reply the core planned: bytes as they are, any other body as JSON. */
export function sendReply(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if (Buffer.isBuffer(reply.body)) res.type("application/json").send(reply.body);
  else res.json(reply.body);
}

/** Answers with one of fake-jelou's own errors; `fields` fills validationError. */
export function sendFakeError(
  res: Response,
  key: FakeErrorKey,
  message: string,
  fields?: Record<string, string>,
): void {
  res.status(FAKE_ERRORS[key].status).json(fakeErrorBody(key, message, fields));
}

/** The last error handler: body-parser and the router mark their errors with `type` and a 4xx `status`; anything else is a bug of ours. */
export const errorHandler: ErrorRequestHandler = (
  err: { type?: string; status?: number; message?: string },
  _req,
  res,
  _next,
) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof URIError) {
    return sendFakeError(
      res,
      "INVALID_PATH_ENCODING",
      "The path is not valid percent-encoding: each % must start an escape of two hex digits, and the escaped bytes must be UTF-8.",
    );
  }
  const bodyError = bodyErrorOf(err, ADMIN_BODY_LIMIT);
  if (bodyError) return sendFakeError(res, bodyError.key, bodyError.message);
  console.error("fake-jelou: unexpected error while serving a request:", err);
  sendFakeError(res, "INTERNAL_ERROR", "fake-jelou failed unexpectedly; see its log. This is a bug of fake-jelou.");
};

/** What a body parser's error means to a client, or undefined when it is not one (then it is a bug of ours). */
export function bodyErrorOf(
  err: unknown,
  limit: string,
): { key: "INVALID_BODY" | "PAYLOAD_TOO_LARGE" | "UNSUPPORTED_MEDIA_TYPE"; message: string } | undefined {
  const { type, status, message } = (err ?? {}) as { type?: string; status?: number; message?: string };
  if (type === "entity.parse.failed") {
    // V8's message quotes the text around the error, which may be a credential: only the position is repeated.
    const at = /position (\d+)/.exec(message ?? "")?.[1];
    return {
      key: "INVALID_BODY",
      message: `Malformed JSON body${at ? ` (at position ${at})` : ""}; its text is not repeated.`,
    };
  }
  if (type === "entity.too.large") return { key: "PAYLOAD_TOO_LARGE", message: `The body exceeds ${limit}.` };
  if (status === 415) return { key: "UNSUPPORTED_MEDIA_TYPE", message: `Unsupported body: ${message}.` };
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { key: "INVALID_BODY", message: `Bad request: ${message ?? "unreadable request"}.` };
  }
  return undefined;
}
