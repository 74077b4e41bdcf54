// GET /__admin/events: the fake's events as Server-Sent Events, for the console and for any tool. Each stream starts
// with `ready` and a backlog (so a reconnecting reader starts over, with nothing missed or doubled), then follows the
// live events. Streams are bounded: a count, a backlog byte budget, and a buffer budget past which a slow reader's
// stream is ended instead of growing the fake's memory.
import type { Request, Response } from "express";
import { eventBody } from "../event-body.ts";
import { type EventFilter, eventMatches, readEventFilter } from "../event-filter.ts";
import type { EventHub, EventResponseBody, FakeEvent, ReadyEvent, SkippedEvent } from "../event-hub.ts";
import type { JournalEntry } from "../journal.ts";
import { EVENT_BACKLOG_BYTES, EVENT_STREAM_BUFFER_BYTES, MAX_EVENT_STREAMS } from "../limits.ts";
import type { DeliveryRecord } from "../webhooks/deliveries.ts";
import { sendFakeError } from "./errors.ts";

/** How often an idle stream gets a comment, so that proxies and readers see it alive. */
const HEARTBEAT_MS = 15_000;

/** What a stream's backlog is read from. */
export interface EventBacklog {
  /** The journal, oldest first. */
  requests(): readonly JournalEntry[];
  /** The deliveries, newest first. */
  deliveries(): readonly DeliveryRecord[];
}

/** The events route and what shutdown needs of it. */
export interface EventStreams {
  handle(req: Request, res: Response): void;
  /** Ends every open stream, so that shutdown does not wait for readers that never leave. */
  close(): void;
}

/**
 * How many request events a stream sends per window; past them, the window's others are counted and told as one
 * `skipped` event. A page cannot show thousands of requests a second, and serialising them would slow the fake under
 * load: a console left open during a load test costs a counter per request instead.
 */
export interface EventRate {
  requestsPerWindow: number;
  windowMs: number;
}

/** 200 request events a second per stream. */
export const DEFAULT_EVENT_RATE: EventRate = { requestsPerWindow: 200, windowMs: 1_000 };

interface Stream {
  res: Response;
  sent: number;
  skipped: number;
  /** Live events waiting for this turn's write, and their bytes. */
  queued: string[];
  queuedBytes: number;
}

/** What a backlog event's `event:` line and `seq` add to its data, at most, in bytes. */
const FRAMING_BYTES = 64;

/** The events route over a hub and the backlog's sources. */
export function eventStreams(hub: EventHub, backlog: EventBacklog, rate: EventRate = DEFAULT_EVENT_RATE): EventStreams {
  const open = new Set<Stream>();
  let windows: NodeJS.Timeout | undefined;
  let elapsedMs = 0;
  const endWindow = () => {
    elapsedMs += rate.windowMs;
    const beat = elapsedMs >= HEARTBEAT_MS;
    if (beat) elapsedMs = 0;
    for (const stream of open) {
      const skipped: SkippedEvent = { requests: stream.skipped };
      if (stream.skipped > 0) enqueue(stream, `event: skipped\ndata: ${JSON.stringify(skipped)}\n\n`);
      else if (beat) enqueue(stream, ": keep-alive\n\n");
      stream.sent = 0;
      stream.skipped = 0;
    }
  };
  let closed = false;
  // Live events are written once per turn of the event loop, together: under load, one write for many requests. What
  // a stream has waiting, queued or in its socket's buffer, stays within EVENT_STREAM_BUFFER_BYTES: a reader that falls
  // that far behind is cut off (it reconnects and starts again from the backlog) before more is buffered for it.
  let flushing = false;
  const flush = () => {
    flushing = false;
    for (const stream of open) {
      if (stream.queued.length === 0) continue;
      if (!stream.res.destroyed) stream.res.write(stream.queued.join(""));
      stream.queued = [];
      stream.queuedBytes = 0;
    }
  };
  const enqueue = (stream: Stream, text: string) => {
    if (stream.res.destroyed) return;
    const bytes = Buffer.byteLength(text);
    if (stream.queuedBytes + bytes + stream.res.writableLength > EVENT_STREAM_BUFFER_BYTES) {
      stream.res.destroy();
      return;
    }
    stream.queued.push(text);
    stream.queuedBytes += bytes;
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };

  return {
    handle(req, res) {
      const read = readEventFilter(req.query as Record<string, unknown>);
      if (!read.ok) return sendFakeError(res, "INVALID_QUERY", read.message, { [read.field]: read.message });
      // Shutdown ends the streams it finds; one asked for while it runs would keep the server open.
      if (closed) return sendFakeError(res, "SHUTTING_DOWN", "The fake is shutting down: it opens no event stream.");
      if (open.size >= MAX_EVENT_STREAMS) {
        return sendFakeError(
          res,
          "EVENT_STREAMS_FULL",
          `${MAX_EVENT_STREAMS} event streams are open already: close a console tab or another reader of /__admin/events.`,
        );
      }
      const { filter } = read;
      res.status(200).set({
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Accel-Buffering": "no",
      });
      // Express answers HEAD with the GET route: the headers, and no stream to hold a slot.
      if (req.method === "HEAD") return void res.end();
      let seq = 0;
      const format = (event: FakeEvent) => {
        if (event.type !== "request") return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
        // {seq, ...entry, response}, without copying the entry or serialising a cached body again.
        const entry = JSON.stringify(event.data).slice(1, -1);
        const response = event.body === undefined ? "" : `,"response":${responseJson(eventBody(event.body))}`;
        return `event: request\ndata: {"seq":${++seq},${entry}${response}}\n\n`;
      };
      const { requests, deliveries } = backlogOf(filter, backlog);
      const lines = [...requests, ...deliveries];
      const counts: ReadyEvent = { requests: requests.length, deliveries: deliveries.length };
      // The backlog is within EVENT_BACKLOG_BYTES, half the stream's buffer budget: it is written whole.
      res.write(`retry: 2000\n\nevent: ready\ndata: ${JSON.stringify(counts)}\n\n${lines.map(format).join("")}`);
      const stream: Stream = { res, sent: 0, skipped: 0, queued: [], queuedBytes: 0 };
      const unsubscribe = hub.subscribe((event) => {
        if (!eventMatches(filter, event)) return;
        if (event.type === "request" && stream.sent++ >= rate.requestsPerWindow) stream.skipped++;
        else enqueue(stream, format(event));
      });
      open.add(stream);
      windows ??= setInterval(endWindow, rate.windowMs).unref();
      res.once("close", () => {
        unsubscribe();
        open.delete(stream);
        if (open.size === 0) {
          clearInterval(windows);
          windows = undefined;
        }
      });
    },
    close() {
      closed = true;
      flush();
      for (const { res } of open) res.end();
    },
  };
}

// The newest events the filter accepts, within the backlog's count and half its byte budget for each kind, oldest
// first.
function backlogOf(filter: EventFilter, source: EventBacklog): { requests: FakeEvent[]; deliveries: FakeEvent[] } {
  const newest = <T>(items: Iterable<T>, toEvent: (item: T) => FakeEvent): FakeEvent[] => {
    const picked: FakeEvent[] = [];
    let bytes = 0;
    for (const item of items) {
      if (picked.length >= filter.backlog) break;
      const event = toEvent(item);
      if (!eventMatches(filter, event)) continue;
      bytes += Buffer.byteLength(JSON.stringify(event.data)) + FRAMING_BYTES;
      if (bytes > EVENT_BACKLOG_BYTES / 2) break;
      picked.push(event);
    }
    return picked.reverse();
  };
  const wants = (type: FakeEvent["type"]) => filter.backlog > 0 && filter.types.has(type);
  return {
    requests: wants("request") ? newest(reversed(source.requests()), (data) => ({ type: "request", data })) : [],
    deliveries: wants("delivery") ? newest(source.deliveries(), (data) => ({ type: "delivery", data })) : [],
  };
}

const responses = new WeakMap<EventResponseBody, string>();
function responseJson(response: EventResponseBody): string {
  let json = responses.get(response);
  if (json === undefined) {
    json = JSON.stringify(response);
    responses.set(response, json);
  }
  return json;
}

function* reversed<T>(items: readonly T[]): Generator<T> {
  for (let i = items.length - 1; i >= 0; i--) yield items[i] as T;
}
