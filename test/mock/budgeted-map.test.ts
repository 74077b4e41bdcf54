import { describe, expect, it } from "vitest";
import { BudgetedMap } from "../../mock/budgeted-map.ts";

const cost = (value: string) => value.length;

describe("BudgetedMap", () => {
  it("refuses a new key past its count, and still replaces an existing one", () => {
    const map = new BudgetedMap(2, 1_000, cost);
    expect([map.set("a", "1"), map.set("b", "2"), map.set("c", "3")]).toEqual([
      { ok: true },
      { ok: true },
      { ok: false, refused: "count" },
    ]);
    expect(map.set("a", "one")).toEqual({ ok: true });
    expect([...map.values()]).toEqual(["one", "2"]);
  });

  it("refuses what would exceed its bytes, counting a replacement's difference, and frees bytes on delete", () => {
    const map = new BudgetedMap(10, 10, cost);
    expect(map.set("a", "123456")).toEqual({ ok: true });
    expect(map.set("b", "12345")).toEqual({ ok: false, refused: "bytes" });
    expect(map.set("a", "1234567890")).toEqual({ ok: true });
    expect(map.bytes).toBe(10);
    expect(map.delete("a")).toBe(true);
    expect(map.delete("a")).toBe(false);
    expect([map.bytes, map.size]).toEqual([0, 0]);
    expect(map.set("b", "12345")).toEqual({ ok: true });
  });

  it("grows an entry's charge within the budget, and refuses (charging nothing) past it or for a missing key", () => {
    const map = new BudgetedMap(10, 10, cost);
    map.set("a", "1234");
    expect(map.grow("a", 5)).toEqual({ ok: true });
    expect(map.bytes).toBe(9);
    expect(map.grow("a", 2)).toEqual({ ok: false, refused: "bytes" });
    expect(map.grow("missing", 1)).toEqual({ ok: false, refused: "bytes" });
    expect(map.bytes).toBe(9);
    map.delete("a");
    expect(map.bytes).toBe(0);
  });

  it("keeps nothing a refusal touched, and empties on clear", () => {
    const map = new BudgetedMap(10, 5, cost);
    map.set("a", "12");
    expect(map.set("a", "123456")).toEqual({ ok: false, refused: "bytes" });
    expect(map.get("a")).toBe("12");
    map.clear();
    expect([map.size, map.bytes, map.get("a")]).toEqual([0, 0, undefined]);
  });
});
