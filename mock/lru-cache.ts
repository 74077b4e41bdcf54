/**
 * A least-recently-used cache bounded by a count and by bytes: Map keeps insertion order, so the first key is the
 * oldest, and entries go oldest first while either bound is exceeded.
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, { value: V; bytes: number }>();
  #bytes = 0;
  readonly capacity: number;
  readonly budgetBytes: number;
  readonly #sizeOf: (key: K, value: V) => number;
  constructor(
    capacity: number,
    budgetBytes = Number.POSITIVE_INFINITY,
    sizeOf: (key: K, value: V) => number = () => 0,
  ) {
    this.capacity = capacity;
    this.budgetBytes = budgetBytes;
    this.#sizeOf = sizeOf;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry?.value;
  }

  set(key: K, value: V): void {
    const bytes = this.#sizeOf(key, value);
    if (this.capacity === 0 || bytes > this.budgetBytes) return;
    this.#remove(key);
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.capacity || this.#bytes > this.budgetBytes) {
      this.#remove(this.#entries.keys().next().value as K);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
  /** The bytes counted for the entries held now. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(key);
  }
}
