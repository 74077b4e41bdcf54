// What the console reads from the admin routes made for it, /__admin/events and /__admin/world: the mock's own
// exported types, so that a change on the server's side breaks the console at compile time.
export type {
  ChangeEvent,
  ReadyEvent,
  RequestEvent,
  SkippedEvent,
} from "../../mock/event-hub.ts";
export type { WorldSnapshot } from "../../mock/world-snapshot.ts";
