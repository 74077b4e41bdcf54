// One webhook POST, with node:http / node:https rather than fetch: a redirect is an answer to record, not to follow
// (following it would carry the signature and the credentials to whatever origin the receiver names).
import http, { type OutgoingHttpHeaders } from "node:http";
import https from "node:https";

/** Why an attempt got no complete answer (not-allowed and overflow: the engine refused it before any request). */
export type AttemptError = "refused" | "timeout" | "reset" | "not-allowed" | "overflow" | "dns" | "tls" | "other";

/** What one attempt got: the status when a response began, and an error when the exchange did not complete. */
export interface AttemptResult {
  status?: number;
  error?: Exclude<AttemptError, "not-allowed" | "overflow">;
}

/**
 * The most of a response body read before the connection is dropped: the body is discarded, so an answer whose body
 * runs past this counts by its status, as one that ended would.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

// The codes Node gives a certificate OpenSSL's verification refused (X509ErrorCode in Node's crypto_common.cc): a
// receiver's certificate problem is worth naming apart from a network failure.
const CERTIFICATE_ERRORS = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);

/** Whether a Node error code is a TLS failure: a certificate refused, or the handshake or record layer broken. */
function isTlsError(code: string): boolean {
  // EPROTO: how Node reports an OpenSSL record-layer error, such as a plain HTTP receiver behind an https URL.
  return (
    CERTIFICATE_ERRORS.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code === "EPROTO"
  );
}

/** The error an attempt records for a Node network error: by its code only, never its message (it may quote the URL). */
export function classifyError(error: unknown): Exclude<AttemptError, "not-allowed" | "overflow" | "timeout"> {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "refused";
    case "ECONNRESET":
      return "reset";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns";
    default:
      return typeof code === "string" && isTlsError(code) ? "tls" : "other";
  }
}

/**
 * POSTs `body` to `url` once, within `timeoutMs` for the whole exchange (connect, headers and body), or until `signal`
 * aborts (it must not be aborted yet). Resolves with what happened; never rejects. The URL's userinfo is not sent: credentials travel only in the
 * headers the caller chose.
 */
export function postOnce(
  url: URL,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const target = new URL(url);
    target.username = "";
    target.password = "";
    let status: number | undefined;
    let settled = false;
    let request: http.ClientRequest | undefined;
    const finish = (error?: AttemptResult["error"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      request?.destroy();
      resolve({ ...(status !== undefined && { status }), ...(error !== undefined && { error }) });
    };
    const onAbort = () => finish("other");
    const timer = setTimeout(() => finish("timeout"), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      // agent: false: a connection of its own (Connection: close), outside the global agent's pool and whatever
      // limits the host application set on it; finish() destroys it.
      request = (target.protocol === "https:" ? https : http).request(
        target,
        { method: "POST", headers, agent: false },
        (response) => {
          status = response.statusCode;
          let read = 0;
          response.on("data", (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) finish();
          });
          response.on("end", () => finish());
          // A body cut short (the socket closed mid-body) errors with ECONNRESET: the exchange did not complete.
          response.on("error", (error) => finish(classifyError(error)));
        },
      );
    } catch {
      // A header name or value node:http refuses, or a protocol it does not speak.
      return finish("other");
    }
    // Stays attached after finish: destroy() may emit one more error, which must not go unhandled.
    request.on("error", (error) => finish(classifyError(error)));
    request.end(body);
  });
}
