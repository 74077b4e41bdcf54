// A typed consumer of Jelou's Get Conversation, on openapi-fetch and the generated types. It never throws for an
// HTTP outcome: every answer, and every way of getting none, is a value of GetConversationResult.
import createClient from "openapi-fetch";
import type { operations, paths, SchemaConversation } from "../generated/jelou-external-support.ts";

/** A conversation as Jelou returns it; narrows on `state` (a closed one has `endAt` and `endedReason`). */
export type Conversation = SchemaConversation;
/** Jelou's error envelope, as the spec declares it for 401, 404 and 500. */
export type JelouErrorBody = operations["getConversation"]["responses"][404]["content"]["application/json"];
type SuccessBody = operations["getConversation"]["responses"][200]["content"]["application/json"];

export interface JelouClientOptions {
  /** Jelou's base URL, e.g. `https://gateway.jelou.ai/jelouapi` or the fake's `http://127.0.0.1:4010/jelouapi`. */
  baseUrl: string;
  /** The project API key, sent as `x-api-key`. Give this or `basic`, not both. */
  apiKey?: string;
  /** HTTP Basic credentials. Give this or `apiKey`, not both. */
  basic?: { clientId: string; clientSecret: string };
  /** Per-request deadline, body included, in ms (default 10000). */
  timeoutMs?: number;
  /** The fetch to use (default: globalThis.fetch), e.g. to record or to route through a proxy. */
  fetch?: typeof globalThis.fetch;
}

export type JelouErrorKind =
  | "unauthorized"
  | "not-found"
  | "server-error"
  | "unexpected-status"
  | "network"
  | "timeout";

/** Why a call did not return a conversation. `message` never carries a credential. */
export interface JelouError {
  kind: JelouErrorKind;
  /** HTTP status, when Jelou answered. */
  status?: number;
  /** The parsed JSON body (or the raw text) when Jelou answered. */
  body?: JelouErrorBody | unknown;
  message: string;
}

export type GetConversationResult = { ok: true; conversation: Conversation } | { ok: false; error: JelouError };

export interface JelouClient {
  /** Fetches one conversation; resolves with a result for every outcome, HTTP or network. */
  getConversation(projectId: string, conversationId: string): Promise<GetConversationResult>;
}

/** A client configured wrongly: thrown by createJelouClient, naming the option, never its value. */
export class JelouClientConfigError extends Error {
  override name = "JelouClientConfigError";
}

/** Creates a client for one base URL and one credential. */
export function createJelouClient(options: JelouClientOptions): JelouClient {
  const { timeoutMs = 10_000 } = options;
  const origin = safeOrigin(options.baseUrl);
  // setTimeout's ceiling: a larger value would fire at once.
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647) {
    throw new JelouClientConfigError(
      `Failed to create the Jelou client: timeoutMs must be a positive whole number, not ${timeoutMs}.`,
    );
  }
  const headers = credentialHeaders(options);
  // Everything that would let a reader authenticate: removed from any message a lower layer writes.
  const secrets = [options.apiKey, options.basic?.clientSecret, headers.Authorization?.slice("Basic ".length)].filter(
    (s): s is string => Boolean(s),
  );
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    // Following a redirect would carry the credentials to whatever origin it names: a 3xx is reported instead.
    redirect: "manual",

    ...(options.fetch && { fetch: options.fetch }),
  });

  const get = (projectId: string, conversationId: string) =>
    client.GET("/v1/external-support/{projectId}/conversations/{conversationId}", {
      params: { path: { projectId, conversationId } },
      parseAs: "text",
      signal: AbortSignal.timeout(timeoutMs),
    });

  return {
    async getConversation(projectId, conversationId) {
      // "." and ".." are dot segments to every URL parser, even percent-encoded: no request could name them.
      if ([projectId, conversationId].some((id) => !id || id === "." || id === "..")) {
        throw new TypeError(
          'Failed to get a conversation: projectId and conversationId must be non-empty strings other than "." and "..".',
        );
      }
      let result: Awaited<ReturnType<typeof get>>;
      try {
        result = await get(projectId, conversationId);
      } catch (error) {
        const failure = transportError(error, origin, timeoutMs);
        return { ok: false, error: { ...failure, message: redact(failure.message, secrets) } };
      }
      const { response } = result;
      // 2xx bodies arrive as text (parseAs) so that a non-JSON one is reported, not thrown; openapi-fetch has
      // already parsed error bodies as JSON where they were JSON.
      const text = typeof result.data === "string" ? result.data : undefined;
      const body: unknown = response.ok ? (text === undefined ? undefined : (parseJson(text) ?? text)) : result.error;
      const { status } = response;
      if (status === 200) {
        const conversation = typeof body === "object" && body !== null ? (body as SuccessBody).data : undefined;
        if (isConversation(conversation)) return { ok: true, conversation };
        return fail("unexpected-status", status, body, "Jelou answered 200 without a conversation in data.");
      }
      if (status === 401) return fail("unauthorized", status, body, "Jelou rejected the credentials (401).");
      if (status === 404)
        return fail(
          "not-found",
          status,
          body,
          `Jelou has no conversation ${conversationId} in project ${projectId} (404).`,
        );
      if (status >= 500) return fail("server-error", status, body, `Jelou failed with ${status}.`);
      return fail("unexpected-status", status, body, `Jelou answered ${status}, which the spec does not declare.`);
    },
  };
}

// Enough to hand the caller a value whose type narrows honestly on `state`; the full check is the drift check's.
function isConversation(value: unknown): value is Conversation {
  const c = value as Partial<Conversation> | null | undefined;
  return typeof c?._id === "string" && (c.state === "active" || c.state === "closed");
}

function fail(kind: JelouErrorKind, status: number, body: unknown, message: string): GetConversationResult {
  return { ok: false, error: { kind, status, body, message } };
}

// Visible ASCII and spaces: what an HTTP header value can carry (no CR, LF or NUL, nothing outside Latin-1).
const HEADER_VALUE = /^[\x20-\x7e]+$/;

function credentialHeaders(options: JelouClientOptions): Record<string, string> {
  const { apiKey, basic } = options;
  if ((apiKey === undefined) === (basic === undefined)) {
    throw new JelouClientConfigError("Failed to create the Jelou client: give exactly one of apiKey or basic.");
  }
  if (apiKey !== undefined) {
    if (apiKey.trim() === "") throw new JelouClientConfigError("Failed to create the Jelou client: apiKey is empty.");
    if (!HEADER_VALUE.test(apiKey)) {
      throw new JelouClientConfigError(
        "Failed to create the Jelou client: apiKey has characters a header cannot carry.",
      );
    }
    return { "x-api-key": apiKey };
  }
  if (!basic?.clientId || !basic.clientSecret || basic.clientId.includes(":")) {
    throw new JelouClientConfigError(
      "Failed to create the Jelou client: basic needs a non-empty clientId (without ':') and clientSecret.",
    );
  }
  return { Authorization: `Basic ${Buffer.from(`${basic.clientId}:${basic.clientSecret}`).toString("base64")}` };
}

// The origin only: a base URL may carry user:password@, which must never reach a message.
function safeOrigin(baseUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new JelouClientConfigError("Failed to create the Jelou client: baseUrl must be an absolute http(s) URL.");
  }
  if (url.username || url.password) {
    throw new JelouClientConfigError(
      "Failed to create the Jelou client: baseUrl must not carry user:password@; pass credentials as apiKey or basic.",
    );
  }
  return url.origin;
}

function transportError(error: unknown, origin: string, timeoutMs: number): JelouError {
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return { kind: "timeout", message: `Jelou at ${origin} did not answer within ${timeoutMs} ms.` };
  }
  // undici reports "fetch failed" and keeps the reason (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const detail = [cause?.code, cause?.message].filter(Boolean).join(": ");
  const reason = detail || ((error as Error | null)?.message ?? "unknown error");
  return { kind: "network", message: `Failed to reach Jelou at ${origin}: ${reason}.` };
}

function redact(message: string, secrets: readonly string[]): string {
  return secrets.reduce((text, secret) => text.replaceAll(secret, "[redacted]"), message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
