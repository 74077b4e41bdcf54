// The decision every request of the Jelou API goes through, in Jelou's order: credentials first (its gateway refuses
// them before anything else), then the fake's directives (delay, scenario), then the operation's own reply.
import type { AuthConfig, CredentialHeaders } from "../auth.ts";
import { checkCredentials } from "../auth.ts";
import { FAKE_ERRORS, type FakeErrorKey, fakeErrorBody } from "../error-bodies.ts";
import { MAX_DELAY_MS } from "../limits.ts";
import { OPERATIONS, type OperationHandler, type OperationId, type PathParams } from "../operations/index.ts";
import { decideScenario } from "../scenario.ts";
import type { MockSpecData } from "../spec-data.ts";
import type { World } from "../world.ts";
import type { AuthRecord, Outcome, Reply } from "./plan.ts";

/** What the core needs of the fake's options, fixed at start-up. */
export interface CoreConfig {
  auth: AuthConfig;
  /** The delay of every request without its own, in ms. */
  delayMs: number;
  /** The spec's bodies of the error scenarios, encoded once. */
  errors: Readonly<Record<keyof MockSpecData["errors"], { status: number; body: Buffer }>>;
}

/** Builds the core's configuration from the resolved options and what the spec provides. */
export function createCoreConfig(auth: AuthConfig, delayMs: number, specData: MockSpecData): CoreConfig {
  const errors = Object.fromEntries(
    Object.entries(specData.errors).map(([scenario, { status, body }]) => [
      scenario,
      { status, body: Buffer.from(JSON.stringify(body)) },
    ]),
  ) as CoreConfig["errors"];
  return { auth, delayMs, errors };
}

/** A request as the core sees it: which operation, its path parameters and the headers that matter. */
export interface RequestFacts<K extends OperationId = OperationId> {
  operation: K;
  /** The decoded path parameters; undefined when the path is not valid percent-encoding. */
  params: PathParams<K> | undefined;
  credentials: CredentialHeaders;
  /** `X-Fake-Jelou-Scenario`, if sent. */
  scenarioHeader: string | undefined;
  /** `Prefer`, if sent (Prism's `code=` and `example=`). */
  prefer: string | undefined;
  /** `X-Fake-Jelou-Delay`, if sent. */
  delayHeader: string | undefined;
}

/** Decides what to answer to one request of the Jelou API, given the world as it is now. */
export function negotiate<K extends OperationId>(facts: RequestFacts<K>, world: World, config: CoreConfig): Outcome {
  const credentials = checkCredentials(facts.credentials, config.auth);
  if (!credentials.ok) {
    const auth = credentials.kind === "none" ? "none" : "invalid";
    const { status, body } = config.errors.unauthorized;
    return { plan: { kind: "reply", status, body }, auth, scenario: "unauthorized" };
  }
  const auth = credentials.kind;
  if (facts.params === undefined) {
    return {
      plan: fakeError(
        "INVALID_PATH_ENCODING",
        "The path is not valid percent-encoding: each % must start an escape of two hex digits, and the escaped bytes must be UTF-8.",
      ),
      auth,
    };
  }
  const params = facts.params;
  const handler = OPERATIONS[facts.operation] as OperationHandler<K>;
  const delay = requestDelay(facts.delayHeader, config.delayMs);
  if ("error" in delay) return { plan: fakeError("INVALID_DELAY", delay.error), auth };
  if (delay.ms === 0) return decide(facts, handler, params, world, auth, config);
  // A scenario directive that names nothing is refused at once, not after the delay.
  const directive = decideScenario(scenarioFacts(facts, handler, params), undefined, world.scenario());
  if (!directive.ok) return { plan: fakeError("UNKNOWN_SCENARIO", directive.message), auth };
  return {
    plan: { kind: "wait", ms: delay.ms, resume: (later) => decide(facts, handler, params, later, auth, config) },
    auth,
  };
}

function decide<K extends OperationId>(
  facts: RequestFacts<K>,
  handler: OperationHandler<K>,
  params: PathParams<K>,
  world: World,
  auth: AuthRecord,
  config: CoreConfig,
): Outcome {
  const rule = handler.rule(params, world);
  const decision = decideScenario(scenarioFacts(facts, handler, params), rule?.scenario, world.scenario());
  if (!decision.ok) return { plan: fakeError("UNKNOWN_SCENARIO", decision.message), auth };
  const { scenario, source } = decision;
  const outcome = (plan: Outcome["plan"]): Outcome => ({ plan, auth, scenario, scenarioSource: source });
  switch (scenario) {
    case "active":
    case "closed":
      return outcome(handler.reply(scenario, params, world, rule));
    case "timeout":
    case "reset":
      return outcome({ kind: "fault", fault: scenario });
    default: {
      const { status, body } = config.errors[scenario];
      return outcome({ kind: "reply", status, body });
    }
  }
}

function scenarioFacts<K extends OperationId>(
  facts: RequestFacts<K>,
  handler: OperationHandler<K>,
  params: PathParams<K>,
) {
  return {
    conversationId: handler.magicId?.(params) ?? "",
    scenarioHeader: facts.scenarioHeader,
    prefer: facts.prefer,
  };
}

/** One of fake-jelou's own errors as a reply, in Jelou's envelope. */
export function fakeError(key: FakeErrorKey, message: string, headers?: Readonly<Record<string, string>>): Reply {
  return {
    kind: "reply",
    status: FAKE_ERRORS[key].status,
    body: fakeErrorBody(key, message),
    ...(headers && { headers }),
  };
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
