// One GET with a per-request timeout, retried with exponential backoff and jitter (p-retry) on network errors,
// timeouts, 429 (honouring Retry-After up to a bound) and every 5xx. What never recovers is an outage. A write is
// sent once.
import pRetry, { AbortError } from "p-retry";

/** Statuses that say "try again later", not "this is the answer": 429 and every 5xx. */
const retryable = (status: number) => status === 429 || status >= 500;
/** The largest body read: a Get Conversation body is a few kB, and an endless one must not exhaust memory. */
export const MAX_BODY_BYTES = 1_048_576;
/** Longest Retry-After the check will honour, so a hostile header cannot stall a scheduled job. */
export const MAX_RETRY_AFTER_MS = 30_000;

export interface RetryPolicy {
  retries: number;
  timeoutMs: number;
  /** First backoff delay; doubles per attempt, randomized (default 500). */
  minBackoffMs?: number;
  /** Longest backoff delay (default 8000). */
  maxBackoffMs?: number;
  /** The whole run's deadline: no attempt starts or lasts past it. */
  deadline: AbortSignal;
}

export type Answer =
  | { kind: "response"; status: number; contentType: string; bodyText: string; attempts: number; truncated: boolean }
  | { kind: "outage"; reason: string; attempts: number; status?: number };

class Retryable extends Error {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, status?: number, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** GETs `url` under `policy`; resolves with the answer or with why there was none. Never throws. */
export async function getWithRetry(
  url: string,
  headers: Record<string, string>,
  policy: RetryPolicy,
  fetchImpl: typeof globalThis.fetch,
): Promise<Answer> {
  let attempts = 0;
  let last: Retryable | undefined;
  try {
    return await pRetry(
      async () => {
        attempts++;
        if (policy.deadline.aborted) throw new AbortError("the run's time cap was reached");
        let response: Response;
        let body: { text: string; truncated: boolean };
        const attempt = attemptSignal(policy.timeoutMs, policy.deadline);
        try {
          response = await fetchImpl(url, {
            headers,
            // A redirect would carry the credentials to whatever origin it names: it is an answer to report.
            redirect: "manual",
            signal: attempt.signal,
          });
          body = await readCapped(response);
        } catch (error) {
          if (policy.deadline.aborted) throw new AbortError("the run's time cap was reached");
          last = new Retryable(describeFailure(error, policy.timeoutMs));
          throw last;
        } finally {
          attempt.done();
        }
        if (retryable(response.status)) {
          last = new Retryable(
            `HTTP ${response.status}`,
            response.status,
            retryAfter(response.headers.get("retry-after")),
          );
          throw last;
        }
        const answer: Answer = {
          kind: "response",
          status: response.status,
          contentType: response.headers.get("content-type") ?? "",
          bodyText: body.text,
          truncated: body.truncated,
          attempts,
        };
        return answer;
      },
      {
        retries: policy.retries,
        factor: 2,
        minTimeout: policy.minBackoffMs ?? 500,
        maxTimeout: policy.maxBackoffMs ?? 8_000,
        randomize: true,
        signal: policy.deadline,
        onFailedAttempt: async ({ error, retriesLeft }) => {
          // p-retry adds its own backoff after this; Retry-After asks for at least this much, within the deadline.
          if (retriesLeft > 0 && error instanceof Retryable && error.retryAfterMs) {
            await sleepUnless(error.retryAfterMs, policy.deadline);
          }
        },
      },
    );
  } catch (error) {
    const reason =
      error instanceof AbortError || policy.deadline.aborted
        ? "the run's time cap was reached"
        : (last?.message ?? (error as Error).message);
    return { kind: "outage", reason, attempts, ...(last?.status !== undefined && { status: last.status }) };
  }
}

/**
 * Sends one write (POST, PATCH, DELETE) once: a write is not idempotent, so a failure is reported, never retried.
 * Resolves with the answer or with why there was none. Never throws.
 */
export async function sendOnce(
  method: "POST" | "PATCH" | "DELETE",
  url: string,
  headers: Record<string, string>,
  body: unknown,
  policy: Pick<RetryPolicy, "timeoutMs" | "deadline">,
  fetchImpl: typeof globalThis.fetch,
): Promise<Answer> {
  if (policy.deadline.aborted) return { kind: "outage", reason: "the run's time cap was reached", attempts: 0 };
  const attempt = attemptSignal(policy.timeoutMs, policy.deadline);
  try {
    const response = await fetchImpl(url, {
      method,
      headers: { ...headers, ...(body !== undefined && { "Content-Type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      redirect: "manual",
      signal: attempt.signal,
    });
    const read = await readCapped(response);
    if (retryable(response.status))
      return { kind: "outage", reason: `HTTP ${response.status}`, attempts: 1, status: response.status };
    return {
      kind: "response",
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      bodyText: read.text,
      truncated: read.truncated,
      attempts: 1,
    };
  } catch (error) {
    const reason = policy.deadline.aborted
      ? "the run's time cap was reached"
      : describeFailure(error, policy.timeoutMs);
    return { kind: "outage", reason, attempts: 1 };
  } finally {
    attempt.done();
  }
}

/**
 * A signal that aborts after `timeoutMs` (a TimeoutError) or with the run's deadline, whichever comes first; `done()`
 * releases it. Not AbortSignal.any([AbortSignal.timeout(), deadline]): Node 20 holds the timeout signal there only
 * weakly, and once a garbage collection takes it the request waits forever.
 */
function attemptSignal(timeoutMs: number, deadline: AbortSignal): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError")),
    timeoutMs,
  );
  const onDeadline = () => controller.abort(deadline.reason);
  if (deadline.aborted) onDeadline();
  else deadline.addEventListener("abort", onDeadline, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      deadline.removeEventListener("abort", onDeadline);
    },
  };
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

// Reads at most MAX_BODY_BYTES, then stops: what was read is judged, and the truncation is a finding.
async function readCapped(response: Response): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return { text: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString("utf8"), truncated: true };
    }
  }
  return { text: Buffer.concat(chunks).toString("utf8"), truncated: false };
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  return cause?.code ?? cause?.message ?? (error as Error | null)?.message ?? "unknown network error";
}

/** Retry-After in ms (seconds or an HTTP date), capped at MAX_RETRY_AFTER_MS; undefined when absent or unreadable. */
export function retryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, MAX_RETRY_AFTER_MS) : undefined;
}
