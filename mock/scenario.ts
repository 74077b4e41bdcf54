// Which scenario a request gets: a pure decision over the request's facts, the per-conversation rules and the
// server default. The Express layer only gathers the facts and applies the decision.

/** Scenarios that answer with a body from the spec: a conversation state, or an error the operation declares. */
export const RESPONSE_SCENARIOS = [
  "active",
  "closed",
  "unauthorized",
  "not-found",
  "server-error",
  "validation-error",
  "conflict",
] as const;
/** Transport faults, for testing a client's resilience: no response at all. */
export const FAULT_SCENARIOS = ["timeout", "reset"] as const;
/** Every scenario name a user can ask for. */
export const SCENARIOS = [...RESPONSE_SCENARIOS, ...FAULT_SCENARIOS] as const;

export type ResponseScenario = (typeof RESPONSE_SCENARIOS)[number];
export type FaultScenario = (typeof FAULT_SCENARIOS)[number];
export type Scenario = (typeof SCENARIOS)[number];
/** Where a decision came from, in precedence order. */
export type ScenarioSource = "header" | "prefer" | "rule" | "magic-id" | "default";

// Maps, not plain objects: a lookup of user input in a plain object finds inherited names such as "constructor".
/** Status codes accepted wherever a scenario name is. */
export const STATUS_ALIASES: ReadonlyMap<string, ResponseScenario> = new Map([
  ["200", "active"],
  ["400", "validation-error"],
  ["401", "unauthorized"],
  ["404", "not-found"],
  ["409", "conflict"],
  ["422", "validation-error"],
  ["500", "server-error"],
]);

/** The spec's named examples, as Prism's `Prefer: example=<name>` uses them. */
export const EXAMPLE_SCENARIOS: ReadonlyMap<string, ResponseScenario> = new Map([
  ["active", "active"],
  ["closed", "closed"],
  ["unauthorized", "unauthorized"],
  ["notFound", "not-found"],
  ["serverError", "server-error"],
  ["validationError", "validation-error"],
  ["conflict", "conflict"],
]);

/** conversationId prefixes that select a scenario with no set-up at all. */
export const MAGIC_ID_PREFIXES: ReadonlyMap<string, Scenario> = new Map([
  ["closed-", "closed"],
  ["missing-", "not-found"],
]);

/** What the request itself says about the scenario it wants. */
export interface ScenarioFacts {
  conversationId: string;
  /** The `X-Fake-Jelou-Scenario` header, if sent. */
  scenarioHeader?: string | undefined;
  /** The `Prefer` header, if sent (Prism's form: `code=404`, `example=closed`). */
  prefer?: string | undefined;
}

export type ScenarioDecision =
  | { ok: true; scenario: Scenario; source: ScenarioSource }
  | { ok: false; source: "header" | "prefer"; message: string };

/** A scenario name or status alias, or undefined when it is neither. */
export function parseScenario(value: string): Scenario | undefined {
  const name = value.trim().toLowerCase();
  return (SCENARIOS as readonly string[]).includes(name) ? (name as Scenario) : STATUS_ALIASES.get(name);
}

/** The message for a scenario name that is not one: it lists every accepted name. */
export function unknownScenarioMessage(value: string): string {
  return `Unknown scenario "${value}". Valid scenarios: ${SCENARIOS.join(", ")} (or the status codes ${[...STATUS_ALIASES.keys()].join(", ")}).`;
}

/**
 * Decides the scenario: X-Fake-Jelou-Scenario, then Prefer, then the conversation's rule, then a magic id, then the
 * server default. An unknown name in a header is an error, never a silent fallback.
 */
export function decideScenario(
  facts: ScenarioFacts,
  ruleScenario: Scenario | undefined,
  defaultScenario: Scenario,
): ScenarioDecision {
  if (facts.scenarioHeader !== undefined) {
    const scenario = parseScenario(facts.scenarioHeader);
    return scenario
      ? { ok: true, scenario, source: "header" }
      : { ok: false, source: "header", message: unknownScenarioMessage(facts.scenarioHeader) };
  }
  if (facts.prefer !== undefined) {
    const fromPrefer = scenarioFromPrefer(facts.prefer);
    if (fromPrefer !== undefined) {
      return "error" in fromPrefer
        ? { ok: false, source: "prefer", message: fromPrefer.error }
        : { ok: true, scenario: fromPrefer.scenario, source: "prefer" };
    }
  }
  if (ruleScenario !== undefined) return { ok: true, scenario: ruleScenario, source: "rule" };
  for (const [prefix, scenario] of MAGIC_ID_PREFIXES) {
    if (facts.conversationId.startsWith(prefix)) return { ok: true, scenario, source: "magic-id" };
  }
  return { ok: true, scenario: defaultScenario, source: "default" };
}

// RFC 7240: comma-separated `token=value` pairs, values optionally quoted.
function preferencesOf(prefer: string): Map<string, string> {
  const preferences = new Map<string, string>();
  for (const part of prefer.split(/[,;]/)) {
    const [key, ...rest] = part.split("=");
    const value = rest
      .join("=")
      .trim()
      .replace(/^"(.*)"$/, "$1");
    if (key && value) preferences.set(key.trim().toLowerCase(), value);
  }
  return preferences;
}

/** The example and the code a Prefer header names (`example=created`, `code=200`), when it names either. */
export function preferredResponse(prefer: string): { example?: string; code?: string } | undefined {
  const preferences = preferencesOf(prefer);
  const example = preferences.get("example");
  const code = preferences.get("code");
  if (example === undefined && code === undefined) return undefined;
  return { ...(example !== undefined && { example }), ...(code !== undefined && { code }) };
}

/**
 * Reads Prism's preferences from a Prefer header (RFC 7240: comma-separated `token=value` pairs). An example name
 * wins over a code, as in Prism; `dynamic` and unrelated preferences are ignored. Undefined when neither is present.
 */
export function scenarioFromPrefer(prefer: string): { scenario: ResponseScenario } | { error: string } | undefined {
  const preferences = preferencesOf(prefer);
  const example = preferences.get("example");
  if (example !== undefined) {
    const scenario = EXAMPLE_SCENARIOS.get(example);
    return scenario
      ? { scenario }
      : {
          error: `Unknown example "${example}" in Prefer. Valid examples: ${[...EXAMPLE_SCENARIOS.keys()].join(", ")}.`,
        };
  }
  const code = preferences.get("code");
  if (code !== undefined) {
    const scenario = STATUS_ALIASES.get(code);
    return scenario
      ? { scenario }
      : { error: `Unknown code "${code}" in Prefer. Valid codes: ${[...STATUS_ALIASES.keys()].join(", ")}.` };
  }
  return undefined;
}
