import { describe, expect, it } from "vitest";
import { BoundedLog } from "../../../mock/webhooks/delivery-log.ts";

interface Item {
  name: string;
  bytes: number;
  busy: boolean;
}

function log(limit: number, budgetBytes: number) {
  const bounded = new BoundedLog<Item>({
    limit,
    budgetBytes,
    cost: (item) => item.bytes,
    evictable: (item) => !item.busy,
  });
  const add = (name: string, bytes = 10, busy = false) => {
    const item = { name, bytes, busy };
    bounded.add(name, item);
    return item;
  };
  const names = () => [...bounded.values()].map((item) => item.name);
  return { bounded, add, names };
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
