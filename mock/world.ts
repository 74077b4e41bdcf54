// Everything the fake holds between requests, as one object: the default scenario, the rules, the journal and the
// generated bodies. Its control API is what the admin API and the library both drive.
import type { SchemaGetConversationResponse } from "../generated/jelou-external-support.ts";
import { createSpecValidator, type SpecValidator } from "../spec/schema-validator.ts";
import {
  buildConversation,
  type ConversationIds,
  type ConversationState,
  type FactoryContext,
  type KnownValues,
  successBody,
} from "./conversation-factory.ts";
import type { FakeErrorKey } from "./error-bodies.ts";
import { Journal, type JournalEntry } from "./journal.ts";
import { BODY_CACHE_BUDGET_BYTES } from "./limits.ts";
import { LruCache } from "./lru-cache.ts";
import { checkedScenario, MockConfigError, type ResolvedOptions } from "./options.ts";
import {
  applyOverrides,
  type ConversationOverrides,
  type ConversationRule,
  lifecycleViolations,
  parseRule,
  RuleStore,
  type StoredRule,
} from "./rules.ts";
import type { Scenario } from "./scenario.ts";

/** A slice of a listing: skip `offset` entries, then at most `limit` (default: all the rest). */
export interface Page {
  offset?: number;
  limit?: number;
}

/** What the fake holds, against its bounds. */
export interface MockStats {
  requests: number;
  requestBytes: number;
  conversations: number;
  conversationBytes: number;
}

/** Control over a running fake: what the admin API and the library API both drive. */
export interface MockControl {
  /** The server default scenario. */
  scenario(): Scenario;
  /** Sets the server default scenario; throws MockConfigError for an unknown name. */
  setScenario(name: string): void;
  /** Sets the rule of one conversation; throws MockConfigError when the rule is invalid. */
  setConversation(projectId: string, conversationId: string, rule: ConversationRule): void;
  /** The rule of one conversation, if any. */
  conversation(projectId: string, conversationId: string): StoredRule | undefined;
  /** Removes the rule of one conversation; false when it had none. */
  deleteConversation(projectId: string, conversationId: string): boolean;
  /** The rules, in the order they were first set; a page of them when `page` is given. */
  conversations(page?: Page): StoredRule[];
  /** The journal, oldest first; a page of it when `page` is given. */
  requests(page?: Page): JournalEntry[];
  /** How many requests and rules are held, and the bytes counted against their budgets. */
  stats(): MockStats;
  clearRequests(): void;
  /** Restores the startup state: default scenario, no rules, empty journal. */
  reset(): void;
}

// Every control method, as a record typed on the interface: a method added there and not here fails to compile.
const CONTROL_METHODS: Readonly<Record<keyof MockControl, true>> = {
  scenario: true,
  setScenario: true,
  setConversation: true,
  conversation: true,
  deleteConversation: true,
  conversations: true,
  requests: true,
  stats: true,
  clearRequests: true,
  reset: true,
};

/** What storing a rule gave: the rule as stored, or the refusal to answer with. */
export type PutRuleResult =
  | { ok: true; rule: StoredRule }
  | { ok: false; key: FakeErrorKey; message: string; fields?: Record<string, string> };

/** The world as the core and the HTTP layer use it: the control API plus what requests read and record. */
export interface World extends MockControl {
  /** Stores a rule as the admin API received it, validated; the refusal says why otherwise. */
  putRule(ids: ConversationIds, body: unknown): PutRuleResult;
  /** The rule of one conversation, if any. */
  rule(ids: ConversationIds): StoredRule | undefined;
  /** A generated conversation's success body, encoded; the same bytes for the same state and ids. */
  generatedBody(state: ConversationState, ids: ConversationIds): Buffer;
  /** A generated conversation's success body with a rule's overrides merged in. */
  overriddenBody(
    state: ConversationState,
    ids: ConversationIds,
    overrides: ConversationOverrides,
  ): SchemaGetConversationResponse;
  /** Records a finished request in the journal and hands it to `onRequest`. */
  record(entry: JournalEntry): void;
}

/** The control API of a world, and nothing else of it: what a library user may call. */
export function controlOf(world: World): MockControl {
  return Object.fromEntries(
    Object.keys(CONTROL_METHODS).map((name) => [name, world[name as keyof MockControl]]),
  ) as unknown as MockControl;
}

/** Creates the world of one fake, empty: the startup state. */
export function createWorld(
  options: ResolvedOptions,
  known: KnownValues,
  conversationScenarios: readonly Scenario[],
): World {
  const context: FactoryContext = { seed: options.seed, known, anchor: options.anchor };
  // Creating the validator (Ajv, its meta-schemas, the spec's references) costs about 45 ms of the start, and only
  // rules with overrides need it: the first of them creates it. Schemas are compiled on first use either way.
  let validator: SpecValidator | undefined;
  const journal = new Journal(options.journalLimit, options.journalBudgetBytes);
  const rules = new RuleStore(options.ruleLimit, options.ruleBudgetBytes);
  // Buffers: off the V8 heap, already UTF-8, so a cached body costs neither GC work nor encoding when sent.
  const bodies = new LruCache<string, Buffer>(
    options.cacheSize,
    BODY_CACHE_BUDGET_BYTES,
    (key, body) => key.length + body.length,
  );
  let defaultScenario: Scenario = options.scenario;

  const world: World = {
    scenario: () => defaultScenario,
    setScenario(name) {
      defaultScenario = checkedScenario(name);
    },
    setConversation(projectId, conversationId, rule) {
      const result = world.putRule({ projectId, conversationId }, rule);
      if (!result.ok)
        throw new MockConfigError(`Failed to set the rule of ${projectId}/${conversationId}: ${result.message}`);
    },
    conversation: (projectId, conversationId) => rules.get({ projectId, conversationId }),
    deleteConversation: (projectId, conversationId) => rules.delete({ projectId, conversationId }),
    conversations: (page = {}) => rules.list(page.offset, page.limit),
    requests: (page = {}) => journal.list(page.offset, page.limit),
    stats: () => ({
      requests: journal.size,
      requestBytes: journal.bytes,
      conversations: rules.size,
      conversationBytes: rules.bytes,
    }),
    clearRequests: () => journal.clear(),
    reset() {
      defaultScenario = options.scenario;
      rules.clear();
      journal.clear();
      // Generated bodies are not state, but up to cacheSize of them with 8 KiB ids weigh tens of MB: reset drops them.
      bodies.clear();
    },

    // One path for the library API and the admin API, so that both accept and refuse exactly the same rules.
    putRule(ids, body) {
      const parsed = parseRule(body, (state, overrides) => {
        const merged = applyOverrides(buildConversation(context, ids, state), overrides);
        validator ??= createSpecValidator(options.spec);
        const violations = validator.validateSchema("Conversation", merged);
        return violations.length > 0 ? violations : lifecycleViolations(merged, overrides);
      });
      if (!parsed.ok) return { ok: false, ...parsed.error };
      if (!conversationScenarios.includes(parsed.rule.scenario)) {
        const message = `The scenario "${parsed.rule.scenario}" does not apply to getConversation. Its scenarios: ${conversationScenarios.join(", ")}.`;
        return { ok: false, key: "SCENARIO_NOT_APPLICABLE", message, fields: { scenario: message } };
      }
      const stored = rules.set(ids, parsed.rule);
      if (!stored.ok) {
        const fix = "delete rules (DELETE /__admin/conversations/...) or reset";
        return stored.refused === "count"
          ? { ok: false, key: "RULE_LIMIT_REACHED", message: `the limit of ${rules.limit} rules is reached: ${fix}.` }
          : {
              ok: false,
              key: "RULE_BUDGET_REACHED",
              message: `the rules' byte budget of ${rules.budgetBytes} bytes (ruleBudgetBytes) would be exceeded: ${rules.bytes} bytes are in use; ${fix}.`,
            };
      }
      return { ok: true, rule: rules.get(ids) as StoredRule };
    },
    rule: (ids) => rules.get(ids),
    generatedBody(state, ids) {
      const key = JSON.stringify([state, ids.projectId, ids.conversationId]);
      let body = bodies.get(key);
      if (body === undefined) {
        body = Buffer.from(JSON.stringify(successBody(buildConversation(context, ids, state))));
        bodies.set(key, body);
      }
      return body;
    },
    overriddenBody: (state, ids, overrides) =>
      successBody(applyOverrides(buildConversation(context, ids, state), overrides)),
    record(entry) {
      const stored = journal.add(entry);
      options.onRequest?.(stored);
    },
  };
  return world;
}
