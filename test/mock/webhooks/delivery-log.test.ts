import { describe, expect, it } from "vitest";
import { BoundedLog } from "../../../mock/webhooks/delivery-log.ts";

interface Item {
  name: string;
  bytes: number;
  busy: boolean;
}

function log(limit: number, budgetBytes: number) {
  let asked = 0;
  const bounded = new BoundedLog<Item>({
    limit,
    budgetBytes,
    cost: (item) => item.bytes,
    evictable: (item) => {
      asked++;
      return !item.busy;
    },
  });
  const add = (name: string, bytes = 10, busy = false) => {
    const item = { name, bytes, busy };
    bounded.add(name, item);
    return item;
  };
  const names = () => [...bounded.values()].map((item) => item.name);
  const free = (item: Item) => {
    item.busy = false;
    bounded.recharge(item.name);
  };
  return { bounded, add, names, free, asked: () => asked };
}

describe("BoundedLog", () => {
  it("evicts the oldest entries past the count", () => {
    const { add, names } = log(3, 1_000);
    for (const name of ["a", "b", "c", "d", "e"]) add(name);
    expect(names()).toEqual(["c", "d", "e"]);
  });

  it("evicts the oldest entries past the byte budget, and counts the bytes", () => {
    const { bounded, add, names } = log(100, 25);
    add("a");
    add("b");
    add("c", 15);
    expect(names()).toEqual(["b", "c"]);
    expect(bounded.bytes).toBe(25);
  });

  it("keeps an entry that may not go, over the bounds, and evicts it once recharge() finds it may", () => {
    const { bounded, add, names } = log(2, 35);
    const busy = add("busy", 10, true);
    add("b");
    add("c");
    expect(names()).toEqual(["busy", "c"]);
    busy.busy = false;
    busy.bytes = 30;
    bounded.recharge("busy");
    expect(names()).toEqual(["c"]);
    expect(bounded.bytes).toBe(10);
  });

  it("stays over the bounds while every entry is busy", () => {
    const { bounded, add } = log(1, 5);
    add("a", 10, true);
    add("b", 10, true);
    expect(bounded.size).toBe(2);
    expect(bounded.bytes).toBe(20);
  });

  it("evicts by age, not by when an entry became evictable", () => {
    const { add, names, free } = log(4, 1_000);
    const [a, b, , d] = ["a", "b", "c", "d"].map((name) => add(name, 10, true));
    free(d as Item);
    free(b as Item);
    add("e");
    expect(names()).toEqual(["a", "c", "d", "e"]);
    free(a as Item);
    add("f");
    expect(names()).toEqual(["c", "d", "e", "f"]);
  });

  it("does not evict an evictable entry pinned again by recharge()", () => {
    const { bounded, add, names } = log(3, 1_000);
    const items = ["a", "b", "c", "d", "e", "f"].map((name) => add(name));
    for (const item of items.slice(3, 5)) {
      item.busy = true;
      bounded.recharge(item.name);
    }
    add("g");
    add("h");
    expect(names()).toEqual(["d", "e", "h"]);
  });

  it("does not walk past the pinned entries at its head on every add: one evictable() call per add", () => {
    const { add, names, asked } = log(1_001, 1_000_000);
    for (let i = 0; i < 1_000; i++) add(`busy-${i}`, 10, true);
    for (let i = 0; i < 2_000; i++) add(`free-${i}`);
    expect(names().slice(-2)).toEqual(["busy-999", "free-1999"]);
    expect(asked()).toBe(3_000);
  });

  it("fits() says whether one more pinned entry stays within the count and the bytes, the evictable ones aside", () => {
    const { bounded, add, free } = log(3, 100);
    const busy = add("busy", 40, true);
    add("free", 50);
    expect(bounded.fits({ name: "x", bytes: 60, busy: true })).toBe(true);
    expect(bounded.fits({ name: "x", bytes: 61, busy: true })).toBe(false);
    add("busy-2", 10, true);
    add("busy-3", 10, true);
    expect(bounded.fits({ name: "x", bytes: 1, busy: true })).toBe(false);
    free(busy);
    expect(bounded.fits({ name: "x", bytes: 80, busy: true })).toBe(true);
    expect(bounded.fits({ name: "x", bytes: 81, busy: true })).toBe(false);
    bounded.delete("busy-2");
    expect(bounded.fits({ name: "x", bytes: 90, busy: true })).toBe(true);
    expect(bounded.fits({ name: "x", bytes: 91, busy: true })).toBe(false);
    bounded.clear();
    expect(bounded.fits({ name: "x", bytes: 100, busy: true })).toBe(true);
  });

  it("delete() and clear() give their bytes back; recharge() of a gone key does nothing", () => {
    const { bounded, add } = log(10, 1_000);
    add("a");
    add("b", 20);
    bounded.delete("a");
    bounded.recharge("a");
    expect(bounded.get("a")).toBeUndefined();
    expect(bounded.bytes).toBe(20);
    bounded.clear();
    expect(bounded.size).toBe(0);
    expect(bounded.bytes).toBe(0);
  });
});
