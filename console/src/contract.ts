// What the console reads from the two admin routes made for it, /__admin/events and /__admin/world, composed from the
// spec's generated types and the mock's own exported ones: a change there breaks this file's users at compile time.
import type { SchemaConversation, SchemaIntegration } from "../../generated/jelou-external-support.ts";
import type { JournalEntry } from "../../mock/journal.ts";
import type { Scenario } from "../../mock/scenario.ts";

/** `event: ready`, the first of each connection: how many backlog events follow, of each kind. */
export interface ReadyEvent {
  requests: number;
  deliveries: number;
}

/** `event: request`: a journal entry; live ones also carry the response body (secrets replaced by "[redacted]"). */
export type RequestEvent = JournalEntry & {
  seq: number;
  response?: { contentType?: string; body: string; truncated?: true };
};

/** `event: change`: an admin mutation that succeeded. */
export interface ChangeEvent {
  method: string;
  path: string;
}

/** `GET /__admin/world`: the default scenario, the seed, every integration and the newest conversations. */
export interface WorldSnapshot {
  scenario: Scenario;
  seed: string;
  integrations: { projectId: string; integration: SchemaIntegration; hasAuthorization: boolean }[];
  conversations: { projectId: string; conversation: SchemaConversation; messages: number }[];
  truncated?: true;
}
