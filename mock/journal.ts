import type { AuthKind } from "./auth.ts";
import type { Scenario, ScenarioSource } from "./scenario.ts";

/** One request as the journal records it: never a credential, a header value or a query string. */
export interface JournalEntry {
  time: string;
  method: string;
  /** The path, cut to its first {@link MAX_JOURNAL_FIELD_BYTES} bytes (then `truncated` is set). */
  path: string;
  /** The operation of the spec the request was routed to, when it was. */
  operation?: string;
  projectId?: string;
  conversationId?: string;
  /** Set when the path or an id was longer than {@link MAX_JOURNAL_FIELD_BYTES} bytes and is stored cut. */
  truncated?: true;
  scenario?: Scenario;
  scenarioSource?: ScenarioSource;
  /** null when no response was sent (the reset and timeout scenarios, or a client that left). */
  status: number | null;
  durationMs: number;
  /**
   * How the request authenticated: `signature` for send-message, `none` when it sent no credential, `invalid` when
   * it was refused.
   */
  auth: AuthKind | "signature" | "none" | "invalid";
}

/** The most a journal entry keeps of a path or an id, in UTF-8 bytes. */
export const MAX_JOURNAL_FIELD_BYTES = 1_024;
/** The most entries a journal may be set to keep. */
export const MAX_JOURNAL_LIMIT = 100_000;
/** Bytes counted for an entry besides its path and ids: time, method, scenario, status and the rest. */
const ENTRY_OVERHEAD_BYTES = 256;

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text) <= maxBytes) return text;
  // The first maxBytes of the UTF-8, backed off to the start of the character they split: linear in the text.
  const bytes = Buffer.from(text.slice(0, maxBytes), "utf8");
  let end = Math.min(maxBytes, bytes.length);
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

/**
 * A copy of `text` that owns its characters. V8 represents a substring of 13 characters or more as a slice that
 * keeps the whole original alive: a path sliced from an 8 KiB URL would hold all 8 KiB for as long as it is kept.
 */
export function ownString(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, "utf8").toString("utf8");
}

/**
 * An entry as the journal keeps it: its path and ids cut to {@link MAX_JOURNAL_FIELD_BYTES} (marked `truncated` when
 * anything was cut) and owning their characters, so that what the budget counts is what the entry holds.
 */
export function boundedEntry(entry: JournalEntry): JournalEntry {
  const bound = (text: string) => ownString(cutUtf8(text, MAX_JOURNAL_FIELD_BYTES));
  const path = bound(entry.path);
  const projectId = entry.projectId === undefined ? undefined : bound(entry.projectId);
  const conversationId = entry.conversationId === undefined ? undefined : bound(entry.conversationId);
  const truncated =
    path.length < entry.path.length ||
    (projectId?.length ?? 0) < (entry.projectId?.length ?? 0) ||
    (conversationId?.length ?? 0) < (entry.conversationId?.length ?? 0);
  return {
    ...entry,
    path,
    ...(projectId !== undefined && { projectId }),
    ...(conversationId !== undefined && { conversationId }),
    ...(truncated && { truncated: true }),
  };
}

function sizeOf(entry: JournalEntry): number {
  return (
    ENTRY_OVERHEAD_BYTES +
    Buffer.byteLength(entry.path) +
    Buffer.byteLength(entry.projectId ?? "") +
    Buffer.byteLength(entry.conversationId ?? "")
  );
}

/**
 * The newest requests, oldest first, within a count and a byte budget: the oldest go first when either is exceeded.
 * A queue with a moving head, so recording costs the same when it is full.
 */
export class Journal {
  readonly limit: number;
  readonly budgetBytes: number;
  #entries: (JournalEntry | undefined)[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  constructor(limit: number, budgetBytes: number) {
    this.limit = limit;
    this.budgetBytes = budgetBytes;
  }

  /** Records an entry, cut to the journal's field limit; returns the entry as stored. */
  add(entry: JournalEntry): JournalEntry {
    const stored = boundedEntry(entry);
    if (this.limit === 0) return stored;
    const size = sizeOf(stored);
    this.#entries.push(stored);
    this.#sizes.push(size);
    this.#bytes += size;
    while (this.size > this.limit || (this.#bytes > this.budgetBytes && this.size > 1)) {
      this.#bytes -= this.#sizes[this.#head] ?? 0;
      this.#entries[this.#head] = undefined;
      this.#head++;
    }
    // Evicted slots hold nothing; they are dropped once they are half the array, which keeps adding O(1) amortised.
    if (this.#head > 1_024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return stored;
  }
  get size(): number {
    return this.#entries.length - this.#head;
  }
  /** The bytes the journal counts for its entries now. */
  get bytes(): number {
    return this.#bytes;
  }
  /** Entries oldest first, from `offset`, at most `limit` of them. */
  list(offset = 0, limit = Number.POSITIVE_INFINITY): JournalEntry[] {
    const start = this.#head + offset;
    return this.#entries.slice(start, Math.min(this.#entries.length, start + limit)) as JournalEntry[];
  }
  clear(): void {
    this.#entries = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
