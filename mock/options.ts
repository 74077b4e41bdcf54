// The library's options and their checks: a caller's mistake is a MockConfigError that says how to fix it, raised
// before anything is built.
import { loadSpec, type OpenApiDocument } from "../spec/load-spec.ts";
import { isAdminToken, isAllowedHostName } from "./admin-guard.ts";
import type { AuthConfig, BasicCredential } from "./auth.ts";
import { startOfUtcDay } from "./conversation-factory.ts";
import type { JournalEntry } from "./journal.ts";
import { MAX_JOURNAL_LIMIT } from "./journal.ts";
import {
  DEFAULT_BUDGET_BYTES,
  MAX_BUDGET_BYTES,
  MAX_DELAY_MS,
  MAX_WEBHOOK_RETRIES,
  MAX_WEBHOOK_TIMEOUT_MS,
} from "./limits.ts";
import { parseScenario, type Scenario, unknownScenarioMessage } from "./scenario.ts";
import { isWebhookHost } from "./webhooks/allow-list.ts";

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
  /** How many bytes of integrations and started conversations the state keeps (default 32 MiB). */
  stateBudgetBytes?: number;
  /** The state to start with, as `GET /__admin/state` exports it (default: empty). */
  state?: unknown;
  /** Accept only public HTTPS webhook URLs, as Jelou does (default false: any http(s) URL, for local development). */
  requireHttpsWebhooks?: boolean;
  /**
   * Extra attempts of a webhook delivery that failed (network error, timeout, 408, 429 or 5xx), each after twice the
   * back-off of the one before (default 0: one attempt, as Jelou's sibling Custom Channel API documents; at most 10).
   */
  webhookRetries?: number;
  /** How long one webhook delivery attempt may take, connect to response, in ms (default 20000). */
  webhookTimeoutMs?: number;
  /** The back-off before the first retry of a webhook delivery, in ms (default 1000). */
  webhookRetryBaseMs?: number;
  /**
   * The only hosts webhooks are delivered to (`.example.com`: the domain and its subdomains; IP addresses too).
   * {@link startMockServer} adds this machine's (localhost, 127.0.0.1, ::1) when bound to loopback, and allows only
   * those listed beyond it. createMockApp, which does not know its binding, delivers to any http(s) URL without one.
   */
  webhookAllow?: readonly string[];
  /** The OpenAPI document (default: the committed spec). */
  spec?: OpenApiDocument;
  /** Called once per conversation-route request, when it ends (for logging). */
  onRequest?: (entry: JournalEntry) => void;
}

/** A misuse of the library API (bad option or rule): a fault of the caller, thrown, with how to fix it. */
export class MockConfigError extends Error {
  override name = "MockConfigError";
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
  stateBudgetBytes: true,
  state: true,
  requireHttpsWebhooks: true,
  webhookRetries: true,
  webhookTimeoutMs: true,
  webhookRetryBaseMs: true,
  webhookAllow: true,
  spec: true,
  onRequest: true,
};

/** The options with their defaults filled in and every value checked. */
export interface ResolvedOptions {
  spec: OpenApiDocument;
  /** True when the spec is the committed one (its YAML can be served as it is written). */
  committedSpec: boolean;
  seed: string;
  scenario: Scenario;
  auth: AuthConfig;
  delayMs: number;
  admin: boolean;
  adminToken: string | undefined;
  allowedHosts: readonly string[];
  journalLimit: number;
  journalBudgetBytes: number;
  ruleLimit: number;
  ruleBudgetBytes: number;
  /** Generated dates lie before this instant (ms since epoch). */
  anchor: number;
  cacheSize: number;
  timeoutHoldMs: number;
  stateBudgetBytes: number;
  state: unknown;
  requireHttpsWebhooks: boolean;
  webhookRetries: number;
  webhookTimeoutMs: number;
  webhookRetryBaseMs: number;
  /** Undefined: any http(s) URL. */
  webhookAllow: readonly string[] | undefined;
  onRequest: ((entry: JournalEntry) => void) | undefined;
}

/** Throws MockConfigError naming the first key of `options` that none of `known` lists (a typo, e.g. `prot`). */
export function checkOptionKeys(options: object, known: readonly object[], where: string): void {
  const unknown = Object.keys(options).find((key) => !known.some((keys) => Object.hasOwn(keys, key)));
  if (unknown === undefined) return;
  const valid = known.flatMap((keys) => Object.keys(keys)).join(", ");
  throw new MockConfigError(`Unknown option "${unknown.slice(0, 100)}" of ${where}. Valid options: ${valid}.`);
}

/** Checks the options of createMockApp and fills in their defaults; throws MockConfigError on the first bad one. */
export function resolveOptions(options: MockOptions): ResolvedOptions {
  checkOptionKeys(options, [MOCK_OPTION_KEYS], "createMockApp");
  const admin = options.admin ?? true;
  return {
    spec: options.spec ?? loadSpec(),
    committedSpec: options.spec === undefined,
    seed: options.seed ?? "fake-jelou",
    scenario: checkedScenario(options.scenario ?? "active"),
    auth: { apiKeys: options.apiKeys ?? [], basic: options.basic ?? [] },
    delayMs: whole("delayMs", options.delayMs ?? 0, 0, MAX_DELAY_MS),
    admin,
    // Checked only where they apply: with the admin API off, they are never read.
    adminToken: admin ? checkedToken(options.adminToken) : undefined,
    allowedHosts: admin ? checkedHosts(options.allowedHosts ?? [], "allowedHosts") : [],
    journalLimit: whole("journalLimit", options.journalLimit ?? 1000, 0, MAX_JOURNAL_LIMIT),
    journalBudgetBytes: whole(
      "journalBudgetBytes",
      options.journalBudgetBytes ?? DEFAULT_BUDGET_BYTES,
      0,
      MAX_BUDGET_BYTES,
    ),
    ruleLimit: whole("ruleLimit", options.ruleLimit ?? 10_000, 0, 10_000_000),
    ruleBudgetBytes: whole("ruleBudgetBytes", options.ruleBudgetBytes ?? DEFAULT_BUDGET_BYTES, 0, MAX_BUDGET_BYTES),
    anchor: anchorOf(options.now),
    cacheSize: whole("cacheSize", options.cacheSize ?? 2_000, 0, 10_000_000),
    timeoutHoldMs: whole("timeoutHoldMs", options.timeoutHoldMs ?? 60_000, 0, 2_147_483_647),
    stateBudgetBytes: whole("stateBudgetBytes", options.stateBudgetBytes ?? DEFAULT_BUDGET_BYTES, 0, MAX_BUDGET_BYTES),
    state: options.state,
    requireHttpsWebhooks: options.requireHttpsWebhooks ?? false,
    webhookRetries: whole("webhookRetries", options.webhookRetries ?? 0, 0, MAX_WEBHOOK_RETRIES),
    webhookTimeoutMs: whole("webhookTimeoutMs", options.webhookTimeoutMs ?? 20_000, 1, MAX_WEBHOOK_TIMEOUT_MS),
    webhookRetryBaseMs: whole("webhookRetryBaseMs", options.webhookRetryBaseMs ?? 1_000, 0, MAX_WEBHOOK_TIMEOUT_MS),
    webhookAllow: options.webhookAllow === undefined ? undefined : checkedWebhookHosts(options.webhookAllow),
    onRequest: options.onRequest,
  };
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

function checkedHosts(hosts: readonly string[], name: string): readonly string[] {
  const bad = hosts.find((host) => typeof host !== "string" || !isAllowedHostName(host));
  if (bad !== undefined) {
    throw new MockConfigError(
      `${name} takes host names without scheme or port (e.g. fake-jelou.test, or .example.com for its subdomains), not "${String(bad).slice(0, 100)}".`,
    );
  }
  return hosts;
}

function checkedWebhookHosts(hosts: readonly string[]): readonly string[] {
  const bad = hosts.find((host) => typeof host !== "string" || !isWebhookHost(host));
  if (bad !== undefined) {
    throw new MockConfigError(
      `webhookAllow takes host names or IP addresses without scheme or port (e.g. hooks.example.com, .example.com for its subdomains, 10.0.0.5, ::1), not "${String(bad).slice(0, 100)}".`,
    );
  }
  return hosts;
}

/** A scenario name or status alias, checked; throws MockConfigError listing the valid ones otherwise. */
export function checkedScenario(name: string): Scenario {
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
