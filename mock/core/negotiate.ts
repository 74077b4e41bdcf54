// The decision every request of the Jelou API goes through, in Jelou's order: credentials first (its gateway refuses
// them before anything else), then the fake's directives (delay, scenario), then the request body against the spec,
// then the operation's own work.
import { SpecLoadError } from "../../spec/load-spec.ts";
import type { SpecValidator } from "../../spec/schema-validator.ts";
import type { AuthConfig, CredentialHeaders } from "../auth.ts";
import { checkCredentials } from "../auth.ts";
import {
  ERROR_SCENARIO_EXAMPLES,
  type ErrorScenario,
  FAKE_ERRORS,
  type FakeErrorKey,
  fakeErrorBody,
} from "../error-bodies.ts";
import { nestingDepth } from "../json-depth.ts";
import { MAX_BODY_DEPTH, MAX_DELAY_MS } from "../limits.ts";
import {
  type FieldErrors,
  OPERATIONS,
  type OperationHandler,
  type OperationId,
  type OperationRequest,
  type OperationResult,
  type OperationSettings,
  type PathParams,
} from "../operations/index.ts";
import {
  decideScenario,
  FAULT_SCENARIOS,
  type FaultScenario,
  preferredResponse,
  SCENARIOS,
  type Scenario,
} from "../scenario.ts";
import type { ErrorAnswer, MockSpecData } from "../spec-data.ts";
import { requestedFault } from "../webhooks/outgoing.ts";
import type { World } from "../world.ts";
import { bodyFieldErrors } from "./body-errors.ts";
import type { AuthRecord, Outcome, Reply } from "./plan.ts";

/** What the core needs of the fake's options and of the spec, fixed at start-up. */
export interface CoreConfig {
  auth: AuthConfig;
  /** The delay of every request without its own, in ms. */
  delayMs: number;
  settings: OperationSettings;
  /** By operation, the error scenarios it answers: the spec's example, and the same encoded once. */
  errors: Readonly<Record<OperationId, Partial<Record<ErrorScenario, ErrorAnswer & { bytes: Buffer }>>>>;
  /** By operation, every scenario it answers, for the message that refuses another. */
  scenarios: Readonly<Record<OperationId, readonly Scenario[]>>;
  /** By operation with a request body, the JSON pointer of its schema in the spec. */
  bodySchemas: Readonly<Partial<Record<OperationId, string>>>;
  /** By operation, the names of its 200 examples (Prism's `Prefer: example=<name>` for a success). */
  successExamples: Readonly<Partial<Record<OperationId, readonly string[]>>>;
  /** The spec's validator, created at its first use. */
  validator: () => SpecValidator;
}

/** Builds the core's configuration; throws SpecLoadError when an operation lacks the 401 every one declares. */
export function createCoreConfig(
  auth: AuthConfig,
  delayMs: number,
  settings: OperationSettings,
  specData: MockSpecData,
  validator: () => SpecValidator,
): CoreConfig {
  const errors = {} as Record<OperationId, Partial<Record<ErrorScenario, ErrorAnswer & { bytes: Buffer }>>>;
  const scenarios = {} as Record<OperationId, Scenario[]>;
  for (const operation of Object.keys(OPERATIONS) as OperationId[]) {
    const answers = specData.errors[operation] ?? {};
    if (answers.unauthorized === undefined) {
      throw new SpecLoadError(`Failed to read ${operation}'s 401 response and its unauthorized example from the spec.`);
    }
    errors[operation] = Object.fromEntries(
      Object.entries(answers).map(([scenario, answer]) => [
        scenario,
        { ...answer, bytes: Buffer.from(JSON.stringify(answer.body)) },
      ]),
    );
    scenarios[operation] = SCENARIOS.filter(
      (scenario) =>
        scenario in answers ||
        FAULT_SCENARIOS.includes(scenario as FaultScenario) ||
        ((scenario === "active" || scenario === "closed") && OPERATIONS[operation].answersStates),
    );
  }
  const { bodySchemas, successExamples } = specData;
  return { auth, delayMs, settings, errors, scenarios, bodySchemas, successExamples, validator };
}

/** A request as the core sees it: which operation, its path parameters, body and the headers that matter. */
export interface RequestFacts<K extends OperationId = OperationId> {
  operation: K;
  /** The decoded path parameters; undefined when the path is not valid percent-encoding. */
  params: PathParams<K> | undefined;
  /** The parsed JSON body (undefined without one), or why it could not be read. */
  body: unknown;
  bodyError?: { key: FakeErrorKey; message: string } | undefined;
  credentials: CredentialHeaders;
  /** `X-Fake-Jelou-Scenario`, if sent. */
  scenarioHeader: string | undefined;
  /** `Prefer`, if sent (Prism's `code=` and `example=`). */
  prefer: string | undefined;
  /** `X-Fake-Jelou-Delay`, if sent. */
  delayHeader: string | undefined;
  /** `X-Jelou-Signature`, if sent: the credential of the operations signed rather than authenticated. */
  signature?: string | undefined;
  /** The body's exact bytes, kept for the operations whose signature covers them. */
  rawBody?: Buffer | undefined;
  /** `X-Fake-Jelou-Webhook-Fault`, if sent: how to break the webhook events of this request. */
  webhookFaultHeader?: string | undefined;
  /** When the request arrived (ms since epoch). */
  now: number;
}

/** Decides what to answer to one request of the Jelou API, given the world as it is now. */
export function negotiate<K extends OperationId>(facts: RequestFacts<K>, world: World, config: CoreConfig): Outcome {
  const handler = OPERATIONS[facts.operation] as OperationHandler<K>;
  let auth: AuthRecord;
  if (handler.authenticate) {
    const body = facts.bodyError ? undefined : facts.body;
    const verdict = handler.authenticate({ body, rawBody: facts.rawBody, signature: facts.signature }, world);
    if (verdict === "unverifiable") {
      // Nothing vouches for the request, so none of the fake's directives apply: only what is wrong with its body.
      const refused = fakeError("INVALID_BODY", "The body is not a JSON object naming its project_id.");
      return { plan: bodyProblem(facts, config) ?? refused, auth: "none" };
    }
    if (verdict !== "verified") {
      const scenario = verdict.kind === "error" ? verdict.scenario : undefined;
      return {
        plan: toReply(verdict, facts.operation, config),
        auth: facts.signature === undefined || scenario === "not-found" ? "none" : "invalid",
        ...(scenario && { scenario }),
      };
    }
    auth = "signature";
  } else {
    const credentials = checkCredentials(facts.credentials, config.auth);
    if (!credentials.ok) {
      const { status, bytes } = config.errors[facts.operation].unauthorized as { status: number; bytes: Buffer };
      const refused = credentials.kind === "none" ? "none" : "invalid";
      return { plan: { kind: "reply", status, body: bytes }, auth: refused, scenario: "unauthorized" };
    }
    auth = credentials.kind;
  }
  if (facts.params === undefined) {
    return {
      plan: fakeError(
        "INVALID_PATH_ENCODING",
        "The path is not valid percent-encoding: each % must start an escape of two hex digits, and the escaped bytes must be UTF-8.",
      ),
      auth,
    };
  }
  if (facts.bodyError) return { plan: fakeError(facts.bodyError.key, facts.bodyError.message), auth };
  const params = facts.params;
  const delay = requestDelay(facts.delayHeader, config.delayMs);
  if ("error" in delay) return { plan: fakeError("INVALID_DELAY", delay.error), auth };
  if (delay.ms === 0) return decide(facts, handler, params, world, auth, config);
  // A scenario directive that names nothing is refused at once, not after the delay.
  const directive = decideScenario(scenarioFacts(facts, handler, params, config), undefined, world.scenario());
  if (!directive.ok) return { plan: fakeError("UNKNOWN_SCENARIO", directive.message), auth };
  return {
    plan: {
      kind: "wait",
      ms: delay.ms,
      resume: (later) => decide({ ...facts, now: Date.now() }, handler, params, later, auth, config),
    },
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
  const rule = handler.rule?.(params, world);
  const projectId = handler.projectOf ? handler.projectOf(facts.body) : (params as { projectId?: string }).projectId;
  const ruleScenario = rule?.scenario ?? world.operationRule(facts.operation, projectId)?.scenario;
  const decision = decideScenario(scenarioFacts(facts, handler, params, config), ruleScenario, world.scenario());
  if (!decision.ok) return { plan: fakeError("UNKNOWN_SCENARIO", decision.message), auth };
  const { scenario, source } = decision;
  const outcome = (plan: Outcome["plan"]): Outcome => ({ plan, auth, scenario, scenarioSource: source });
  switch (scenario) {
    case "timeout":
    case "reset":
      return outcome({ kind: "fault", fault: scenario });
    case "active":
    case "closed": {
      // The server default's state is every operation's normal work; asked for explicitly, only a conversation's.
      if (!handler.answersStates && source !== "default")
        return outcome(notApplicable(scenario, facts.operation, config));
      // The request's header wins over the project's fault, set through the admin API.
      const fault = requestedFault(facts.webhookFaultHeader, world.webhookFault(projectId));
      if ("error" in fault) return outcome(fakeError("UNKNOWN_WEBHOOK_FAULT", fault.error));
      const request: OperationRequest<K> = {
        params,
        body: facts.body as OperationRequest<K>["body"],
        state: { name: scenario, explicit: source !== "default" },
        rule,
        now: facts.now,
        webhookFault: fault.fault,
      };
      const problem = bodyProblem(facts, config);
      if (problem) return outcome(problem);
      return outcome(toReply(handler.run(request, world, config.settings), facts.operation, config));
    }
    default:
      return outcome(errorReply(facts.operation, scenario, config));
  }
}

// What is wrong with the request's body: unreadable, nested too deep, or not what its schema says.
function bodyProblem(facts: RequestFacts, config: CoreConfig): Reply | undefined {
  if (facts.bodyError) return fakeError(facts.bodyError.key, facts.bodyError.message);
  const schema = config.bodySchemas[facts.operation];
  if (schema === undefined) return undefined;
  // Refused before anything walks it: the validator, the byte count and JSON.stringify all recurse.
  if (nestingDepth(facts.body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    const why = {
      es: `El cuerpo anida más de ${MAX_BODY_DEPTH} niveles.`,
      en: `The body nests deeper than ${MAX_BODY_DEPTH} levels.`,
    };
    return errorReply(facts.operation, "validation-error", config, { body: [why] });
  }
  const fields = bodyFieldErrors(config.validator().validateAt(schema, facts.body ?? null));
  return fields ? errorReply(facts.operation, "validation-error", config, fields) : undefined;
}

function toReply(result: OperationResult, operation: OperationId, config: CoreConfig): Reply {
  switch (result.kind) {
    case "reply":
      return result;
    case "error":
      return errorReply(operation, result.scenario, config, result.fields);
    case "fake-error":
      return fakeError(result.key, result.message);
  }
}

// The operation's declared error: the spec's example as it is, or with `validationError` filled per field.
function errorReply(operation: OperationId, scenario: ErrorScenario, config: CoreConfig, fields?: FieldErrors): Reply {
  const answer = config.errors[operation][scenario];
  if (answer === undefined) return notApplicable(scenario, operation, config);
  if (fields === undefined) return { kind: "reply", status: answer.status, body: answer.bytes };
  return { kind: "reply", status: answer.status, body: { ...answer.body, validationError: fields } };
}

function notApplicable(scenario: Scenario, operation: OperationId, config: CoreConfig): Reply {
  const why =
    scenario === "active" || scenario === "closed"
      ? "which reads no conversation"
      : `which declares no ${ERROR_SCENARIO_EXAMPLES[scenario as ErrorScenario]?.statuses.join(" or ")} response`;
  return fakeError(
    "SCENARIO_NOT_APPLICABLE",
    `The scenario "${scenario}" does not apply to ${operation}, ${why}. Scenarios of ${operation}: ${config.scenarios[operation].join(", ")}.`,
  );
}

function scenarioFacts<K extends OperationId>(
  facts: RequestFacts<K>,
  handler: OperationHandler<K>,
  params: PathParams<K>,
  config: CoreConfig,
) {
  // Prism's `Prefer: example=created` or `code=200` asks an operation for its success: for the fake, its normal
  // work. The conversation states keep their meaning where they are scenarios (Get Conversation's `active`, `closed`).
  const preferred = facts.prefer === undefined || handler.answersStates ? undefined : preferredResponse(facts.prefer);
  const success =
    preferred !== undefined &&
    (preferred.example !== undefined
      ? config.successExamples[facts.operation]?.includes(preferred.example) === true
      : preferred.code === "200");
  return {
    conversationId: handler.magicId?.(params) ?? "",
    scenarioHeader: facts.scenarioHeader,
    prefer: success ? undefined : facts.prefer,
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
