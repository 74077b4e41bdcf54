import type { AuthKind } from "./auth.ts";
import type { Scenario, ScenarioSource } from "./scenario.ts";

/** One request as the journal records it: never a credential, a header value or a query string. */
export interface JournalEntry {
  time: string;
  method: string;
  path: string;
  projectId?: string;
  conversationId?: string;
  scenario?: Scenario;
  scenarioSource?: ScenarioSource;
  /** null when no response was sent (the reset and timeout scenarios, or a client that left). */
  status: number | null;
  durationMs: number;
  /** How the request authenticated: `none` when it sent no credential, `invalid` when it was refused. */
  auth: AuthKind | "none" | "invalid";
}

/** The newest `limit` requests, oldest first. */
export class Journal {
  #entries: JournalEntry[] = [];
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }

  add(entry: JournalEntry): void {
    if (this.limit === 0) return;
    this.#entries.push(entry);
    if (this.#entries.length > this.limit) this.#entries.splice(0, this.#entries.length - this.limit);
  }
  list(): JournalEntry[] {
    return [...this.#entries];
  }
  clear(): void {
    this.#entries = [];
  }
}
