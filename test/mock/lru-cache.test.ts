import { describe, expect, it } from "vitest";
import { LruCache } from "../../mock/lru-cache.ts";

describe("LruCache", () => {
  it("evicts the least recently used entry, a read counting as a use", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1);
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });

  it("replaces a value without growing, and keeps nothing with capacity 0", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("a", 2);
    expect(cache.get("a")).toBe(2);
    expect(cache.size).toBe(1);
    const none = new LruCache<string, number>(0);
    none.set("a", 1);
    expect(none.get("a")).toBeUndefined();
  });

  it("forgets everything on clear", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.clear();
    expect([cache.size, cache.get("a")]).toEqual([0, undefined]);
  });

  it("drops the oldest entries while the bytes exceed its budget, and keeps nothing larger than the budget", () => {
    const cache = new LruCache<string, string>(100, 10, (key, value) => key.length + value.length);
    cache.set("a", "1234");
    cache.set("b", "1234");
    expect([cache.size, cache.bytes]).toEqual([2, 10]);
    cache.set("c", "12");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, "1234", "12"]);
    cache.set("d", "x".repeat(20));
    expect(cache.get("d")).toBeUndefined();
    expect(cache.bytes).toBe(8);
  });
});
