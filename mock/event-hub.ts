// What the fake tells the console and other watchers as it happens: each request it answered, each change of a
// webhook delivery, each change made through the admin API. Nothing is built for an event while nobody listens, so a
// fake without watchers pays one property read per request.
import type { JournalEntry } from "./journal.ts";
import type { DeliveryRecord } from "./webhooks/deliveries.ts";

/** A response body as a request event carries it: text, secrets redacted, cut to EVENT_BODY_BYTES. */
export interface EventResponseBody {
  contentType: string;
  body: string;
  truncated?: true;
}

/** A request the fake answered, as a stream sends it: its journal entry, and its response body when one was sent. */
export type RequestEvent = JournalEntry & {
  /** Numbers the stream's request events, from 1 at each connection. */
  seq: number;
  response?: EventResponseBody;
};

/** `event: ready`, the first of each connection: how many backlog events follow, of each kind. */
export interface ReadyEvent {
  requests: number;
  deliveries: number;
}

/** `event: skipped`: the request events a stream left out in its last window, past its rate. */
export interface SkippedEvent {
  requests: number;
}

/** An admin request that changed the fake: which one. */
export interface ChangeEvent {
  method: string;
  path: string;
}

/** What a watcher receives. */
export type FakeEvent =
  // The entry and the reply's body apart: a stream turns the body into the event's `response` only when it sends the
  // event (not for one its filter or its rate leaves out), and a cached body only once.
  | { type: "request"; data: JournalEntry; body?: unknown }
  | { type: "delivery"; data: DeliveryRecord }
  | { type: "change"; data: ChangeEvent };

export type FakeEventType = FakeEvent["type"];
export const FAKE_EVENT_TYPES: readonly FakeEventType[] = ["request", "delivery", "change"];

/** The fake's watchers: publishers ask `active` before they build an event. */
export class EventHub {
  readonly #listeners = new Set<(event: FakeEvent) => void>();

  /** True while at least one watcher listens. */
  get active(): boolean {
    return this.#listeners.size > 0;
  }
  get size(): number {
    return this.#listeners.size;
  }
  /** Adds a watcher; returns the function that removes it. */
  subscribe(listener: (event: FakeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  publish(event: FakeEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
