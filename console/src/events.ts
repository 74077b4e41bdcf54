// The live feed: one EventSource on /__admin/events. EventSource reconnects by itself after a dropped connection;
// after a refusal (a 401 once the cookie is stale, a fake restarting) it gives up, so this starts a new one later.
import type { DeliveryRecord } from "../../mock/webhooks/deliveries.ts";
import { ADMIN } from "./api.ts";
import type { ChangeEvent, ReadyEvent, RequestEvent, SkippedEvent } from "./contract.ts";

/** The feed's state, as the header shows it. */
export type StreamState = "connecting" | "live" | "down";

/** What the page does with each event; `ready` starts every (re)connection, before its backlog. */
export interface EventHandlers {
  ready(counts: ReadyEvent): void;
  request(entry: RequestEvent): void;
  skipped(counts: SkippedEvent): void;
  delivery(record: DeliveryRecord): void;
  change(change: ChangeEvent): void;
  state(state: StreamState): void;
}

/** How many journal entries and deliveries each connection replays. */
const BACKLOG = 200;
const RETRY_MS = 3_000;

/** The feed's handle: `restart()` reconnects (the backlog then replaces the lists), `close()` stops it. */
export interface EventFeed {
  restart(): void;
  close(): void;
}

/** Opens the feed and keeps it open. */
export function connectEvents(handlers: EventHandlers): EventFeed {
  let source: EventSource | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const on = <T>(name: string, handle: (data: T) => void) =>
    source?.addEventListener(name, (event) => {
      let data: T;
      try {
        data = JSON.parse((event as MessageEvent<string>).data) as T;
      } catch {
        return;
      }
      handle(data);
    });

  const open = () => {
    clearTimeout(retry);
    source?.close();
    handlers.state("connecting");
    source = new EventSource(`${ADMIN}/events?backlog=${BACKLOG}`);
    source.addEventListener("open", () => handlers.state("live"));
    source.addEventListener("error", () => {
      if (source?.readyState !== EventSource.CLOSED) return handlers.state("connecting");
      handlers.state("down");
      retry = setTimeout(open, RETRY_MS);
    });
    on<ReadyEvent>("ready", handlers.ready);
    on<RequestEvent>("request", handlers.request);
    on<SkippedEvent>("skipped", handlers.skipped);
    on<DeliveryRecord>("delivery", handlers.delivery);
    on<ChangeEvent>("change", handlers.change);
  };
  open();
  return {
    restart: open,
    close() {
      clearTimeout(retry);
      source?.close();
    },
  };
}
