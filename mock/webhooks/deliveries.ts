// The outbound webhook engine: takes a delivery already built (event, bytes, secret, receiver), signs and POSTs it
// with retries, a bounded number at once, keeps a bounded log a test can list and await (the deliveries under way in
// it, so that nothing about them grows without bound), and injects the delivery faults. Secrets (the signing
// secret, the auth header's value, the URL's userinfo and query) stay in private fields: records, messages and
// errors are built only from what is safe to show.
import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { OutgoingHttpHeaders } from "node:http";
import {
  DELIVERY_LOG_BUDGET_BYTES,
  MAX_CONCURRENT_DELIVERIES,
  MAX_WEBHOOK_RETRIES,
  MAX_WEBHOOK_TIMEOUT_MS,
} from "../limits.ts";
import { BoundedLog } from "./delivery-log.ts";
import type { WebhookEventName as WebhookEvent } from "./events.ts";
import type { DeliveryFault, DeliveryRequest } from "./outgoing.ts";
import { type AttemptError, type AttemptResult, postOnce } from "./post-once.ts";
import { signJelouPayload } from "./signature.ts";

/** How deliveries are made and how much of them is kept. */
export interface DeliveryPolicy {
  /** Extra attempts after the first, at most {@link MAX_WEBHOOK_RETRIES} (default 0). */
  retries?: number;
  /** Per attempt, the whole exchange (connect and response), in ms (default 20000). */
  timeoutMs?: number;
  /** The first back-off in ms, doubling on each retry (default 1000). */
  retryBaseMs?: number;
  /** Whether the fake may call this URL at all (decided by the caller: its binding and --webhook-allow). */
  allowHost(url: URL): boolean;
  /**
   * The log's byte budget, bodies included, deliveries under way and waiting their turn included (default
   * DELIVERY_LOG_BUDGET_BYTES, 8 MiB): a delivery that would not fit beside those is failed at once as `overflow`.
   */
  budgetBytes?: number;
  /** Told of each delivery logged and of each change to it; `record` builds the copy only when called. */
  onChange?: (record: () => DeliveryRecord) => void;
}

/**
 * One POST of a delivery. `status` and `error` are both set when a response broke off after its headers. The errors
 * `not-allowed` and `overflow` are attempts refused without a request: the URL may not be called, or the log has no
 * room for one more delivery under way.
 */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  status?: number;
  error?: AttemptError;
  latencyMs: number;
}

/** A delivery as the log keeps it: never a secret, a header value, userinfo or a query string. */
export interface DeliveryRecord {
  id: string;
  event: WebhookEvent;
  projectId: string;
  conversationId: string;
  /** The URL's origin (without userinfo) and its pathname, never its query. */
  origin: string;
  path: string;
  createdAt: string;
  /**
   * delivered: an attempt got a 2xx answer whose body ended, or ran past the 64 KiB the fake reads (MAX_RESPONSE_BYTES:
   * the receiver did answer 2xx, the rest of its body is not waited for). A 2xx cut off before its end is failed.
   */
  outcome: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  /** The X-Jelou-Signature value sent (a wrong one under the bad-signature fault). */
  signature: string;
  /** The name of the auth header sent, never its value. */
  authHeader?: string;
  /** The fault requested for this delivery, whether or not its event gave it anything to do. */
  fault?: DeliveryFault;
  redeliveryOf?: string;
  /** The parsed body, as the team receives it (the body as text if it is not JSON). */
  payload: unknown;
}

/** What list() may filter on. */
export interface DeliveryFilter {
  projectId?: string;
  event?: WebhookEvent;
  outcome?: DeliveryRecord["outcome"];
  limit?: number;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_RETRY_BASE_MS = 1_000;
/** The longest waitFor() timeout: past it, setTimeout fires after 1 ms (and Node prints a TimeoutOverflowWarning). */
const MAX_WAIT_MS = 2_147_483_647;
/** The most records the log keeps, whatever the byte budget allows. */
export const MAX_DELIVERY_RECORDS = 1_000;
/** Bytes charged to a record besides its body and its JSON: the URL, the headers kept for redelivery, the maps. */
const RECORD_OVERHEAD_BYTES = 512;
// The most an attempt adds to a record's JSON (about 100 bytes at most): charged ahead, while a delivery is pending,
// for each attempt it may still make, so that deliveries under way never outgrow the budget they were admitted to.
const ATTEMPT_BYTES = 128;

/** The back-off before retry `retry` (1 for the first retry): retryBaseMs·2^(retry-1). */
export function backoffMs(retryBaseMs: number, retry: number): number {
  return retryBaseMs * 2 ** (retry - 1);
}

/** Whether an attempt's result asks for another: no answer, 408, 429 or a 5xx (never a 3xx or another 4xx). */
export function isRetryable(result: AttemptResult): boolean {
  if (result.error !== undefined || result.status === undefined) return true;
  return result.status === 408 || result.status === 429 || result.status >= 500;
}

/** A record in the making, with what the log must never show: the URL as given and the auth header's value. */
interface Entry {
  readonly record: Omit<DeliveryRecord, "payload">;
  readonly body: Buffer;
  /** undefined when the URL is not an http(s) URL: such a delivery is not allowed. */
  readonly url: URL | undefined;
  readonly auth: { name: string; value: string } | undefined;
  /** An out-of-order conversation.start waiting for its conversation's close. */
  held: boolean;
}

interface Waiter {
  predicate: (record: DeliveryRecord) => boolean;
  resolve: (record: DeliveryRecord) => void;
  reject: (error: unknown) => void;
  seen: number;
  timer: NodeJS.Timeout;
}

type Policy = Required<Omit<DeliveryPolicy, "onChange">>;

/** A delivery admitted to the network, with the URL its entry holds. */
type Admitted = readonly [Entry, URL];

/**
 * The webhook delivery engine: queues, signs, POSTs and retries deliveries, at most MAX_CONCURRENT_DELIVERIES requests
 * at once, and keeps their bounded log.
 */
export class Deliveries {
  readonly #policy: Policy;
  readonly #onChange: DeliveryPolicy["onChange"];
  readonly #log: BoundedLog<Entry>;
  readonly #waiters = new Set<Waiter>();
  readonly #backoffs = new Map<NodeJS.Timeout, () => void>();
  // By conversation, the deliveries waiting for the one under way: the next one starts when it ends. A conversation
  // is in the map while one of its deliveries is under way, so that later ones join its line.
  readonly #lines = new Map<string, Admitted[]>();
  // The deliveries waiting for a connection, first come first served, each its conversation's one under way: a
  // conversation's later deliveries wait in its line, not here, so they hold no connection while they wait.
  readonly #connectionQueue: ((granted: boolean) => void)[] = [];
  #connections = 0;
  readonly #closing = new AbortController();

  /** Checks the policy; throws a RangeError naming a field out of bounds. */
  constructor(policy: DeliveryPolicy) {
    this.#policy = {
      retries: policy.retries ?? 0,
      timeoutMs: policy.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retryBaseMs: policy.retryBaseMs ?? DEFAULT_RETRY_BASE_MS,
      allowHost: policy.allowHost,
      budgetBytes: policy.budgetBytes ?? DELIVERY_LOG_BUDGET_BYTES,
    };
    this.#onChange = policy.onChange;
    checkInteger("retries", this.#policy.retries, 0, MAX_WEBHOOK_RETRIES);
    checkInteger("timeoutMs", this.#policy.timeoutMs, 1, MAX_WEBHOOK_TIMEOUT_MS);
    checkInteger("retryBaseMs", this.#policy.retryBaseMs, 0, MAX_WEBHOOK_TIMEOUT_MS);
    checkInteger("budgetBytes", this.#policy.budgetBytes, 1, Number.MAX_SAFE_INTEGER);
    // Every request in flight listens for close() on this one signal: past Node's default of 10 listeners, it would
    // print a MaxListenersExceededWarning into the process that hosts the fake. There are never more than this.
    setMaxListeners(MAX_CONCURRENT_DELIVERIES, this.#closing.signal);
    const attempts = this.#policy.retries + 1;
    this.#log = new BoundedLog<Entry>({
      limit: MAX_DELIVERY_RECORDS,
      budgetBytes: this.#policy.budgetBytes,
      cost: ({ body, url, record }) =>
        RECORD_OVERHEAD_BYTES +
        body.length +
        (url?.href.length ?? 0) +
        JSON.stringify(record).length +
        (record.outcome === "pending" ? (attempts - record.attempts.length) * ATTEMPT_BYTES : 0),
      // A held start is dropped rather than let unclosed conversations grow the log without bound.
      evictable: (entry) => entry.held || entry.record.outcome !== "pending",
    });
  }

  /**
   * Queues a delivery and returns its record at once; the POST happens asynchronously and never throws/rejects to the
   * caller. When the log has no room for one more delivery under way, the record is failed at once with an `overflow`
   * attempt and nothing is sent. After close(), the record is failed at once, without an attempt, and not logged.
   */
  send(request: DeliveryRequest): DeliveryRecord {
    // A copy: a caller reusing its buffer must not change what is sent, redelivered or logged.
    const body = Buffer.from(request.body);
    const signature =
      request.fault === "bad-signature"
        ? // Well-formed and keyed with the right secret, but over other bytes (the body and a newline), as when a
          // sender signs one serialisation and sends another.
          signJelouPayload(Buffer.concat([body, Buffer.from("\n")]), request.signingSecret)
        : signJelouPayload(body, request.signingSecret);
    const auth = request.fault === "no-auth" ? undefined : request.authHeader;
    const first = this.#entry(request, request.url, body, signature, auth, request.fault);
    if (this.#closing.signal.aborted) {
      first.record.outcome = "failed";
      return publicCopy(first);
    }
    if (request.fault === "out-of-order" && request.event === "conversation.start") {
      // Not under way yet, so not pinned: it may be evicted like a finished record.
      first.held = true;
      this.#log.add(first.record.id, first);
      this.#changed(first);
      return publicCopy(first);
    }
    const sequence = [first];
    if (request.fault === "duplicate") {
      sequence.push(this.#entry(request, request.url, body, signature, auth, "duplicate", first.record.id));
    }
    this.#start(sequence);
    if (request.event === "conversation.close") {
      // Held starts are log entries (so the budget and clear() cover them): a close looks for its own, oldest first,
      // once it is logged itself, so that a start its logging evicted is not sent.
      const held: Entry[] = [];
      for (const entry of this.#log.values()) {
        if (!entry.held || entry.record.projectId !== request.projectId) continue;
        if (entry.record.conversationId !== request.conversationId) continue;
        held.push(entry);
      }
      this.#start(held);
    }
    return publicCopy(first);
  }

  /**
   * Sends the same bytes again with the same signature and auth header, as a new record; undefined for an unknown id
   * (never logged, cleared or evicted). Failed at once as `overflow`, or after close(), like send().
   */
  redeliver(id: string): DeliveryRecord | undefined {
    const original = this.#log.get(id);
    if (!original) return undefined;
    const { record } = original;
    // The faults that shaped what was sent are sent again; those about how often or when (duplicate, out-of-order) are not.
    const fault = record.fault === "bad-signature" || record.fault === "no-auth" ? record.fault : undefined;
    const entry = this.#entry(record, original.url, original.body, record.signature, original.auth, fault, id);
    if (this.#closing.signal.aborted) {
      entry.record.outcome = "failed";
      return publicCopy(entry);
    }
    this.#start([entry]);
    return publicCopy(entry);
  }

  /** Newest first, filtered; copies, so callers cannot change the log. */
  list(filter: DeliveryFilter = {}): DeliveryRecord[] {
    const limit = filter.limit ?? Number.POSITIVE_INFINITY;
    const found: DeliveryRecord[] = [];
    for (const entry of [...this.#log.values()].reverse()) {
      if (found.length >= limit) break;
      const { record } = entry;
      if (filter.projectId !== undefined && record.projectId !== filter.projectId) continue;
      if (filter.event !== undefined && record.event !== filter.event) continue;
      if (filter.outcome !== undefined && record.outcome !== filter.outcome) continue;
      found.push(publicCopy(entry));
    }
    return found;
  }

  /**
   * Resolves with the first delivery (already finished, oldest first, or finishing later) that is no longer pending and
   * matches; rejects with a clear Error after timeoutMs, naming how many deliveries it saw. A predicate that throws
   * rejects with its error; one that is not a function (TypeError) or a timeoutMs that is not a whole number of ms from
   * 0 to {@link MAX_WAIT_MS} (RangeError) rejects at once.
   */
  waitFor(predicate: (d: DeliveryRecord) => boolean, timeoutMs: number): Promise<DeliveryRecord> {
    return new Promise((resolve, reject) => {
      if (typeof predicate !== "function") return reject(new TypeError("waitFor: the predicate must be a function"));
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_WAIT_MS) {
        return reject(new RangeError(`waitFor: timeoutMs must be a whole number of ms from 0 to ${MAX_WAIT_MS}`));
      }
      if (this.#closing.signal.aborted) return reject(new Error("waitFor: the deliveries are closed"));
      let seen = 0;
      try {
        for (const entry of this.#log.values()) {
          if (entry.record.outcome === "pending") continue;
          seen++;
          const copy = publicCopy(entry);
          if (predicate(copy)) return resolve(copy);
        }
      } catch (error) {
        return reject(error);
      }
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        seen,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          const pending = [...this.#log.values()].filter((entry) => entry.record.outcome === "pending").length;
          const seen = `${waiter.seen} finished ${waiter.seen === 1 ? "delivery" : "deliveries"}`;
          reject(
            new Error(`waitFor: no delivery matched within ${timeoutMs} ms (saw ${seen}, ${pending} still pending)`),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /**
   * Forgets the log (and held out-of-order events); in-flight deliveries finish but are not recorded. An attempt in
   * flight completes; no retry or duplicate of a forgotten delivery follows it, and none waiting its turn is sent.
   */
  clear(): void {
    this.#log.clear();
    this.#dropWaiting();
  }

  /**
   * Aborts in-flight requests and back-off timers, rejects waiters; leaves no handle open. Held events are dropped;
   * deliveries still pending are marked failed, their aborted attempt unrecorded.
   */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#dropWaiting();
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("waitFor: the deliveries were closed before a delivery matched"));
    }
    this.#waiters.clear();
    for (const entry of [...this.#log.values()]) {
      if (entry.held) this.#log.delete(entry.record.id);
      else if (entry.record.outcome === "pending") {
        entry.record.outcome = "failed";
        this.#log.recharge(entry.record.id);
      }
    }
  }

  #entry(
    from: Pick<DeliveryRequest, "event" | "projectId" | "conversationId">,
    url: string | URL | undefined,
    body: Buffer,
    signature: string,
    auth: DeliveryRequest["authHeader"],
    fault: DeliveryFault | undefined,
    redeliveryOf?: string,
  ): Entry {
    const target = httpUrl(url);
    return {
      record: {
        id: randomUUID(),
        event: from.event,
        projectId: from.projectId,
        conversationId: from.conversationId,
        origin: target?.origin ?? "",
        path: target?.pathname ?? "",
        createdAt: new Date().toISOString(),
        outcome: "pending",
        attempts: [],
        signature,
        ...(auth && { authHeader: auth.name }),
        ...(fault && { fault }),
        ...(redeliveryOf !== undefined && { redeliveryOf }),
      },
      body,
      url: target,
      auth: auth && { name: auth.name, value: auth.value },
      held: false,
    };
  }

  /**
   * Admits the entries in order, or fails each at once without a request: a URL the fake may not call (`not-allowed`),
   * or no room in the log beside the deliveries under way (`overflow`). The admitted ones join their conversation's
   * line.
   */
  #start(entries: Entry[]): void {
    const admitted: Admitted[] = [];
    for (const entry of entries) {
      // A released start is in the log already, held: from here it is under way, or failed.
      entry.held = false;
      if (!entry.url || !this.#allows(entry.url)) {
        this.#refuse(entry, "not-allowed");
      } else if (!this.#log.fits(entry)) {
        this.#refuse(entry, "overflow");
      } else {
        this.#keep(entry);
        admitted.push([entry, entry.url]);
      }
    }
    const first = admitted[0]?.[0];
    if (!first) return;
    // Every entry of one call is of the same conversation.
    const key = JSON.stringify([first.record.projectId, first.record.conversationId]);
    const line = this.#lines.get(key);
    if (line) {
      line.push(...admitted);
      return;
    }
    const fresh = [...admitted];
    this.#lines.set(key, fresh);
    void this.#drain(key, fresh);
  }

  /**
   * Delivers a conversation's line one after the other, each after the one before has finished (its retries
   * included), so that a receiver sees a conversation's events in the order they happened unless the out-of-order
   * fault asks otherwise; never rejects.
   */
  async #drain(key: string, line: Admitted[]): Promise<void> {
    for (let next = line.shift(); next; next = line.shift()) {
      const [entry, url] = next;
      try {
        await this.#deliver(entry, url);
      } catch {
        // Only a bug of this module could land here: the delivery fails rather than the process.
        if (this.#isCurrent(entry) && entry.record.outcome === "pending") this.#finish(entry, "failed");
      }
    }
    this.#lines.delete(key);
  }

  /** Fails an entry at once, without a request: one attempt with `error`, logged as finished. */
  #refuse(entry: Entry, error: "not-allowed" | "overflow"): void {
    entry.record.attempts.push({ attempt: 1, at: new Date().toISOString(), error, latencyMs: 0 });
    entry.record.outcome = "failed";
    this.#keep(entry);
    this.#notify(entry);
  }

  /** Logs an entry, or charges it anew when it is logged already (a released start). */
  #keep(entry: Entry): void {
    if (this.#log.get(entry.record.id) === entry) this.#log.recharge(entry.record.id);
    else this.#log.add(entry.record.id, entry);
    this.#changed(entry);
  }

  #changed(entry: Entry): void {
    this.#onChange?.(() => publicCopy(entry));
  }

  async #deliver(entry: Entry, url: URL): Promise<void> {
    const { record } = entry;
    // Forgotten by clear() or ended by close() while it waited its turn (a duplicate's copy, a released start).
    if (!this.#isCurrent(entry)) return;
    const headers: OutgoingHttpHeaders = {
      ...(entry.auth && { [entry.auth.name]: entry.auth.value }),
      "Content-Type": "application/json",
      "Content-Length": entry.body.length,
      "X-Jelou-Signature": record.signature,
      "User-Agent": "fake-jelou",
    };
    // A hand-written loop rather than p-retry: p-retry ships ESM only (the CommonJS build would have to bundle it), an
    // attempt here resolves with a result instead of throwing, and close() must cancel a back-off at once.
    for (let attempt = 1; attempt <= this.#policy.retries + 1; attempt++) {
      if (attempt > 1) {
        await this.#sleep(backoffMs(this.#policy.retryBaseMs, attempt - 1));
        if (!this.#isCurrent(entry)) return;
      }
      if (!(await this.#connection())) return;
      if (!this.#isCurrent(entry)) {
        this.#release();
        return;
      }
      const at = new Date().toISOString();
      const started = performance.now();
      let result: AttemptResult;
      try {
        result = await postOnce(url, headers, entry.body, this.#policy.timeoutMs, this.#closing.signal);
      } finally {
        this.#release();
      }
      if (!this.#isCurrent(entry)) return;
      record.attempts.push({ attempt, at, ...result, latencyMs: Math.round(performance.now() - started) });
      this.#log.recharge(record.id);
      if (!isRetryable(result)) return this.#finish(entry, isDelivered(result) ? "delivered" : "failed");
      this.#changed(entry);
    }
    this.#finish(entry, "failed");
  }

  #finish(entry: Entry, outcome: "delivered" | "failed"): void {
    entry.record.outcome = outcome;
    this.#changed(entry);
    this.#notify(entry);
    // After the waiters: a record larger than the whole budget is evicted as soon as it is finished.
    this.#log.recharge(entry.record.id);
  }

  /** Hands a finished entry to the waiters whose predicate accepts it. */
  #notify(entry: Entry): void {
    for (const waiter of [...this.#waiters]) {
      waiter.seen++;
      let matched: boolean;
      const copy = publicCopy(entry);
      try {
        matched = waiter.predicate(copy);
      } catch (error) {
        this.#settle(waiter);
        waiter.reject(error);
        continue;
      }
      if (matched) {
        this.#settle(waiter);
        waiter.resolve(copy);
      }
    }
  }

  #settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }

  /** Whether the entry is still in the log (not cleared nor evicted) and the engine is not closed. */
  #isCurrent(entry: Entry): boolean {
    return !this.#closing.signal.aborted && this.#log.get(entry.record.id) === entry;
  }

  #allows(url: URL): boolean {
    try {
      // The caller's own copy: its function cannot change the URL that is then called.
      return this.#policy.allowHost(new URL(url));
    } catch {
      return false;
    }
  }

  /**
   * Resolves true once one of the MAX_CONCURRENT_DELIVERIES connections is the caller's (to #release() after its
   * request), or false when clear() or close() forgot the delivery while it waited.
   */
  #connection(): Promise<boolean> {
    if (this.#connections < MAX_CONCURRENT_DELIVERIES) {
      this.#connections++;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#connectionQueue.push(resolve));
  }

  /** Hands the caller's connection to the delivery that has waited longest, or frees it. */
  #release(): void {
    const next = this.#connectionQueue.shift();
    if (next) next(true);
    else this.#connections--;
  }

  /**
   * Lets go of every delivery that waits (its turn in its line, a connection, or a back-off), all of them forgotten by
   * clear() or ended by close(), so that none is sent and none is held in memory past the log.
   */
  #dropWaiting(): void {
    for (const line of this.#lines.values()) line.length = 0;
    for (const grant of this.#connectionQueue.splice(0)) grant(false);
    for (const [timer, wake] of this.#backoffs) {
      clearTimeout(timer);
      wake();
    }
    this.#backoffs.clear();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#backoffs.delete(timer);
        resolve();
      }, ms);
      // A back-off alone does not keep the process alive; close() clears it.
      timer.unref();
      this.#backoffs.set(timer, resolve);
    });
  }
}

function isDelivered(result: AttemptResult): boolean {
  return result.error === undefined && result.status !== undefined && result.status >= 200 && result.status < 300;
}

/** The URL when it is an absolute http(s) URL, else undefined. */
function httpUrl(url: string | URL | undefined): URL | undefined {
  if (url === undefined || !URL.canParse(String(url))) return undefined;
  const parsed = new URL(url);
  return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed : undefined;
}

/** A deep copy of an entry's record with its payload parsed afresh from the bytes. */
function publicCopy(entry: Entry): DeliveryRecord {
  const text = entry.body.toString("utf8");
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = text;
  }
  return { ...structuredClone(entry.record), payload };
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`DeliveryPolicy.${name} must be an integer from ${min} to ${max}`);
  }
}
