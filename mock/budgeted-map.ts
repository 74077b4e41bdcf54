// A map bounded by a count and by bytes, for what clients can make the fake keep (rules, state): an entry that
// would exceed either bound is refused, never evicted, so nothing a test set up disappears behind its back.

/** Which bound refused an entry. */
export type BudgetRefusal = "count" | "bytes";

/** Entries by key, in the order first set, within `limit` entries and `budgetBytes` (each charged `cost(value)`). */
export class BudgetedMap<V> {
  readonly #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;
  readonly limit: number;
  readonly budgetBytes: number;
  readonly #cost: (value: V) => number;
  constructor(limit: number, budgetBytes: number, cost: (value: V) => number) {
    this.limit = limit;
    this.budgetBytes = budgetBytes;
    this.#cost = cost;
  }

  /** Stores a value, replacing the key's previous one; says which bound refused it otherwise. */
  set(key: string, value: V): { ok: true } | { ok: false; refused: BudgetRefusal } {
    const previous = this.#entries.get(key);
    if (!previous && this.#entries.size >= this.limit) return { ok: false, refused: "count" };
    const bytes = this.#cost(value);
    if (this.#bytes - (previous?.bytes ?? 0) + bytes > this.budgetBytes) return { ok: false, refused: "bytes" };
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes - (previous?.bytes ?? 0);
    return { ok: true };
  }
  get(key: string): V | undefined {
    return this.#entries.get(key)?.value;
  }
  /**
   * Charges an entry `bytes` more, for a part its owner is about to add to the value in place (a transcript's new
   * message): refused, and nothing charged, when the budget has no room or the key is absent.
   */
  grow(key: string, bytes: number): { ok: true } | { ok: false; refused: BudgetRefusal } {
    const entry = this.#entries.get(key);
    if (!entry || this.#bytes + bytes > this.budgetBytes) return { ok: false, refused: "bytes" };
    entry.bytes += bytes;
    this.#bytes += bytes;
    return { ok: true };
  }
  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#bytes -= entry.bytes;
    return this.#entries.delete(key);
  }
  /** The values in the order their keys were first set. */
  *values(): IterableIterator<V> {
    for (const { value } of this.#entries.values()) yield value;
  }
  get size(): number {
    return this.#entries.size;
  }
  /** The bytes the entries are charged, against the budget. */
  get bytes(): number {
    return this.#bytes;
  }
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
