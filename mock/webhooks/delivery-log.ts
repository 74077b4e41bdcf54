// A log bounded by a count and by bytes. Unlike BudgetedMap, which refuses what a client sets up so nothing disappears
// behind a test's back, a log must always take the newest entry: it evicts the oldest entries that may go instead.
// An entry that may not go yet (a delivery under way) is pinned: it stays, and fits() tells the log's owner whether one
// more would fit beside the pinned ones, so that the owner refuses it rather than let the pinned entries grow without
// bound. recharge() runs the eviction again when an entry changes.

interface Slot<E> {
  readonly key: string;
  readonly entry: E;
  /** When it was added: the smallest goes first. */
  readonly age: number;
  bytes: number;
  /** Whether `evictable` said so when the entry was last added or recharged. */
  evictable: boolean;
  /** Its place in the heap of evictable slots, -1 when pinned. */
  index: number;
}

/** Entries by key, oldest first, within `limit` entries and `budgetBytes` as far as `evictable` entries allow. */
export class BoundedLog<E> {
  readonly #entries = new Map<string, Slot<E>>();
  // The evictable entries, oldest on top, apart from the pinned ones: eviction never walks past a long run of pinned
  // entries at the head of the log, which would make every add() cost as much as the log is long.
  readonly #evictables = new AgeHeap<Slot<E>>();
  #age = 0;
  #bytes = 0;
  #pinnedBytes = 0;
  #pinnedCount = 0;
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

  /** Appends an entry as the newest (replacing one under the same key), then evicts while a bound is exceeded. */
  add(key: string, entry: E): void {
    this.delete(key);
    const slot: Slot<E> = { key, entry, age: this.#age++, bytes: this.#cost(entry), evictable: false, index: -1 };
    this.#entries.set(key, slot);
    this.#bytes += slot.bytes;
    this.#classify(slot);
    this.#evict();
  }
  /** The entry under `key`, if the log still holds it. */
  get(key: string): E | undefined {
    return this.#entries.get(key)?.entry;
  }
  /**
   * Charges a changed entry its new cost and asks again whether it may go, then evicts (an entry that became evictable
   * may go at once). Call it whenever an entry's cost or evictability changes.
   */
  recharge(key: string): void {
    const slot = this.#entries.get(key);
    if (!slot) return;
    this.#unclassify(slot);
    const bytes = this.#cost(slot.entry);
    this.#bytes += bytes - slot.bytes;
    slot.bytes = bytes;
    this.#classify(slot);
    this.#evict();
  }
  /** Removes the entry under `key`, if any, and gives its bytes back. */
  delete(key: string): void {
    const slot = this.#entries.get(key);
    if (!slot) return;
    this.#unclassify(slot);
    this.#bytes -= slot.bytes;
    this.#entries.delete(key);
  }
  /**
   * Whether `entry`, not pinned yet (new, or in the log as evictable), would fit pinned: whether the pinned entries and
   * it stay within both bounds, all the evictable ones evicted.
   */
  fits(entry: E): boolean {
    return this.#pinnedCount < this.limit && this.#pinnedBytes + this.#cost(entry) <= this.budgetBytes;
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
  /** Removes every entry. */
  clear(): void {
    this.#entries.clear();
    this.#evictables.clear();
    this.#bytes = 0;
    this.#pinnedBytes = 0;
    this.#pinnedCount = 0;
  }

  #classify(slot: Slot<E>): void {
    slot.evictable = this.#evictable(slot.entry);
    if (slot.evictable) {
      this.#evictables.push(slot);
    } else {
      this.#pinnedBytes += slot.bytes;
      this.#pinnedCount++;
    }
  }
  #unclassify(slot: Slot<E>): void {
    if (slot.evictable) {
      this.#evictables.remove(slot);
    } else {
      this.#pinnedBytes -= slot.bytes;
      this.#pinnedCount--;
    }
  }
  #evict(): void {
    while (this.#entries.size > this.limit || this.#bytes > this.budgetBytes) {
      const oldest = this.#evictables.peek();
      if (!oldest) return;
      this.delete(oldest.key);
    }
  }
}

/** A binary min-heap by age that keeps each item's place in it, so that any item can leave in O(log n). */
class AgeHeap<T extends { readonly age: number; index: number }> {
  readonly #items: T[] = [];
  peek(): T | undefined {
    return this.#items[0];
  }
  push(item: T): void {
    item.index = this.#items.length;
    this.#items.push(item);
    this.#up(item.index);
  }
  remove(item: T): void {
    const at = item.index;
    const last = this.#items.pop() as T;
    item.index = -1;
    if (last === item) return;
    this.#items[at] = last;
    last.index = at;
    this.#down(at);
    this.#up(last.index);
  }
  clear(): void {
    for (const item of this.#items) item.index = -1;
    this.#items.length = 0;
  }

  #up(at: number): void {
    let child = at;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (this.#age(parent) <= this.#age(child)) return;
      this.#swap(parent, child);
      child = parent;
    }
  }
  #down(at: number): void {
    let parent = at;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < this.#items.length && this.#age(left) < this.#age(smallest)) smallest = left;
      if (right < this.#items.length && this.#age(right) < this.#age(smallest)) smallest = right;
      if (smallest === parent) return;
      this.#swap(parent, smallest);
      parent = smallest;
    }
  }
  #age(at: number): number {
    return (this.#items[at] as T).age;
  }
  #swap(a: number, b: number): void {
    const first = this.#items[a] as T;
    const second = this.#items[b] as T;
    this.#items[a] = second;
    this.#items[b] = first;
    second.index = a;
    first.index = b;
  }
}
