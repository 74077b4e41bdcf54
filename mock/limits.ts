// The bounds that keep the fake standing whatever its clients send: each one a number users can look up.

/** Upper bound of --delay and X-Fake-Jelou-Delay, so no request can hang the fake for long. */
export const MAX_DELAY_MS = 60_000;
/** The longest shutdown grace period accepted. */
export const MAX_SHUTDOWN_GRACE_MS = 600_000;
/** The longest request target accepted (path and query): longer ones get a 414 envelope. */
export const MAX_URL_LENGTH = 8_192;
/** The largest admin request body accepted (a state document has its own limit: the state's byte budget). */
export const ADMIN_BODY_LIMIT = "64kb";
/** How deeply a Jelou API request body or a state document may nest (the spec's bodies nest 4 levels). */
export const MAX_BODY_DEPTH = 16;
/** The largest request body the Jelou API accepts. */
export const API_BODY_LIMIT = "64kb";

/** The default byte budget of the journal and of the rules, each. */
export const DEFAULT_BUDGET_BYTES = 32 * 1024 * 1024;
/** The largest byte budget accepted for the journal or the rules. */
export const MAX_BUDGET_BYTES = 1024 * 1024 * 1024;
/** The most bytes of generated bodies (and their keys) the body cache keeps, whatever `cacheSize` says. */
export const BODY_CACHE_BUDGET_BYTES = 64 * 1024 * 1024;
/** The most retries of a webhook delivery (--webhook-retries): back-off doubles, so 10 already spans minutes. */
export const MAX_WEBHOOK_RETRIES = 10;
/** The longest webhook attempt timeout and first back-off accepted (--webhook-timeout), in ms. */
export const MAX_WEBHOOK_TIMEOUT_MS = 600_000;
/**
 * The bytes of webhook deliveries (bodies included) the deliveries log keeps, oldest finished dropped first; those under
 * way or waiting their turn count too, and one that would not fit beside them fails at once (`overflow`).
 */
export const DELIVERY_LOG_BUDGET_BYTES = 8 * 1024 * 1024;
/** The most webhook requests in flight at once, per fake: the others wait their turn, first come first served. */
export const MAX_CONCURRENT_DELIVERIES = 32;
/** The most event streams (`GET /__admin/events`, the console) open at once: one more is refused with a 503. */
export const MAX_EVENT_STREAMS = 16;
/**
 * The bytes an event stream may have waiting for a slow reader: past them the stream is ended (the reader reconnects
 * and starts again from the backlog) rather than growing the fake's memory.
 */
export const EVENT_STREAM_BUFFER_BYTES = 1024 * 1024;
/** The most bytes of backlog an event stream starts with: older events are left out. */
export const EVENT_BACKLOG_BYTES = 512 * 1024;
/** The most bytes of a response body a request event carries: the rest is cut and the event marked `truncated`. */
export const EVENT_BODY_BYTES = 64 * 1024;
