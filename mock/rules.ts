import type { SchemaActiveConversation, SchemaClosedConversation } from "../generated/jelou-external-support.ts";
import type { SchemaViolation } from "../spec/schema-validator.ts";
import { BudgetedMap, type BudgetRefusal } from "./budgeted-map.ts";
import type { ConversationIds } from "./conversation-factory.ts";
import { ownString } from "./journal.ts";
import { parseScenario, type Scenario, unknownScenarioMessage } from "./scenario.ts";

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** Fields to change in a generated conversation; objects merge, other values replace. */
export type ConversationOverrides = DeepPartial<SchemaActiveConversation> | DeepPartial<SchemaClosedConversation>;

/** What one conversation answers, whatever the server default (request headers still win). */
export interface ConversationRule {
  scenario: Scenario;
  conversation?: ConversationOverrides | undefined;
}

/** A rule as stored and listed by the admin API. */
export interface StoredRule extends ConversationRule, ConversationIds {}

/** A rule that cannot be accepted: the message and, per field, why. */
export interface RuleError {
  key: "UNKNOWN_SCENARIO" | "INVALID_BODY";
  message: string;
  fields: Record<string, string>;
}

/** How deep overrides may nest: a conversation is 3 levels deep, and a deeply nested body could exhaust the stack. */
export const MAX_OVERRIDE_DEPTH = 8;

function depth(value: unknown, limit = MAX_OVERRIDE_DEPTH + 1): number {
  if (typeof value !== "object" || value === null || limit === 0) return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depth(child, limit - 1));
  return deepest + 1;
}

/** Deep-merges overrides into a generated conversation (plain objects merge; arrays and scalars replace). */
export function applyOverrides<T>(generated: T, overrides: unknown): T {
  if (!isPlainObject(generated) || !isPlainObject(overrides))
    return (overrides === undefined ? generated : overrides) as T;
  const merged: Record<string, unknown> = { ...generated };
  // Own properties only, defined rather than assigned: an override named "__proto__" is a field like any other and
  // must neither read nor replace the object's prototype.
  for (const [key, value] of Object.entries(overrides)) {
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined;
    Object.defineProperty(merged, key, {
      value: applyOverrides(current, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return merged as T;
}

// The order a conversation's dates always keep, earliest first, as JSON pointers into the conversation.
const LIFECYCLE = ["/User/createdAt", "/startAt", "/endAt"] as const;

// RFC 3339 allows a leap second (23:59:60), which the spec's date-time accepts and Date.parse does not: it is ordered
// as the last instant of its minute.
/** An RFC 3339 date-time as ms since the epoch; a leap second (which Date.parse refuses) is its minute's last instant. */
export function instant(value: string): number {
  return Date.parse(value.replace(/(T\d\d:\d\d):60(\.\d+)?/i, "$1:59.999"));
}

/**
 * The fake's lifecycle invariant, `User.createdAt <= startAt <= endAt`, checked on a conversation with overrides merged
 * in. A pair out of order is reported on the field the overrides set (the later one when they set both).
 */
export function lifecycleViolations(conversation: unknown, overrides: unknown): SchemaViolation[] {
  const at = (pointer: string, from: unknown): unknown =>
    pointer
      .split("/")
      .slice(1)
      .reduce<unknown>((node, key) => (isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined), from);
  const dates = LIFECYCLE.map((pointer) => {
    const value = at(pointer, conversation);
    return { pointer, value, ms: typeof value === "string" ? instant(value) : Number.NaN };
  }).filter((date) => !Number.isNaN(date.ms));
  const violations: SchemaViolation[] = [];
  for (const [i, later] of dates.entries()) {
    const earlier = dates[i - 1];
    if (!earlier || earlier.ms <= later.ms) continue;
    const named = at(later.pointer, overrides) !== undefined || at(earlier.pointer, overrides) === undefined;
    const [field, other, relation] = named ? [later, earlier, "before"] : [earlier, later, "after"];
    violations.push({
      pointer: field.pointer,
      keyword: "lifecycle",
      message: `must not be ${relation} ${other.pointer.slice(1).replace("/", ".")} (${String(field.value)} is ${relation} ${String(other.value)})`,
      params: { other: other.pointer },
    });
  }
  return violations;
}

/**
 * Reads an admin rule body `{scenario, conversation?}`. `check` validates the merged conversation against the spec
 * for the rule's state; it is called only when overrides are given for `active` or `closed`.
 */
export function parseRule(
  body: unknown,
  check: (scenario: "active" | "closed", overrides: ConversationOverrides) => SchemaViolation[],
): { ok: true; rule: ConversationRule } | { ok: false; error: RuleError } {
  const fail = (field: string, why: string, key: RuleError["key"] = "INVALID_BODY") => ({
    ok: false as const,
    error: { key, message: why, fields: { [field]: why } },
  });
  if (!isPlainObject(body)) return fail("body", 'The body must be a JSON object such as {"scenario": "closed"}.');
  const unknown = Object.keys(body).filter((k) => k !== "scenario" && k !== "conversation");
  if (unknown.length > 0)
    return fail(unknown[0] ?? "body", `Unknown field "${unknown[0]}": a rule has only scenario and conversation.`);
  if (typeof body.scenario !== "string") return fail("scenario", "scenario is required and must be a string.");
  const scenario = parseScenario(body.scenario);
  if (!scenario) return fail("scenario", unknownScenarioMessage(body.scenario), "UNKNOWN_SCENARIO");
  if (body.conversation === undefined) return { ok: true, rule: { scenario } };

  const overrides = body.conversation;
  if (!isPlainObject(overrides)) return fail("conversation", "conversation must be an object of fields to override.");
  if (depth(overrides) > MAX_OVERRIDE_DEPTH) {
    return fail(
      "conversation",
      `conversation nests deeper than ${MAX_OVERRIDE_DEPTH} levels; a conversation is 3 levels deep.`,
    );
  }
  if (scenario !== "active" && scenario !== "closed") {
    return fail(
      "conversation",
      `conversation overrides apply to the active and closed scenarios only, not to ${scenario}.`,
    );
  }
  if ("_id" in overrides) return fail("conversation._id", "conversation._id is always the requested conversationId.");
  if ("state" in overrides && overrides.state !== scenario) {
    return fail("conversation.state", `conversation.state must match the scenario (${scenario}) or be left out.`);
  }
  const violations = check(scenario, overrides as ConversationOverrides);
  if (violations.length > 0) {
    const fields = Object.fromEntries(
      violations.map((v) => [`conversation${fieldPath(v)}`, `${fieldPath(v).slice(1) || "conversation"} ${v.message}`]),
    );
    return {
      ok: false,
      error: {
        key: "INVALID_BODY",
        message: `The conversation would not satisfy the spec: ${Object.values(fields).join("; ")}.`,
        fields,
      },
    };
  }
  return { ok: true, rule: { scenario, conversation: overrides as ConversationOverrides } };
}

// A violation's JSON pointer as a dotted field path; a `required` violation names the missing property.
function fieldPath(v: SchemaViolation): string {
  const missing =
    v.keyword === "required" && typeof v.params.missingProperty === "string" ? `/${v.params.missingProperty}` : "";
  return `${v.pointer}${missing}`.split("/").join(".");
}

/** What each object, array or value of a rule is charged besides its JSON: about what V8 spends to hold one. */
export const RULE_NODE_BYTES = 64;

/**
 * The bytes a rule is charged against the budget: its JSON's UTF-8 bytes plus {@link RULE_NODE_BYTES} per value, so
 * that `[{},{},...]` (two bytes of JSON per element, far more of heap) costs what it weighs.
 */
export function ruleCost(rule: unknown): number {
  let nodes = 0;
  const pending: unknown[] = [rule];
  while (pending.length > 0) {
    const value = pending.pop();
    nodes++;
    // One push at a time: spreading a huge array into push() exceeds the engine's argument limit.
    if (typeof value === "object" && value !== null) for (const child of Object.values(value)) pending.push(child);
  }
  return Buffer.byteLength(JSON.stringify(rule)) + nodes * RULE_NODE_BYTES;
}

/** Why a rule was not stored: the store holds as many rules, or as many bytes of rules, as it may. */
export type RuleStoreRefusal = BudgetRefusal;

/**
 * Per-conversation rules, bounded by count and by bytes (each rule charged its {@link ruleCost}), so a
 * runaway test can grow the server neither by many rules nor by large ones.
 */
export class RuleStore {
  readonly #rules: BudgetedMap<StoredRule>;
  constructor(limit: number, budgetBytes: number) {
    this.#rules = new BudgetedMap<StoredRule>(limit, budgetBytes, ruleCost);
  }
  get limit(): number {
    return this.#rules.limit;
  }
  get budgetBytes(): number {
    return this.#rules.budgetBytes;
  }

  /** Stores a rule, replacing the conversation's previous one; says which bound refused it otherwise. */
  set(ids: ConversationIds, rule: ConversationRule): { ok: true } | { ok: false; refused: RuleStoreRefusal } {
    // The ids come from the request's URL: owned copies, so a stored rule never keeps the whole URL alive.
    const stored: StoredRule = {
      projectId: ownString(ids.projectId),
      conversationId: ownString(ids.conversationId),
      ...rule,
    };
    return this.#rules.set(keyOf(ids), stored);
  }
  /** The bytes the stored rules take, as counted against the budget. */
  get bytes(): number {
    return this.#rules.bytes;
  }
  get(ids: ConversationIds): StoredRule | undefined {
    return this.#rules.size === 0 ? undefined : this.#rules.get(keyOf(ids));
  }
  delete(ids: ConversationIds): boolean {
    return this.#rules.delete(keyOf(ids));
  }
  get size(): number {
    return this.#rules.size;
  }
  /** Rules in the order they were first set, from `offset`, at most `limit` of them. */
  list(offset = 0, limit = Number.POSITIVE_INFINITY): StoredRule[] {
    const rules: StoredRule[] = [];
    let index = 0;
    for (const rule of this.#rules.values()) {
      if (rules.length >= limit) break;
      if (index++ >= offset) rules.push(rule);
    }
    return rules;
  }
  clear(): void {
    this.#rules.clear();
  }
}

// JSON keeps the two ids apart whatever characters they hold, NUL included.
const keyOf = (ids: ConversationIds) => JSON.stringify([ids.projectId, ids.conversationId]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
