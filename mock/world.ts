// Everything the fake holds between requests, as one object: the default scenario, the rules, the journal, the
// sandbox's state (integrations, started conversations) and the generated bodies. Its control API is what the admin
// API and the library both drive.
import type {
  operations,
  SchemaConversation,
  SchemaGetConversationResponse,
} from "../generated/jelou-external-support.ts";
import type { SpecValidator } from "../spec/schema-validator.ts";
import { BudgetedMap } from "./budgeted-map.ts";
import {
  buildConversation,
  type ConversationIds,
  type ConversationState,
  type FactoryContext,
  type KnownValues,
  successBody,
} from "./conversation-factory.ts";
import type { FakeErrorKey } from "./error-bodies.ts";
import { Journal, type JournalEntry, ownString } from "./journal.ts";
import { BODY_CACHE_BUDGET_BYTES } from "./limits.ts";
import { LruCache } from "./lru-cache.ts";
import { type OperationRule, OperationRuleStore } from "./operation-rules.ts";
import { checkedScenario, MockConfigError, type ResolvedOptions } from "./options.ts";
import {
  applyOverrides,
  type ConversationOverrides,
  type ConversationRule,
  lifecycleViolations,
  parseRule,
  RULE_NODE_BYTES,
  RuleStore,
  type StoredRule,
} from "./rules.ts";
import { parseScenario, type Scenario, unknownScenarioMessage } from "./scenario.ts";
import {
  SandboxState,
  type StateDocument,
  type StoredConversation,
  type StoredIntegration,
  type TranscriptMessage,
} from "./state.ts";
import { parseStateDocument } from "./state-document.ts";
import { DELIVERY_FAULTS, type DeliveryFault } from "./webhooks/outgoing.ts";

type OperationId = keyof operations;

/** A slice of a listing: skip `offset` entries, then at most `limit` (default: all the rest). */
export interface Page {
  offset?: number;
  limit?: number;
}

/** What the fake holds, against its bounds. */
export interface MockStats {
  requests: number;
  requestBytes: number;
  /** Conversation rules. */
  conversations: number;
  conversationBytes: number;
  operationRules: number;
  operationRuleBytes: number;
  integrations: number;
  /** Conversations started through the API. */
  startedConversations: number;
  stateBytes: number;
  /** Webhook faults set for one project (the one for every project is not counted). */
  webhookFaults: number;
  webhookFaultBytes: number;
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
  /**
   * Sets what one operation answers, for one project or, without `projectId`, for every project (e.g.
   * `{operationId: "startConversation", projectId: "p1", scenario: "server-error"}`); throws MockConfigError when
   * the operation does not answer that scenario.
   */
  setOperation(rule: OperationRule): void;
  /** The operation rules, in the order they were first set. */
  operations(): OperationRule[];
  /** Removes an operation rule; false when there was none. */
  deleteOperation(operationId: OperationId, projectId?: string): boolean;
  /** The sandbox's state: integrations (with their signing secrets) and conversations started through the API. */
  state(): StateDocument;
  /** Replaces the sandbox's state; throws MockConfigError naming the first invalid field. */
  loadState(state: unknown): void;
  /**
   * Puts the fake in a Pact provider state, e.g. `setProviderState("project {projectId} has an integration",
   * {projectId: "p1"})` (docs/verify-pact.md lists them); throws MockConfigError for one it does not understand.
   */
  setProviderState(state: string, params?: Readonly<Record<string, unknown>>): void;
  /** The journal, oldest first; a page of it when `page` is given. */
  requests(page?: Page): JournalEntry[];
  /** How many requests, rules and records are held, and the bytes counted against their budgets. */
  stats(): MockStats;
  clearRequests(): void;
  /**
   * Breaks the webhook events of one project, or of every project without `projectId`, until set to undefined or
   * reset (docs/webhooks.md lists the faults); throws MockConfigError for an unknown fault.
   */
  setWebhookFault(fault: DeliveryFault | undefined, projectId?: string): void;
  /** The webhook faults in force: one per project, and one without `projectId` for every project. */
  webhookFaults(): WebhookFaultRule[];
  /** A conversation's messages, both directions, in order; throws MockConfigError when it was not started. */
  transcript(projectId: string, conversationId: string): TranscriptMessage[];
  /**
   * Restores the startup state: default scenario, no rules, empty journal, empty state, no webhook faults; on a
   * server or a MockApp's control, an empty deliveries log too.
   */
  reset(): void;
}

/** A webhook fault in force, for one project or, without `projectId`, for every project. */
export interface WebhookFaultRule {
  projectId?: string;
  fault: DeliveryFault;
}

// Every control method, as a record typed on the interface: a method added there and not here fails to compile.
const CONTROL_METHODS: Readonly<Record<keyof MockControl, true>> = {
  scenario: true,
  setScenario: true,
  setConversation: true,
  conversation: true,
  deleteConversation: true,
  conversations: true,
  setOperation: true,
  operations: true,
  deleteOperation: true,
  state: true,
  loadState: true,
  setProviderState: true,
  requests: true,
  stats: true,
  clearRequests: true,
  setWebhookFault: true,
  webhookFaults: true,
  transcript: true,
  reset: true,
};

/** A refusal of the admin API: its key, message and, per field, why. */
export interface AdminRefusal {
  ok: false;
  key: FakeErrorKey;
  message: string;
  fields?: Record<string, string>;
}

/** What storing a rule gave: the rule as stored, or the refusal to answer with. */
export type PutRuleResult = { ok: true; rule: StoredRule } | AdminRefusal;

/** What storing a record of the state gave: refused only when the state's byte budget has no room for it. */
export type StoreResult = { ok: true } | { ok: false; message: string };

/** The world as the core and the HTTP layer use it: the control API plus what requests read and record. */
export interface World extends MockControl {
  /** Stores a rule as the admin API received it, validated; the refusal says why otherwise. */
  putRule(ids: ConversationIds, body: unknown): PutRuleResult;
  /** Stores an operation rule as the admin API received it, validated. */
  putOperationRule(operationId: string, projectId: string | undefined, body: unknown): AdminRefusal | { ok: true };
  /** Replaces the state with a document as the admin API received it, validated. */
  putState(body: unknown): AdminRefusal | { ok: true };
  /** Applies a provider state as the admin API received it. */
  putProviderState(state: string, params: Readonly<Record<string, unknown>>): AdminRefusal | { ok: true };
  /** The rule of one conversation, if any. */
  rule(ids: ConversationIds): StoredRule | undefined;
  /** The operation rule that applies to a request, if any. */
  operationRule(operationId: OperationId, projectId: string | undefined): OperationRule | undefined;
  /** The webhook fault of a project's events: its own, else the one for every project. */
  webhookFault(projectId: string | undefined): DeliveryFault | undefined;
  /** Sets or clears (`fault: null`) a webhook fault, as the admin API's body says. */
  putWebhookFault(body: unknown): AdminRefusal | { ok: true };
  /** The integrations and started conversations. */
  readonly sandbox: SandboxState;
  storeIntegration(record: StoredIntegration): StoreResult;
  storeConversation(record: StoredConversation): StoreResult;
  /** Adds a message to a stored conversation's transcript. */
  appendMessage(projectId: string, conversationId: string, message: TranscriptMessage): StoreResult;
  /** A generated conversation: the same for the same state and ids. */
  generatedConversation<S extends ConversationState>(
    state: S,
    ids: ConversationIds,
  ): Extract<SchemaConversation, { state: S }>;
  /** A generated conversation's success body, encoded; the same bytes for the same state and ids. */
  generatedBody(state: ConversationState, ids: ConversationIds): Buffer;
  /** A generated conversation's success body with a rule's overrides merged in. */
  overriddenBody(
    state: ConversationState,
    ids: ConversationIds,
    overrides: ConversationOverrides,
  ): SchemaGetConversationResponse;
  /** Records a finished request in the journal and hands it to `onRequest`; returns the entry as stored. */
  record(entry: JournalEntry): JournalEntry;
}

/** The control API of a world, and nothing else of it: what a library user may call. */
export function controlOf(world: World): MockControl {
  return Object.fromEntries(
    Object.keys(CONTROL_METHODS).map((name) => [name, world[name as keyof MockControl]]),
  ) as unknown as MockControl;
}

/** How a provider state is applied: by the operations' layer, which knows what each state changes. */
export type ProviderStateApplier = (
  world: World,
  state: string,
  params: Readonly<Record<string, unknown>>,
  now: number,
) => { ok: true } | { ok: false; message: string };

/** Creates the world of one fake: the startup state, with `options.state` loaded when given. */
export function createWorld(
  options: ResolvedOptions,
  known: KnownValues,
  scenarios: Readonly<Record<OperationId, readonly Scenario[]>>,
  validate: () => SpecValidator,
  applyProviderState: ProviderStateApplier,
): World {
  const context: FactoryContext = { seed: options.seed, known, anchor: options.anchor };
  const journal = new Journal(options.journalLimit, options.journalBudgetBytes);
  const rules = new RuleStore(options.ruleLimit, options.ruleBudgetBytes);
  const operationRules = new OperationRuleStore(options.ruleLimit, options.ruleBudgetBytes);
  // Replaced whole by a state document, so that one refused leaves the state as it was.
  let sandbox = new SandboxState(options.stateBudgetBytes);
  // Buffers: off the V8 heap, already UTF-8, so a cached body costs neither GC work nor encoding when sent.
  const bodies = new LruCache<string, Buffer>(
    options.cacheSize,
    BODY_CACHE_BUDGET_BYTES,
    (key, body) => key.length + body.length,
  );
  let defaultScenario: Scenario = options.scenario;
  // By project, within the rules' count and byte budget (a budget of their own), as a rule is charged; and the one
  // for every project.
  const webhookFaults = new BudgetedMap<Required<WebhookFaultRule>>(
    options.ruleLimit,
    options.ruleBudgetBytes,
    (rule) => Buffer.byteLength(rule.projectId) + rule.fault.length + 2 * RULE_NODE_BYTES,
  );
  let everyProjectFault: DeliveryFault | undefined;
  const fixRules = "delete rules (DELETE /__admin/conversations/... or /__admin/operations/...) or reset";
  const budgetMessage = `the state's byte budget of ${sandbox.budgetBytes} bytes (stateBudgetBytes) has no room for it: delete integrations, or reset (POST /__admin/reset).`;
  const stored = (result: { ok: boolean }): StoreResult =>
    result.ok ? { ok: true } : { ok: false, message: budgetMessage };
  const notApplicable = (scenario: Scenario, operationId: OperationId): AdminRefusal => {
    const message = `The scenario "${scenario}" does not apply to ${operationId}. Its scenarios: ${scenarios[operationId].join(", ")}.`;
    return { ok: false, key: "SCENARIO_NOT_APPLICABLE", message, fields: { scenario: message } };
  };

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
    setOperation(rule) {
      const { operationId, projectId, ...body } = rule;
      const result = world.putOperationRule(operationId, projectId, body);
      if (!result.ok) throw new MockConfigError(`Failed to set the rule of ${operationId}: ${result.message}`);
    },
    operations: () => operationRules.list(),
    deleteOperation: (operationId, projectId) => operationRules.delete(operationId, projectId),
    state: () => sandbox.export(),
    loadState(state) {
      const result = world.putState(state);
      if (!result.ok) throw new MockConfigError(`Failed to load the state: ${result.message}`);
    },
    setProviderState(state, params = {}) {
      const result = world.putProviderState(state, params);
      if (!result.ok) throw new MockConfigError(`Failed to set the provider state: ${result.message}`);
    },
    putProviderState(state, params) {
      const result = applyProviderState(world, state, params, Date.now());
      if (result.ok) return result;
      return { ok: false, key: "UNKNOWN_PROVIDER_STATE", message: result.message, fields: { state: result.message } };
    },
    requests: (page = {}) => journal.list(page.offset, page.limit),
    stats: () => ({
      requests: journal.size,
      requestBytes: journal.bytes,
      conversations: rules.size,
      conversationBytes: rules.bytes,
      operationRules: operationRules.size,
      operationRuleBytes: operationRules.bytes,
      integrations: sandbox.counts.integrations,
      startedConversations: sandbox.counts.conversations,
      stateBytes: sandbox.bytes,
      webhookFaults: webhookFaults.size,
      webhookFaultBytes: webhookFaults.bytes,
    }),
    clearRequests: () => journal.clear(),
    setWebhookFault(fault, projectId) {
      const result = world.putWebhookFault({ fault: fault ?? null, ...(projectId !== undefined && { projectId }) });
      if (!result.ok) throw new MockConfigError(`Failed to set the webhook fault: ${result.message}`);
    },
    webhookFaults: () => [
      ...(everyProjectFault ? [{ fault: everyProjectFault }] : []),
      ...[...webhookFaults.values()].map((rule) => ({ ...rule })),
    ],
    webhookFault: (projectId) =>
      (projectId === undefined ? undefined : webhookFaults.get(projectId)?.fault) ?? everyProjectFault,
    putWebhookFault(body) {
      const refuse = (key: FakeErrorKey, field: string, message: string): AdminRefusal => ({
        ok: false,
        key,
        message,
        fields: { [field]: message },
      });
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        const message = 'The body must be an object: {"fault": "bad-signature", "projectId": "p1"}.';
        return refuse("INVALID_BODY", "body", message);
      }
      const { fault, projectId, ...rest } = body as Record<string, unknown>;
      const unknown = Object.keys(rest)[0]?.slice(0, 100);
      if (unknown !== undefined) return refuse("INVALID_BODY", unknown, `Unknown field "${unknown}".`);
      if (projectId !== undefined && (typeof projectId !== "string" || projectId === "")) {
        const message = "projectId must be a non-empty string, or left out for every project.";
        return refuse("INVALID_BODY", "projectId", message);
      }
      if (fault !== null && !DELIVERY_FAULTS.includes(fault as DeliveryFault)) {
        const message = `fault must be one of ${DELIVERY_FAULTS.join(", ")}, or null to clear it.`;
        return refuse("UNKNOWN_WEBHOOK_FAULT", "fault", message);
      }
      const set = fault === null ? undefined : (fault as DeliveryFault);
      if (projectId === undefined) {
        everyProjectFault = set;
        return { ok: true };
      }
      if (set === undefined) {
        webhookFaults.delete(projectId);
        return { ok: true };
      }
      // A copy of the id: a slice of a large request body must not keep the whole body alive. The id is charged too.
      const owned = ownString(projectId);
      const result = webhookFaults.set(owned, { projectId: owned, fault: set });
      if (result.ok) return { ok: true };
      return result.refused === "count"
        ? refuse(
            "RULE_LIMIT_REACHED",
            "projectId",
            `the limit of ${webhookFaults.limit} webhook faults is reached: clear some, or reset.`,
          )
        : refuse(
            "RULE_BUDGET_REACHED",
            "projectId",
            `the webhook faults' byte budget of ${webhookFaults.budgetBytes} bytes (ruleBudgetBytes) would be exceeded: clear some, or reset.`,
          );
    },
    transcript(projectId, conversationId) {
      const stored = sandbox.conversation(projectId, conversationId);
      if (!stored) {
        throw new MockConfigError(
          `Failed to read the transcript: the sandbox has no conversation ${conversationId} in project ${projectId} (start it with startConversation).`,
        );
      }
      return structuredClone(stored.messages ?? []);
    },
    reset() {
      webhookFaults.clear();
      everyProjectFault = undefined;
      defaultScenario = options.scenario;
      rules.clear();
      operationRules.clear();
      sandbox.clear();
      journal.clear();
      // Generated bodies are not state, but up to cacheSize of them with 8 KiB ids weigh tens of MB: reset drops them.
      bodies.clear();
    },

    // One path for the library API and the admin API, so that both accept and refuse exactly the same rules.
    putRule(ids, body) {
      const parsed = parseRule(body, (state, overrides) => {
        const merged = applyOverrides(buildConversation(context, ids, state), overrides);
        const violations = validate().validateSchema("Conversation", merged);
        return violations.length > 0 ? violations : lifecycleViolations(merged, overrides);
      });
      if (!parsed.ok) return { ok: false, ...parsed.error };
      if (!scenarios.getConversation.includes(parsed.rule.scenario)) {
        return notApplicable(parsed.rule.scenario, "getConversation");
      }
      const result = rules.set(ids, parsed.rule);
      if (!result.ok) {
        return result.refused === "count"
          ? {
              ok: false,
              key: "RULE_LIMIT_REACHED",
              message: `the limit of ${rules.limit} rules is reached: ${fixRules}.`,
            }
          : {
              ok: false,
              key: "RULE_BUDGET_REACHED",
              message: `the rules' byte budget of ${rules.budgetBytes} bytes (ruleBudgetBytes) would be exceeded: ${rules.bytes} bytes are in use; ${fixRules}.`,
            };
      }
      return { ok: true, rule: rules.get(ids) as StoredRule };
    },
    putOperationRule(operationId, projectId, body) {
      if (!Object.hasOwn(scenarios, operationId)) {
        const message = `Unknown operation "${operationId.slice(0, 100)}". Operations: ${Object.keys(scenarios).join(", ")}.`;
        return { ok: false, key: "UNKNOWN_OPERATION", message };
      }
      const operation = operationId as OperationId;
      const fields = typeof body === "object" && body !== null ? Object.keys(body) : [];
      const name = (body as { scenario?: unknown } | null)?.scenario;
      if (typeof name !== "string" || fields.some((field) => field !== "scenario")) {
        const message = 'The body must be {"scenario": "<name>"}.';
        return { ok: false, key: "INVALID_BODY", message, fields: { scenario: message } };
      }
      const scenario = parseScenario(name);
      if (!scenario) {
        const message = unknownScenarioMessage(name);
        return { ok: false, key: "UNKNOWN_SCENARIO", message, fields: { scenario: message } };
      }
      if (!scenarios[operation].includes(scenario)) return notApplicable(scenario, operation);
      const result = operationRules.set({
        operationId: operation,
        ...(projectId !== undefined && { projectId }),
        scenario,
      });
      if (result.ok) return { ok: true };
      return result.refused === "count"
        ? {
            ok: false,
            key: "RULE_LIMIT_REACHED",
            message: `the limit of ${operationRules.limit} operation rules is reached: ${fixRules}.`,
          }
        : {
            ok: false,
            key: "RULE_BUDGET_REACHED",
            message: `the operation rules' byte budget of ${operationRules.budgetBytes} bytes (ruleBudgetBytes) would be exceeded; ${fixRules}.`,
          };
    },
    putState(body) {
      const parsed = parseStateDocument(body, (name, value) => validate().validateSchema(name, value));
      if (!parsed.ok) {
        const { field, message } = parsed.error;
        return { ok: false, key: "INVALID_STATE", message, fields: { [field]: message } };
      }
      const next = new SandboxState(options.stateBudgetBytes);
      const fits =
        parsed.state.integrations.every((record) => next.putIntegration(record).ok) &&
        parsed.state.conversations.every((record) => next.putConversation(record).ok);
      if (!fits) {
        const message = `The state exceeds its byte budget of ${next.budgetBytes} bytes (stateBudgetBytes); the state is left as it was.`;
        return { ok: false, key: "STATE_BUDGET_REACHED", message, fields: { state: message } };
      }
      sandbox = next;
      return { ok: true };
    },
    rule: (ids) => rules.get(ids),
    operationRule: (operationId, projectId) => operationRules.applying(operationId, projectId),
    get sandbox() {
      return sandbox;
    },
    storeIntegration: (record) => stored(sandbox.putIntegration(record)),
    storeConversation: (record) => stored(sandbox.putConversation(record)),
    appendMessage: (projectId, conversationId, message) =>
      stored(sandbox.appendMessage(projectId, conversationId, message)),
    generatedConversation: <S extends ConversationState>(state: S, ids: ConversationIds) =>
      buildConversation(context, ids, state) as Extract<SchemaConversation, { state: S }>,
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
      return stored;
    },
  };

  if (options.state !== undefined) world.loadState(options.state);
  return world;
}
