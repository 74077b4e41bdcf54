// A log bounded by a count and by bytes. Unlike BudgetedMap, which refuses what a client sets up so nothing disappears
// behind a test's back, a log must always take the newest entry: it evicts the oldest entries that may go instead.
// An entry that may not go yet (a delivery in flight) stays, over the bounds if need be, and is evicted later:
// recharge() runs the eviction again when it changes.

/** Entries by key, oldest first, within `limit` entries and `budgetBytes` as far as `evictable` entries allow. */
export class BoundedLog<E> {
  readonly #entries = new Map<string, { entry: E; bytes: number }>();
  #bytes = 0;
  readonly limit: number;
  readonly budgetBytes: number;
  readonly #cost: (entry: E) => number;
  readonly #evictable: (entry: E) => boolean;
  constructor(options: {
    limit: number;
    budgetBytes: number;
    cost: (entry: E) => number;
    evictable: (entry: E) => boolean;
  }) {
    this.limit = options.limit;
    this.budgetBytes = options.budgetBytes;
    this.#cost = options.cost;
    this.#evictable = options.evictable;
  }

  /** Appends an entry as the newest, then evicts the oldest evictable ones while a bound is exceeded. */
  add(key: string, entry: E): void {
    const bytes = this.#cost(entry);
    this.#entries.set(key, { entry, bytes });
    this.#bytes += bytes;
    this.#evict();
  }
  /** The entry under `key`, if the log still holds it. */
  get(key: string): E | undefined {
    return this.#entries.get(key)?.entry;
  }
  /** Charges a changed entry its new cost and evicts again (an entry that became evictable may go at once). */
  recharge(key: string): void {
    const held = this.#entries.get(key);
    if (!held) return;
    const bytes = this.#cost(held.entry);
    this.#bytes += bytes - held.bytes;
    held.bytes = bytes;
    this.#evict();
  }
  delete(key: string): void {
    const held = this.#entries.get(key);
    if (!held) return;
    this.#bytes -= held.bytes;
    this.#entries.delete(key);
  }
  /** The entries, oldest first. */
  *values(): IterableIterator<E> {
    for (const { entry } of this.#entries.values()) yield entry;
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

  #evict(): void {
    if (this.#entries.size <= this.limit && this.#bytes <= this.budgetBytes) return;
    for (const [key, { entry }] of this.#entries) {
      if (this.#entries.size <= this.limit && this.#bytes <= this.budgetBytes) return;
      if (!this.#evictable(entry)) continue;
      this.delete(key);
    }
  }
}
