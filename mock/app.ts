// The Express layer of the fake: it gathers a request's facts, asks the pure modules (scenario, auth, factory,
// rules) what to do, and writes the reply. No decision is made here that a plain-object test could not make.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import express, { type NextFunction, type Request, type Response } from "express";
import { stringify } from "yaml";
import { loadSpec, type OpenApiDocument, SPEC_PATH } from "../spec/load-spec.ts";
import { createSpecValidator, type SpecValidator } from "../spec/schema-validator.ts";
import { isAdminToken, isAllowedHostName } from "./admin-guard.ts";
import { adminRouter, type PutRuleResult } from "./admin-router.ts";
import { type AuthConfig, type BasicCredential, checkCredentials } from "./auth.ts";
import {
  buildConversation,
  type ConversationIds,
  type FactoryContext,
  startOfUtcDay,
  successBody,
} from "./conversation-factory.ts";
import { errorHandler, sendFakeError } from "./http-errors.ts";
import { Journal, type JournalEntry, MAX_JOURNAL_LIMIT } from "./journal.ts";
import {
  BODY_CACHE_BUDGET_BYTES,
  DEFAULT_BUDGET_BYTES,
  MAX_BUDGET_BYTES,
  MAX_DELAY_MS,
  MAX_URL_LENGTH,
} from "./limits.ts";
import { LruCache } from "./lru-cache.ts";
import {
  applyOverrides,
  type ConversationRule,
  lifecycleViolations,
  parseRule,
  RuleStore,
  type StoredRule,
} from "./rules.ts";
import { decideScenario, parseScenario, type Scenario, unknownScenarioMessage } from "./scenario.ts";
import { readMockSpecData } from "./spec-data.ts";

/** Options of the fake Jelou; every one has a default. */
export interface MockOptions {
  /** Seed of the generated data (default `fake-jelou`): same seed and ids, same conversation. */
  seed?: string;
  /** Scenario when nothing else decides (default `active`). */
  scenario?: Scenario;
  /** Accept only these API keys (default: any non-empty key, unless `basic` is set). */
  apiKeys?: readonly string[];
  /** Accept only these Basic pairs (default: any well-formed pair, unless `apiKeys` is set). */
  basic?: readonly BasicCredential[];
  /** Delay before every conversation response, in ms (default 0, at most {@link MAX_DELAY_MS}). */
  delayMs?: number;
  /** Serve the admin API under /__admin (default true). */
  admin?: boolean;
  /**
   * When set, every admin request but `GET /__admin/health` must carry `Authorization: Bearer <adminToken>` (default:
   * none; {@link startMockServer} generates one when bound to an address that is not loopback).
   */
  adminToken?: string;
  /**
   * Without an admin token, the admin API answers only requests whose Host is loopback (localhost, 127.0.0.1, [::1])
   * or one of these names; `.example.com` also allows its subdomains (default: none).
   */
  allowedHosts?: readonly string[];
  /** How many requests the journal keeps, oldest dropped first (default 1000, at most 100000). */
  journalLimit?: number;
  /** How many bytes of entries the journal keeps, oldest dropped first (default 32 MiB). */
  journalBudgetBytes?: number;
  /** How many per-conversation rules may exist at once (default 10000). */
  ruleLimit?: number;
  /** How many bytes of rules may exist at once, each charged its JSON bytes plus 64 per value (default 32 MiB). */
  ruleBudgetBytes?: number;
  /** Generated dates lie before this instant (default: today's UTC midnight, so bodies are stable all day). */
  now?: Date | string | number;
  /** How many generated bodies are kept, by (state, projectId, conversationId), least recently used out (default 2000). */
  cacheSize?: number;
  /** How long the `timeout` scenario holds a request before dropping it, in ms (default 60000). */
  timeoutHoldMs?: number;
  /** The OpenAPI document (default: the committed spec). */
  spec?: OpenApiDocument;
  /** Called once per conversation-route request, when it ends (for logging). */
  onRequest?: (entry: JournalEntry) => void;
}

/** Path prefixes under which the conversation route answers: production, the docs' Markdown copies, Prism. */
export const ROUTE_PREFIXES = ["/jelouapi", "/platform", ""] as const;

/** A misuse of the library API (bad option or rule): a fault of the caller, thrown, with how to fix it. */
export class MockConfigError extends Error {
  override name = "MockConfigError";
}

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
  /** For shutdown: drops the requests the `timeout` scenario holds, and holds no new ones. */
  releaseHeld(): void;
}

/**
 * The fake as a plain Node request handler: `http.createServer(app)`, or `yourExpressApp.use(app)`. Typed without
 * Express so that a TypeScript consumer needs no @types/express.
 */
export type MockRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface MockApp {
  app: MockRequestHandler;
  control: MockControl;
}

interface RequestState {
  ids?: ConversationIds;
  scenario?: Scenario;
  scenarioSource?: JournalEntry["scenarioSource"];
  auth: JournalEntry["auth"];
}

// Every option, as a record typed on the interface: an option added there and not here fails to compile.
export const MOCK_OPTION_KEYS: Readonly<Record<keyof MockOptions, true>> = {
  seed: true,
  scenario: true,
  apiKeys: true,
  basic: true,
  delayMs: true,
  admin: true,
  adminToken: true,
  allowedHosts: true,
  journalLimit: true,
  journalBudgetBytes: true,
  ruleLimit: true,
  ruleBudgetBytes: true,
  now: true,
  cacheSize: true,
  timeoutHoldMs: true,
  spec: true,
  onRequest: true,
};

/** Throws MockConfigError naming the first key of `options` that none of `known` lists (a typo, e.g. `prot`). */
export function checkOptionKeys(options: object, known: readonly object[], where: string): void {
  const unknown = Object.keys(options).find((key) => !known.some((keys) => Object.hasOwn(keys, key)));
  if (unknown === undefined) return;
  const valid = known.flatMap((keys) => Object.keys(keys)).join(", ");
  throw new MockConfigError(`Unknown option "${unknown.slice(0, 100)}" of ${where}. Valid options: ${valid}.`);
}

/** Builds the fake Jelou as an Express app, without listening. */
export function createMockApp(options: MockOptions = {}): MockApp {
  checkOptionKeys(options, [MOCK_OPTION_KEYS], "createMockApp");
  const spec = options.spec ?? loadSpec();
  // Creating the validator (Ajv, its meta-schemas, the spec's references) costs about 45 ms of the start, and only
  // rules with overrides need it: the first of them creates it. Schemas are compiled on first use either way.
  let validator: SpecValidator | undefined;
  const specData = readMockSpecData(spec);
  const initialScenario = checkedScenario(options.scenario ?? "active");
  const delayMs = checkedDelay(options.delayMs ?? 0);
  const auth: AuthConfig = { apiKeys: options.apiKeys ?? [], basic: options.basic ?? [] };
  const context: FactoryContext = {
    seed: options.seed ?? "fake-jelou",
    known: specData.known,
    anchor: anchorOf(options.now),
  };
  const timeoutHoldMs = whole("timeoutHoldMs", options.timeoutHoldMs ?? 60_000, 0, 2_147_483_647);
  const journal = new Journal(
    whole("journalLimit", options.journalLimit ?? 1000, 0, MAX_JOURNAL_LIMIT),
    whole("journalBudgetBytes", options.journalBudgetBytes ?? DEFAULT_BUDGET_BYTES, 0, MAX_BUDGET_BYTES),
  );
  const rules = new RuleStore(
    whole("ruleLimit", options.ruleLimit ?? 10_000, 0, 10_000_000),
    whole("ruleBudgetBytes", options.ruleBudgetBytes ?? DEFAULT_BUDGET_BYTES, 0, MAX_BUDGET_BYTES),
  );
  let closing = false;
  // Generating with Faker costs more than everything else a request does: a body is built once per state and ids.
  // Buffers: off the V8 heap, already UTF-8, so a cached body costs neither GC work nor encoding when sent.
  const bodies = new LruCache<string, Buffer>(
    whole("cacheSize", options.cacheSize ?? 2_000, 0, 10_000_000),
    BODY_CACHE_BUDGET_BYTES,
    (key, body) => key.length + body.length,
  );
  const errorBodies = Object.fromEntries(
    Object.entries(specData.errors).map(([scenario, { status, body }]) => [
      scenario,
      { status, text: Buffer.from(JSON.stringify(body)) },
    ]),
  ) as Record<keyof typeof specData.errors, { status: number; text: Buffer }>;
  const held = new Set<ServerResponse>();
  let defaultScenario: Scenario = initialScenario;

  // One path for the library API and the admin API, so that both accept and refuse exactly the same rules.
  const putRule = (ids: ConversationIds, body: unknown): PutRuleResult => {
    const parsed = parseRule(body, (state, overrides) => {
      const merged = applyOverrides(buildConversation(context, ids, state), overrides);
      validator ??= createSpecValidator(spec);
      const violations = validator.validateSchema("Conversation", merged);
      return violations.length > 0 ? violations : lifecycleViolations(merged, overrides);
    });
    if (!parsed.ok) return { ok: false, ...parsed.error };
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
  };

  const control: MockControl = {
    scenario: () => defaultScenario,
    setScenario(name) {
      defaultScenario = checkedScenario(name);
    },
    setConversation(projectId, conversationId, rule) {
      const result = putRule({ projectId, conversationId }, rule);
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
      defaultScenario = initialScenario;
      rules.clear();
      journal.clear();
      // Generated bodies are not state, but up to cacheSize of them with 8 KiB ids weigh tens of MB: reset drops them.
      bodies.clear();
    },
    releaseHeld() {
      closing = true;
      for (const res of held) res.destroy();
      held.clear();
    },
  };

  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    if (req.url.length > MAX_URL_LENGTH)
      return sendFakeError(res, "URI_TOO_LONG", `The URL exceeds ${MAX_URL_LENGTH} characters.`);
    next();
  });
  // A weak ETag hashes every body; a fake serving many small JSON bodies pays for it on every request.
  app.set("etag", false);

  if (options.admin ?? true) {
    const specText = options.spec ? stringify(spec) : readFileSync(SPEC_PATH, "utf8");
    const guard = { token: checkedToken(options.adminToken), allowedHosts: checkedHosts(options.allowedHosts ?? []) };
    app.use("/__admin", adminRouter(control, putRule, spec, specText, guard));
  }

  const authenticate = (req: Request, state: RequestState) => {
    const credentials = checkCredentials(
      { apiKey: req.get("x-api-key"), authorization: req.get("authorization") },
      auth,
    );
    state.auth = credentials.ok ? credentials.kind : credentials.kind === "none" ? "none" : "invalid";
    return credentials;
  };

  app.use((req, res, next) => {
    const started = performance.now();
    const state: RequestState = { auth: "none" };
    res.locals.fakeJelou = state;
    res.once("close", () => {
      const entry: JournalEntry = {
        time: new Date().toISOString(),
        method: req.method,
        path: req.path,
        ...state.ids,
        ...(state.scenario && { scenario: state.scenario, scenarioSource: state.scenarioSource }),
        status: res.headersSent ? res.statusCode : null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        auth: state.auth,
      };
      const stored = journal.add(entry);
      options.onRequest?.(stored);
    });
    next();
  });

  const routes = ROUTE_PREFIXES.map(
    (prefix) => `${prefix}/v1/external-support/:projectId/conversations/:conversationId`,
  );
  app.get(routes, (req: Request<{ projectId: string; conversationId: string }>, res: Response) => {
    const state = res.locals.fakeJelou as RequestState;
    const ids = { projectId: req.params.projectId, conversationId: req.params.conversationId };
    state.ids = ids;

    const credentials = authenticate(req, state);
    const facts = {
      conversationId: ids.conversationId,
      scenarioHeader: req.get("x-fake-jelou-scenario"),
      prefer: req.get("prefer"),
    };
    // Jelou's gateway refuses bad credentials before anything else: a 401 wins over every scenario and comes at once,
    // whatever the fake's directives (delays included) say, since a refused request would never reach them.
    if (!credentials.ok) return respond(res, state, ids, facts, false);
    const delay = requestDelay(req.get("x-fake-jelou-delay"), delayMs);
    if ("error" in delay) return sendFakeError(res, "INVALID_DELAY", delay.error);
    const directive = decideScenario(facts, undefined, defaultScenario);
    if (!directive.ok) return sendFakeError(res, "UNKNOWN_SCENARIO", directive.message);
    // Synchronous unless there is a delay: no promise on the hot path.
    if (delay.ms > 0) {
      // The timer ends with the connection: a client that leaves, or shutdown's grace period, must not leave it behind.
      const gone = new AbortController();
      res.once("close", () => gone.abort());
      return sleep(delay.ms, undefined, { signal: gone.signal }).then(
        () => {
          if (!res.destroyed) respond(res, state, ids, facts, true);
        },
        () => {},
      );
    }
    respond(res, state, ids, facts, true);
  });

  function respond(
    res: Response,
    state: RequestState,
    ids: ConversationIds,
    facts: Parameters<typeof decideScenario>[0],
    authenticated: boolean,
  ): void {
    // Read after the delay, so that a rule changed or removed meanwhile applies to this request.
    const rule = rules.get(ids);
    const decision = decideScenario(facts, rule?.scenario, defaultScenario);
    const scenario: Scenario = authenticated && decision.ok ? decision.scenario : "unauthorized";
    state.scenario = scenario;
    state.scenarioSource = authenticated && decision.ok ? decision.source : undefined;

    switch (scenario) {
      case "active":
      case "closed": {
        if (rule?.conversation && rule.scenario === scenario) {
          const conversation = applyOverrides(buildConversation(context, ids, scenario), rule.conversation);
          res.status(200).json(successBody(conversation));
          return;
        }
        const key = JSON.stringify([scenario, ids.projectId, ids.conversationId]);
        let text = bodies.get(key);
        if (text === undefined) {
          text = Buffer.from(JSON.stringify(successBody(buildConversation(context, ids, scenario))));
          bodies.set(key, text);
        }
        res.status(200).type("application/json").send(text);
        return;
      }
      case "timeout": {
        if (closing) {
          res.destroy();
          return;
        }
        held.add(res);
        const timer = setTimeout(() => res.destroy(), timeoutHoldMs);
        res.once("close", () => {
          clearTimeout(timer);
          held.delete(res);
        });
        return;
      }
      case "reset":
        res.destroy();
        return;
      default: {
        const error = errorBodies[scenario];
        res.status(error.status).type("application/json").send(error.text);
      }
    }
  }
  app.all(routes, (_req, res) => {
    res.set("Allow", "GET");
    sendFakeError(res, "METHOD_NOT_ALLOWED", "Get Conversation answers GET only.");
  });

  app.use((req, res) => {
    sendFakeError(
      res,
      "ROUTE_NOT_FOUND",
      `No route for ${req.method} ${req.path}. The fake serves GET {prefix}/v1/external-support/{projectId}/conversations/{conversationId} with prefix /jelouapi, /platform or none.`,
    );
  });
  // The router decodes the ids before any handler runs, so a path that is not percent-encoding fails there; the
  // credentials are still judged first, as Jelou's gateway judges them before it reads the path.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const state = res.locals.fakeJelou as RequestState | undefined;
    if (!(err instanceof URIError) || !state || authenticate(req, state).ok) return next(err);
    state.scenario = "unauthorized";
    const error = errorBodies.unauthorized;
    res.status(error.status).type("application/json").send(error.text);
  });
  app.use(errorHandler);
  return { app, control };
}

function requestDelay(header: string | undefined, fallback: number): { ms: number } | { error: string } {
  if (header === undefined) return { ms: fallback };
  const ms = /^\d{1,9}$/.test(header.trim()) ? Number(header.trim()) : Number.NaN;
  return Number.isInteger(ms) && ms <= MAX_DELAY_MS
    ? { ms }
    : {
        error: `X-Fake-Jelou-Delay must be a whole number of milliseconds from 0 to ${MAX_DELAY_MS}, not "${header}".`,
      };
}

function checkedDelay(ms: number): number {
  return whole("delayMs", ms, 0, MAX_DELAY_MS);
}

function whole(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MockConfigError(`${name} must be a whole number from ${min} to ${max}, not ${value}.`);
  }
  return value;
}

function checkedToken(token: string | undefined): string | undefined {
  if (token !== undefined && !isAdminToken(token)) {
    throw new MockConfigError(
      "adminToken must be 1 to 1024 visible ASCII characters, without spaces (value not shown).",
    );
  }
  return token;
}

function checkedHosts(hosts: readonly string[]): readonly string[] {
  const bad = hosts.find((host) => !isAllowedHostName(host));
  if (bad !== undefined) {
    throw new MockConfigError(
      `allowedHosts takes host names without scheme or port (e.g. fake-jelou.test, or .example.com for its subdomains), not "${bad.slice(0, 100)}".`,
    );
  }
  return hosts;
}

function checkedScenario(name: string): Scenario {
  const scenario = parseScenario(name);
  if (!scenario) throw new MockConfigError(unknownScenarioMessage(name));
  return scenario;
}

function anchorOf(now: MockOptions["now"]): number {
  if (now === undefined) return startOfUtcDay();
  const ms = new Date(now).getTime();
  if (Number.isNaN(ms))
    throw new MockConfigError(`now must be a date (e.g. 2026-01-15T00:00:00Z), not ${String(now)}.`);
  return ms;
}
