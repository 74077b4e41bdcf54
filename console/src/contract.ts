// What the console reads from the admin routes made for it, /__admin/events and /__admin/world: the mock's own
// exported types where it has them, composed with the spec's generated ones where it builds the shape inline. A change
// on the server's side breaks the console at compile time.
import type { SchemaIntegration } from "../../generated/jelou-external-support.ts";
import type { RequestEvent as PublishedRequest } from "../../mock/event-hub.ts";
import type { Scenario } from "../../mock/scenario.ts";
import type { SandboxState } from "../../mock/state.ts";

export type { ChangeEvent } from "../../mock/event-hub.ts";

/** `event: ready`, the first of each connection: how many backlog events follow, of each kind. */
export interface ReadyEvent {
  requests: number;
  deliveries: number;
}

/** `event: skipped`: request events the stream left out in its last second, past its rate (200 a second). */
export interface SkippedEvent {
  requests: number;
}

/** `event: request`: a journal entry numbered in its stream; live ones carry the response body (secrets redacted). */
export type RequestEvent = PublishedRequest & { seq: number };

/** `GET /__admin/world`: the default scenario, the seed, every integration and the newest conversations. */
export interface WorldSnapshot {
  scenario: Scenario;
  seed: string;
  integrations: { projectId: string; integration: SchemaIntegration; hasAuthorization: boolean }[];
  conversations: ReturnType<SandboxState["overview"]>["conversations"];
  truncated?: true;
}
