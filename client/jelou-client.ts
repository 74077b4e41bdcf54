// A typed consumer of the Jelou External Support API, on openapi-fetch and the generated types. It never throws for
// an HTTP outcome: every answer, and every way of getting none, is a value of its result type.
import createClient from "openapi-fetch";
import type {
  paths,
  SchemaActiveConversation,
  SchemaCloseConversationRequest,
  SchemaClosedConversation,
  SchemaConversation,
  SchemaCreatedIntegration,
  SchemaCreateIntegrationRequest,
  SchemaErrorEnvelope,
  SchemaIntegration,
  SchemaSendMessageRequest,
  SchemaSendMessageResponse,
  SchemaStartConversationRequest,
  SchemaUpdateIntegrationRequest,
} from "../generated/jelou-external-support.ts";
import { signJelouPayload } from "../mock/webhooks/signature.ts";

/** A conversation as Jelou returns it; narrows on `state` (a closed one has `endAt` and `endedReason`). */
export type Conversation = SchemaConversation;
/** Jelou's error envelope, as the spec declares it for every error status. */
export type JelouErrorBody = SchemaErrorEnvelope;

export interface JelouClientOptions {
  /** Jelou's base URL, e.g. `https://gateway.jelou.ai/jelouapi` or the fake's `http://127.0.0.1:4010/jelouapi`. */
  baseUrl: string;
  /**
   * The chatbot host that sendMessage posts to (default `https://chatbot.jelou.ai`); the fake serves it under
   * `/chatbot`, e.g. `http://127.0.0.1:4010/chatbot` (`${server.url}/chatbot` from startMockServer).
   */
  chatbotUrl?: string;
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
  | "invalid-request"
  | "conflict"
  | "server-error"
  | "unexpected-status"
  | "network"
  | "timeout";

/**
 * Why a call did not succeed. `message` never carries a credential. `invalid-request` is a 400 or 422, whose
 * `body.validationError` says per field what Jelou refused; `conflict` a 409 (an integration or an active
 * conversation that already exists; for sendMessage, a conversation that is not active).
 */
export interface JelouError {
  kind: JelouErrorKind;
  /** HTTP status, when Jelou answered. */
  status?: number;
  /** The parsed JSON body (or the raw text) when Jelou answered. */
  body?: JelouErrorBody | unknown;
  message: string;
}

/** A call's outcome: what it returned (`T`'s fields beside `ok: true`), or why it did not succeed. */
export type JelouResult<T extends object> = ({ ok: true } & T) | { ok: false; error: JelouError };

export type GetConversationResult = JelouResult<{ conversation: Conversation }>;
export type IntegrationResult = JelouResult<{ integration: SchemaIntegration }>;
/** The one result that carries the integration's `signingSecret`: store it, Jelou never shows it again. */
export type CreatedIntegrationResult = JelouResult<{ integration: SchemaCreatedIntegration }>;
export type StartConversationResult = JelouResult<{ conversation: SchemaActiveConversation }>;
export type CloseConversationResult = JelouResult<{ conversation: SchemaClosedConversation }>;
export type DeleteIntegrationResult = JelouResult<Record<never, never>>;
/** The message Jelou accepted for delivery: its `id` (the body's `value.id`, or one Jelou gave it). */
export type SendMessageResult = JelouResult<{ message: SchemaSendMessageResponse["data"] }>;

/** Every operation of the External Support API; each resolves with a result for every outcome, HTTP or network. */
export interface JelouClient {
  /** Fetches one conversation. */
  getConversation(projectId: string, conversationId: string): Promise<GetConversationResult>;
  /** Links the project to a webhook; the result carries the signing secret, shown this once. */
  createIntegration(projectId: string, body: SchemaCreateIntegrationRequest): Promise<CreatedIntegrationResult>;
  /** The project's integration, without its secrets. */
  getIntegration(projectId: string): Promise<IntegrationResult>;
  /** Changes only the fields sent. */
  updateIntegration(projectId: string, body: SchemaUpdateIntegrationRequest): Promise<IntegrationResult>;
  /** Removes the project's integration for good. */
  deleteIntegration(projectId: string): Promise<DeleteIntegrationResult>;
  /** Opens a conversation between a bot and a user. */
  startConversation(projectId: string, body: SchemaStartConversationRequest): Promise<StartConversationResult>;
  /** Closes the active conversation of a bot and a user. */
  closeConversation(projectId: string, body: SchemaCloseConversationRequest): Promise<CloseConversationResult>;
  /**
   * Sends an agent's message to the end user of an active conversation, on the chatbot host, signed with the signing
   * secret of `body.project_id`'s integration (createIntegration's result); no API key or Basic credential is sent.
   */
  sendMessage(body: SchemaSendMessageRequest, signingSecret: string): Promise<SendMessageResult>;
}

/** A client configured wrongly: thrown by createJelouClient, naming the option, never its value. */
export class JelouClientConfigError extends Error {
  override name = "JelouClientConfigError";
}

// Production's chatbot host: the first of send-message's own `servers` in the spec.
const CHATBOT_URL = "https://chatbot.jelou.ai";

/** Where a call goes (its origin, for messages) and what must never appear in its messages. */
interface Host {
  origin: string;
  secrets: readonly string[];
}

/** Creates a client for one base URL and one credential (and the chatbot host, for sendMessage). */
export function createJelouClient(options: JelouClientOptions): JelouClient {
  const { timeoutMs = 10_000, chatbotUrl = CHATBOT_URL } = options;
  const origin = safeOrigin(options.baseUrl, "baseUrl");
  const chatbotOrigin = safeOrigin(chatbotUrl, "chatbotUrl");
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
  const gateway: Host = { origin, secrets };
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers,
    // Following a redirect would carry the credentials to whatever origin it names: a 3xx is reported instead.
    redirect: "manual",

    ...(options.fetch && { fetch: options.fetch }),
  });
  // Without the gateway's credential headers: send-message's only credential is its signature. Not following a
  // redirect keeps the signed body from travelling to another origin.
  const chatbot = createClient<paths>({
    baseUrl: chatbotUrl.replace(/\/+$/, ""),
    redirect: "manual",
    ...(options.fetch && { fetch: options.fetch }),
  });

  const signal = () => AbortSignal.timeout(timeoutMs);
  const project = "/v1/external-support/{projectId}" as const;

  // One call: the request, then its answer read as text (so that a non-JSON 2xx is reported, not thrown; openapi-fetch
  // has already parsed error bodies as JSON where they were JSON), judged by `accept` on a 200. The 401 and 409
  // messages default to the gateway's meaning of them.
  async function call<T extends object>(
    send: () => Promise<{ response: Response; data?: unknown; error?: unknown }>,
    accept: (data: unknown) => T | undefined,
    what: string,
    notFound: string,
    {
      host = gateway,
      unauthorized = "Jelou rejected the credentials",
      conflict = `Jelou refused the request: ${what} already exists`,
    }: { host?: Host; unauthorized?: string; conflict?: string } = {},
  ): Promise<JelouResult<T>> {
    let result: Awaited<ReturnType<typeof send>>;
    try {
      result = await send();
    } catch (error) {
      const failure = transportError(error, host.origin, timeoutMs);
      return { ok: false, error: { ...failure, message: redact(failure.message, host.secrets) } };
    }
    const { response } = result;
    const text = typeof result.data === "string" ? result.data : undefined;
    const body: unknown = response.ok ? (text === undefined ? undefined : (parseJson(text) ?? text)) : result.error;
    const { status } = response;
    if (status === 200) {
      const data = typeof body === "object" && body !== null ? (body as { data?: unknown }).data : undefined;
      const accepted = accept(data);
      if (accepted) return { ok: true, ...accepted };
      return fail("unexpected-status", status, body, `Jelou answered 200 without ${what} in data.`);
    }
    if (status === 401) return fail("unauthorized", status, body, `${unauthorized} (401).`);
    if (status === 404) return fail("not-found", status, body, `${notFound} (404).`);
    if (status === 400 || status === 422) {
      return fail("invalid-request", status, body, `Jelou refused the request as invalid (${status}).`);
    }
    if (status === 409) return fail("conflict", status, body, `${conflict} (409).`);
    if (status >= 500) return fail("server-error", status, body, `Jelou failed with ${status}.`);
    return fail("unexpected-status", status, body, `Jelou answered ${status}, which the spec does not declare.`);
  }

  return {
    async getConversation(projectId, conversationId) {
      checkIds("get a conversation", projectId, conversationId);
      return call(
        () =>
          client.GET("/v1/external-support/{projectId}/conversations/{conversationId}", {
            params: { path: { projectId, conversationId } },
            parseAs: "text",
            signal: signal(),
          }),
        (data) => (isConversation(data) ? { conversation: data } : undefined),
        "a conversation",
        `Jelou has no conversation ${conversationId} in project ${projectId}`,
      );
    },
    async createIntegration(projectId, body) {
      checkIds("create an integration", projectId);
      return call(
        () => client.POST(project, { params: { path: { projectId } }, body, parseAs: "text", signal: signal() }),
        (data) =>
          isIntegration(data) && typeof (data as { signingSecret?: unknown }).signingSecret === "string"
            ? { integration: data as unknown as SchemaCreatedIntegration }
            : undefined,
        "an integration",
        `Jelou has no project ${projectId}`,
      );
    },
    async getIntegration(projectId) {
      checkIds("get an integration", projectId);
      return call(
        () => client.GET(project, { params: { path: { projectId } }, parseAs: "text", signal: signal() }),
        (data) => (isIntegration(data) ? { integration: data } : undefined),
        "an integration",
        `Project ${projectId} has no integration`,
      );
    },
    async updateIntegration(projectId, body) {
      checkIds("update an integration", projectId);
      return call(
        () => client.PATCH(project, { params: { path: { projectId } }, body, parseAs: "text", signal: signal() }),
        (data) => (isIntegration(data) ? { integration: data } : undefined),
        "an integration",
        `Project ${projectId} has no integration`,
      );
    },
    async deleteIntegration(projectId) {
      checkIds("delete an integration", projectId);
      return call(
        () => client.DELETE(project, { params: { path: { projectId } }, parseAs: "text", signal: signal() }),
        () => ({}),
        "an integration",
        `Project ${projectId} has no integration`,
      );
    },
    async startConversation(projectId, body) {
      checkIds("start a conversation", projectId);
      return call(
        () =>
          client.POST("/v1/external-support/{projectId}/conversations/start", {
            params: { path: { projectId } },
            body,
            parseAs: "text",
            signal: signal(),
          }),
        (data) =>
          isConversation(data) && data.state === "active"
            ? { conversation: data as SchemaActiveConversation }
            : undefined,
        "an active conversation",
        `Jelou found no bot ${body.botId} or user ${body.userId} in project ${projectId}`,
      );
    },
    async closeConversation(projectId, body) {
      checkIds("close a conversation", projectId);
      return call(
        () =>
          client.POST("/v1/external-support/{projectId}/conversations/close", {
            params: { path: { projectId } },
            body,
            parseAs: "text",
            signal: signal(),
          }),
        (data) =>
          isConversation(data) && data.state === "closed"
            ? { conversation: data as SchemaClosedConversation }
            : undefined,
        "a closed conversation",
        `Jelou has no active conversation of bot ${body.botId} and user ${body.userId} in project ${projectId}`,
      );
    },
    async sendMessage(body, signingSecret) {
      if (typeof signingSecret !== "string" || signingSecret === "") {
        throw new TypeError("Failed to send a message: signingSecret must be a non-empty string.");
      }
      // Serialised once: the bytes signed are the bytes sent, so Jelou's HMAC over what it receives matches.
      const bytes = Buffer.from(JSON.stringify(body));
      const { project_id, room_id, bot_id, user_id } = body;
      return call(
        () =>
          chatbot.POST("/v1/external-support/webhook", {
            params: { header: { "X-Jelou-Signature": signJelouPayload(bytes, signingSecret) } },
            body,
            // openapi-fetch would stringify `body` again; it sends the signed bytes instead (as application/json).
            bodySerializer: () => bytes,
            parseAs: "text",
            signal: signal(),
          }),
        (data) => (isMessageId(data) ? { message: data } : undefined),
        "a message id",
        `Project ${project_id} has no integration, so no signing secret to check the signature with`,
        {
          // Nothing to redact: the request carries no credential of the client's, and the secret only as an HMAC.
          host: { origin: chatbotOrigin, secrets: [] },
          unauthorized: `Jelou rejected the signature made with signingSecret for project ${project_id}`,
          conflict: `Jelou has no active conversation of room ${room_id}, bot ${bot_id} and user ${user_id} in project ${project_id}`,
        },
      );
    },
  };
}

// "." and ".." are dot segments to every URL parser, even percent-encoded: no request could name them.
function checkIds(what: string, ...ids: string[]): void {
  if (ids.some((id) => !id || id === "." || id === "..")) {
    throw new TypeError(`Failed to ${what}: every id must be a non-empty string other than "." and "..".`);
  }
}

function isIntegration(value: unknown): value is SchemaIntegration {
  const i = value as Partial<SchemaIntegration> | null | undefined;
  return typeof i?.id === "string" && typeof i.brainId === "string" && typeof i.webhookUrl === "string";
}

function isMessageId(value: unknown): value is SchemaSendMessageResponse["data"] {
  const m = value as Partial<SchemaSendMessageResponse["data"]> | null | undefined;
  return typeof m?.id === "string" && m.id !== "";
}

// Enough to hand the caller a value whose type narrows honestly on `state`; the full check is the drift check's.
function isConversation(value: unknown): value is Conversation {
  const c = value as Partial<Conversation> | null | undefined;
  return typeof c?._id === "string" && (c.state === "active" || c.state === "closed");
}

function fail(kind: JelouErrorKind, status: number, body: unknown, message: string): { ok: false; error: JelouError } {
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
function safeOrigin(value: string, option: "baseUrl" | "chatbotUrl"): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new JelouClientConfigError(`Failed to create the Jelou client: ${option} must be an absolute http(s) URL.`);
  }
  if (url.username || url.password) {
    throw new JelouClientConfigError(
      `Failed to create the Jelou client: ${option} must not carry user:password@; credentials are options of their own.`,
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
