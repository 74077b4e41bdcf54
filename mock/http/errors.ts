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
  if (err.type === "entity.parse.failed")
    return sendFakeError(res, "INVALID_BODY", `Malformed JSON body: ${err.message}.`);
  if (err.type === "entity.too.large")
    return sendFakeError(res, "PAYLOAD_TOO_LARGE", `The body exceeds ${ADMIN_BODY_LIMIT}.`);
  if (err.status === 415) return sendFakeError(res, "UNSUPPORTED_MEDIA_TYPE", `Unsupported body: ${err.message}.`);
  if (typeof err.status === "number" && err.status >= 400 && err.status < 500) {
    return sendFakeError(res, "INVALID_BODY", `Bad request: ${err.message ?? "unreadable request"}.`);
  }
  console.error("fake-jelou: unexpected error while serving a request:", err);
  sendFakeError(res, "INTERNAL_ERROR", "fake-jelou failed unexpectedly; see its log. This is a bug of fake-jelou.");
};
