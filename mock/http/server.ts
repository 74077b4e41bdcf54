import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { isLoopbackAddress } from "../admin-guard.ts";
import { FAKE_ERRORS, type FakeErrorKey, fakeErrorBody } from "../error-bodies.ts";
import { MAX_SHUTDOWN_GRACE_MS, MAX_URL_LENGTH } from "../limits.ts";
import { checkOptionKeys, MOCK_OPTION_KEYS, MockConfigError, type MockOptions } from "../options.ts";
import { LOOPBACK_WEBHOOK_HOSTS } from "../webhooks/allow-list.ts";
import type { MockControl } from "../world.ts";
import { createMockApp } from "./app.ts";
import type { WebhookControl } from "./webhook-control.ts";

/** Options of {@link startMockServer}: the app's options plus where to listen. */
export interface MockServerOptions extends MockOptions {
  /** TCP port (default 4010); 0 picks a free one, read it back from `port`. */
  port?: number;
  /**
   * Interface to bind (default 127.0.0.1, loopback only); 0.0.0.0 exposes the fake to the network, and then the admin
   * API requires a token (`adminToken`, or a random one, read back from `adminToken`).
   */
  host?: string;
  /** How long a client may take to send its headers, in ms (default 10000): slow-loris clients are cut off. */
  headersTimeoutMs?: number;
  /** How long a client may take to send its whole request, in ms (default 30000). */
  requestTimeoutMs?: number;
  /**
   * On close, how long requests in flight may take to finish, in ms (default 5000, at most 600000); then every
   * connection still open is destroyed, so a client that never completes its request cannot hold shutdown.
   */
  shutdownGraceMs?: number;
}

/** A listening fake Jelou: its control API (the admin API's operations, as functions), and where it listens. */
export interface MockServer extends MockControl, WebhookControl {
  /** Origin, e.g. `http://127.0.0.1:4010`. */
  url: string;
  /** What to give a Jelou client as its base URL: `${url}/jelouapi`. */
  baseUrl: string;
  /** The admin token in force: the one given, the one generated for a non-loopback binding, or undefined for none. */
  adminToken: string | undefined;
  /**
   * The console's address, with `?token=` when an admin token is in force (the page trades it for a cookie), on
   * 127.0.0.1 when the fake is bound to every interface; undefined with the admin API off.
   */
  consoleUrl: string | undefined;
  port: number;
  /**
   * Stops listening; in-flight requests finish within `shutdownGraceMs`, held `timeout` requests are dropped at once,
   * and every connection still open after the grace period is destroyed. Idempotent.
   */
  close(): Promise<void>;
  /** The underlying Node server, for tuning timeouts or attaching listeners. */
  server: Server;
}

/** The port is taken or the address cannot be bound: said with the address and how to fix it. */
export class MockListenError extends Error {
  override name = "MockListenError";
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, cause: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

// Requests Node's parser refuses never reach Express: answer them in Jelou's envelope too, then close.
function answerClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex): void {
  // Node's own guard: once a response has begun on this socket, another one cannot follow it.
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  if (error.code === "ECONNRESET" || !socket.writable || started) {
    socket.destroy();
    return;
  }
  // Node counts the request line in its 16 KiB header limit: a URL that long overflows before Express sees it.
  const requestLine = error.rawPacket?.subarray(0, MAX_URL_LENGTH + 64).toString("latin1") ?? "";
  const longUrl = error.code === "HPE_HEADER_OVERFLOW" && !requestLine.includes("\r\n");
  const [key, message]: [FakeErrorKey, string] = longUrl
    ? ["URI_TOO_LONG", `The URL exceeds ${MAX_URL_LENGTH} characters.`]
    : error.code === "HPE_HEADER_OVERFLOW"
      ? ["HEADERS_TOO_LARGE", "The request headers are too large."]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? ["REQUEST_TIMEOUT", "The request was not received in time."]
        : ["MALFORMED_REQUEST", "The request is not valid HTTP."];
  const { status } = FAKE_ERRORS[key];
  const body = JSON.stringify(fakeErrorBody(key, message));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

// A refusal made before the app sees the request: in the envelope, and the connection is not reused.
function refuse(res: ServerResponse, key: FakeErrorKey, message: string): void {
  const body = JSON.stringify(fakeErrorBody(key, message));
  res.shouldKeepAlive = false;
  res.writeHead(FAKE_ERRORS[key].status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

// The options startMockServer adds to the app's, typed like MOCK_OPTION_KEYS so that none can be forgotten.
const SERVER_OPTION_KEYS: Readonly<Record<Exclude<keyof MockServerOptions, keyof MockOptions>, true>> = {
  port: true,
  host: true,
  headersTimeoutMs: true,
  requestTimeoutMs: true,
  shutdownGraceMs: true,
};

/** Starts the fake Jelou and resolves once it listens. */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  checkOptionKeys(options, [SERVER_OPTION_KEYS, MOCK_OPTION_KEYS], "startMockServer");
  const {
    port = 4010,
    host = "127.0.0.1",
    headersTimeoutMs = 10_000,
    requestTimeoutMs = 30_000,
    shutdownGraceMs = 5_000,
    ...appOptions
  } = options;
  if (!Number.isInteger(shutdownGraceMs) || shutdownGraceMs < 0 || shutdownGraceMs > MAX_SHUTDOWN_GRACE_MS) {
    throw new MockConfigError(
      `shutdownGraceMs must be a whole number from 0 to ${MAX_SHUTDOWN_GRACE_MS}, not ${shutdownGraceMs}.`,
    );
  }
  // Bound beyond loopback, the admin API would be anyone's on the network: it gets a token unless the caller set one.
  const adminToken =
    appOptions.adminToken ??
    ((appOptions.admin ?? true) && !isLoopbackAddress(host) ? randomBytes(24).toString("base64url") : undefined);
  // Webhooks go to the hosts listed, and from a loopback binding to this machine too.
  const listed = appOptions.webhookAllow ?? [];
  const webhookAllow = isLoopbackAddress(host) ? [...LOOPBACK_WEBHOOK_HOSTS, ...listed] : listed;
  const { app, control, releaseHeld, closeDeliveries, closeStreams } = createMockApp({
    ...appOptions,
    ...(adminToken !== undefined && { adminToken }),
    webhookAllow,
  });
  let closing: Promise<void> | undefined;
  // Open responses: when shutdown begins, those not yet sent are told to close their connection (Connection: close),
  // so that a keep-alive client opens a new one, which is refused, instead of reusing one that is about to be closed.
  const unsent = new Set<ServerResponse>();
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
      // How often Node looks for connections past those timeouts (its default, 30 s, would let them linger).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
      // Node's own refusal is a bare 400; the fake refuses in Jelou's envelope below.
      requireHostHeader: false,
    },
    (req, res) => {
      if (req.httpVersion === "1.1" && req.headers.host === undefined) {
        refuse(res, "MALFORMED_REQUEST", "An HTTP/1.1 request must carry a Host header.");
        return;
      }
      if (closing) {
        res.shouldKeepAlive = false;
      } else {
        unsent.add(res);
        res.once("close", () => unsent.delete(res));
      }
      app(req, res);
    },
  );
  server.on("clientError", answerClientError);
  // Without a listener Node answers an unknown Expect with a bare 417; 100-continue is still Node's to answer.
  server.on("checkExpectation", (_req, res) => {
    refuse(res, "EXPECTATION_FAILED", "The fake cannot meet the request's Expect header; only 100-continue is.");
  });
  try {
    server.listen(port, host);
    await once(server, "listening");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "EADDRINUSE"
        ? `port ${port} is already in use. Stop what holds it, or pick another port (--port, FAKE_JELOU_PORT; 0 picks a free one)`
        : `${(error as Error).message}`;
    throw new MockListenError(`Failed to listen on ${host}:${port}: ${why}.`, code, error);
  }
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  // A browser cannot open 0.0.0.0 everywhere, and the console's cookie counts only on a host the admin API allows.
  const local = { "0.0.0.0": "127.0.0.1", "::": "[::1]" }[address.address];
  const consoleUrl = `${local === undefined ? origin : `http://${local}:${address.port}`}/__admin/console${adminToken === undefined ? "" : `?token=${encodeURIComponent(adminToken)}`}`;

  return {
    ...control,
    url: origin,
    baseUrl: `${origin}/jelouapi`,
    adminToken,
    consoleUrl: (appOptions.admin ?? true) ? consoleUrl : undefined,
    port: address.port,
    server,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const res of unsent) if (!res.headersSent) res.shouldKeepAlive = false;
        unsent.clear();
        releaseHeld();
        closeDeliveries();
        closeStreams();
        // Idle connections close only after one more poll of the sockets: a request that had already reached the
        // server when shutdown began is read first, so its connection counts as busy and it gets its answer (with
        // Connection: close) instead of a reset.
        setImmediate(() =>
          setImmediate(() => {
            // server.close() also stops the checks behind the header and request timeouts: without a deadline of its
            // own, a client that never completes a request would hold shutdown for as long as it stays connected.
            const deadline = setTimeout(() => server.closeAllConnections(), shutdownGraceMs);
            server.close((error) => {
              clearTimeout(deadline);
              if (error) reject(error);
              else resolve();
            });
            server.closeIdleConnections();
          }),
        );
      });
      return closing;
    },
  };
}
