import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  lifecycleViolations,
  parseRule,
  RULE_NODE_BYTES,
  RuleStore,
  ruleCost,
} from "../../mock/rules.ts";
import { SCENARIOS } from "../../mock/scenario.ts";
import type { SchemaViolation } from "../../spec/schema-validator.ts";
import { BUILTIN_NAMES } from "../helpers/builtin-names.ts";

const valid = () => [] as SchemaViolation[];

describe("applyOverrides", () => {
  it("merges objects deeply and replaces scalars and arrays", () => {
    const generated = { a: 1, User: { id: "u", names: "Ana" }, tags: ["x"] };
    expect(applyOverrides(generated, { User: { names: "Bea" }, tags: ["y", "z"], b: 2 })).toEqual({
      a: 1,
      User: { id: "u", names: "Bea" },
      tags: ["y", "z"],
      b: 2,
    });
    expect(generated.User.names).toBe("Ana");
  });

  it("treats a field named __proto__ as data, never as the object's prototype", () => {
    const merged = applyOverrides({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect((merged as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(merged)).toBe('{"a":1,"__proto__":{"polluted":true}}');
  });
});

describe("parseRule", () => {
  it.each([
    ["a scenario alone", { scenario: "closed" }, { scenario: "closed" }],
    ["a status alias", { scenario: "500" }, { scenario: "server-error" }],
    [
      "overrides for a closed conversation",
      { scenario: "closed", conversation: { endedReason: "closed_by_user" } },
      { scenario: "closed", conversation: { endedReason: "closed_by_user" } },
    ],
  ])("accepts %s", (_title, body, rule) => {
    expect(parseRule(body, valid)).toEqual({ ok: true, rule });
  });

  it.each([
    ["a body that is not an object", ["closed"], "INVALID_BODY", "body"],
    ["a missing scenario", {}, "INVALID_BODY", "scenario"],
    ["an unknown scenario", { scenario: "archived" }, "UNKNOWN_SCENARIO", "scenario"],
    ["an unknown field", { scenario: "closed", conversaton: {} }, "INVALID_BODY", "conversaton"],
    ["overrides that are not an object", { scenario: "closed", conversation: "x" }, "INVALID_BODY", "conversation"],
    ["overrides on an error scenario", { scenario: "not-found", conversation: {} }, "INVALID_BODY", "conversation"],
    ["an _id override", { scenario: "closed", conversation: { _id: "x" } }, "INVALID_BODY", "conversation._id"],
    [
      "a state that contradicts the scenario",
      { scenario: "active", conversation: { state: "closed" } },
      "INVALID_BODY",
      "conversation.state",
    ],
  ])("refuses %s, naming the field", (_title, body, key, field) => {
    const result = parseRule(body, valid);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.key).toBe(key);
      expect(Object.keys(result.error.fields)).toEqual([field]);
    }
  });

  it("refuses overrides the spec rejects, naming each field and why", () => {
    const result = parseRule({ scenario: "active", conversation: { endAt: "x", User: { names: 1 } } }, () => [
      { pointer: "/endAt", keyword: "false schema", message: "must not be present", params: {} },
      { pointer: "/User/names", keyword: "type", message: "must be string", params: {} },
    ]);
    expect(result).toEqual({
      ok: false,
      error: {
        key: "INVALID_BODY",
        message: "The conversation would not satisfy the spec: endAt must not be present; User.names must be string.",
        fields: {
          "conversation.endAt": "endAt must not be present",
          "conversation.User.names": "User.names must be string",
        },
      },
    });
  });

  it("names a missing required field by its name", () => {
    const result = parseRule({ scenario: "closed", conversation: {} }, () => [
      {
        pointer: "",
        keyword: "required",
        message: "must have required property 'endAt'",
        params: { missingProperty: "endAt" },
      },
    ]);
    expect(result.ok || Object.keys(result.error.fields)).toEqual(["conversation.endAt"]);
  });
});

describe("RuleStore", () => {
  it("stops accepting new conversations at its limit, but still updates existing ones", () => {
    const store = new RuleStore(2, 1_000_000);
    expect(store.set({ projectId: "p", conversationId: "a" }, { scenario: "closed" })).toEqual({ ok: true });
    expect(store.set({ projectId: "p", conversationId: "b" }, { scenario: "closed" })).toEqual({ ok: true });
    expect(store.set({ projectId: "p", conversationId: "c" }, { scenario: "closed" })).toEqual({
      ok: false,
      refused: "count",
    });
    expect(store.set({ projectId: "p", conversationId: "a" }, { scenario: "reset" })).toEqual({ ok: true });
    expect(store.get({ projectId: "p", conversationId: "a" })?.scenario).toBe("reset");
    expect(store.list()).toHaveLength(2);
  });

  it("charges each rule its cost against the budget, and gives it back on replace, delete and clear", () => {
    const big = (n: number) => ({ scenario: "active" as const, conversation: { roomId: "r".repeat(n) } });
    const size = (id: string, n: number) => ruleCost({ projectId: "p", conversationId: id, ...big(n) });
    const store = new RuleStore(100, size("a", 600) + size("b", 300));
    expect(store.set({ projectId: "p", conversationId: "a" }, big(600))).toEqual({ ok: true });
    expect(store.set({ projectId: "p", conversationId: "b" }, big(301))).toEqual({ ok: false, refused: "bytes" });
    expect(store.set({ projectId: "p", conversationId: "b" }, big(300))).toEqual({ ok: true });
    expect(store.bytes).toBe(store.budgetBytes);
    // Replacing a rule counts only the difference: a smaller rule fits where the budget is full.
    expect(store.set({ projectId: "p", conversationId: "a" }, big(0))).toEqual({ ok: true });
    expect(store.set({ projectId: "p", conversationId: "c" }, big(0))).toEqual({ ok: true });
    expect(store.delete({ projectId: "p", conversationId: "a" })).toBe(true);
    expect(store.bytes).toBe(size("b", 300) + size("c", 0));
    store.clear();
    expect(store.bytes).toBe(0);
  });

  it("charges a rule by what it holds, not only by its JSON: many small values cost what they weigh", () => {
    const wide = { scenario: "active" as const, conversation: { x: Array.from({ length: 20_000 }, () => ({})) } };
    expect(Buffer.byteLength(JSON.stringify(wide))).toBeLessThan(70_000);
    expect(ruleCost(wide)).toBeGreaterThan(20_000 * RULE_NODE_BYTES);
    const store = new RuleStore(100, 1_000_000);
    expect(store.set({ projectId: "p", conversationId: "a" }, wide as never)).toEqual({ ok: false, refused: "bytes" });
  });

  it("lists rules in the order they were set, a page at a time", () => {
    const store = new RuleStore(10, 1_000_000);
    for (const id of ["a", "b", "c", "d"]) store.set({ projectId: "p", conversationId: id }, { scenario: "closed" });
    expect(store.list(1, 2).map((r) => r.conversationId)).toEqual(["b", "c"]);
    expect(store.list(3).map((r) => r.conversationId)).toEqual(["d"]);
  });

  it("keeps projects apart, even when ids could be joined ambiguously", () => {
    const store = new RuleStore(10, 1_000_000);
    store.set({ projectId: "a/b", conversationId: "c" }, { scenario: "closed" });
    expect(store.get({ projectId: "a", conversationId: "b/c" })).toBeUndefined();
  });
});

describe("parseRule with any scenario string", () => {
  it.each(BUILTIN_NAMES)("refuses %s with UNKNOWN_SCENARIO", (name) => {
    expect(parseRule({ scenario: name }, valid)).toMatchObject({ ok: false, error: { key: "UNKNOWN_SCENARIO" } });
  });

  it("accepts a rule only with a valid scenario; anything else is UNKNOWN_SCENARIO", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom(...BUILTIN_NAMES, ...SCENARIOS)), (name) => {
        const parsed = parseRule({ scenario: name }, valid);
        if (parsed.ok) expect(SCENARIOS).toContain(parsed.rule.scenario);
        else expect(parsed.error.key).toBe("UNKNOWN_SCENARIO");
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("lifecycleViolations (User.createdAt <= startAt <= endAt)", () => {
  const closed = (startAt: string, endAt: string, createdAt = "2019-01-01T00:00:00.000Z") => ({
    startAt,
    endAt,
    User: { createdAt },
  });

  it.each<[string, unknown, unknown, string[]]>([
    ["dates in order", closed("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"), {}, []],
    ["equal dates", closed("2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"), {}, []],
    [
      "startAt after endAt, both overridden: startAt's partner endAt is named",
      closed("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
      { startAt: "2030-01-01T00:00:00Z", endAt: "2020-01-01T00:00:00Z" },
      ["/endAt"],
    ],
    [
      "startAt overridden past the generated endAt: startAt is named",
      closed("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
      { startAt: "2030-01-01T00:00:00Z" },
      ["/startAt"],
    ],
    [
      "a user created after the conversation started",
      closed("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", "2021-01-01T00:00:00Z"),
      { User: { createdAt: "2021-01-01T00:00:00Z" } },
      ["/User/createdAt"],
    ],
    [
      "a leap second, ordered as the last instant of its minute",
      closed("2030-06-30T23:59:60Z", "2029-01-01T00:00:00Z"),
      { startAt: "2030-06-30T23:59:60Z" },
      ["/startAt"],
    ],
    [
      "a leap second just before its end",
      closed("2030-06-30T23:59:60Z", "2030-07-01T00:00:00Z"),
      { startAt: "2030-06-30T23:59:60Z" },
      [],
    ],
    [
      "an active conversation (no endAt) with startAt after User.createdAt",
      { startAt: "2020-01-01T00:00:00Z", User: { createdAt: "2019-01-01T00:00:00Z" } },
      {},
      [],
    ],
  ])("%s", (_title, conversation, overrides, pointers) => {
    expect(lifecycleViolations(conversation, overrides).map((v) => v.pointer)).toEqual(pointers);
  });

  it("says which field and which bound, with both values", () => {
    const [violation] = lifecycleViolations(closed("2030-01-01T00:00:00Z", "2020-01-01T00:00:00Z"), {
      startAt: "2030-01-01T00:00:00Z",
    });
    expect(violation?.message).toBe("must not be after endAt (2030-01-01T00:00:00Z is after 2020-01-01T00:00:00Z)");
  });
});
