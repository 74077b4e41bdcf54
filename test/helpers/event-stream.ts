// A reader of the fake's Server-Sent Events (GET /__admin/events) for tests: parses the stream as it arrives and
// waits for events by predicate, without sleeping.
import { get, type IncomingMessage } from "node:http";

export interface StreamEvent {
  type: string;
  data: unknown;
}

export interface EventReader {
  response: IncomingMessage;
  events: StreamEvent[];
  /** Everything received, as text. */
  text(): string;
  /** Resolves with the first event (already received or later) that `predicate` accepts. */
  next(predicate: (event: StreamEvent) => boolean, timeoutMs?: number): Promise<StreamEvent>;
  /** Resolves when the fake ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens an event stream; resolves once the response's headers arrived. */
export function openEvents(url: string, headers: Record<string, string> = {}): Promise<EventReader> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers }, (response) => {
      const events: StreamEvent[] = [];
      let raw = "";
      let pending = "";
      const waiters = new Set<() => void>();
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        raw += chunk;
        pending += chunk;
        for (let end = pending.indexOf("\n\n"); end >= 0; end = pending.indexOf("\n\n")) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type !== undefined && data !== undefined) events.push({ type, data: JSON.parse(data) });
        }
        for (const wake of [...waiters]) wake();
      });
      const ended = new Promise<void>((done) => response.once("close", done));
      resolve({
        response,
        events,
        text: () => raw,
        ended,
        next(predicate, timeoutMs = 5_000) {
          return new Promise((found, fail) => {
            const check = () => {
              const event = events.find(predicate);
              if (!event) return false;
              waiters.delete(check);
              clearTimeout(timer);
              found(event);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(", ")}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          });
        },
        close: () => request.destroy(),
      });
    });
    request.on("error", reject);
  });
}
