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

/** The newest `limit` requests, oldest first; a ring buffer, so recording costs the same when it is full. */
export class Journal {
  readonly limit: number;
  #ring: JournalEntry[] = [];
  #next = 0;
  constructor(limit: number) {
    this.limit = limit;
  }

  add(entry: JournalEntry): void {
    if (this.limit === 0) return;
    if (this.#ring.length < this.limit) this.#ring.push(entry);
    else this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.limit;
  }
  list(): JournalEntry[] {
    return this.#ring.length < this.limit
      ? [...this.#ring]
      : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }
  clear(): void {
    this.#ring = [];
    this.#next = 0;
  }
}
