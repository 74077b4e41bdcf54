import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideScenario,
  parseScenario,
  SCENARIOS,
  type Scenario,
  type ScenarioFacts,
  scenarioFromPrefer,
} from "../../mock/scenario.ts";
import { BUILTIN_NAMES } from "../helpers/builtin-names.ts";

const facts = (extra: Partial<ScenarioFacts> = {}): ScenarioFacts => ({ conversationId: "conv-1", ...extra });

describe("decideScenario precedence", () => {
  it.each<[string, ScenarioFacts, Scenario | undefined, Scenario, { scenario: Scenario; source: string }]>([
    [
      "the server default when nothing else speaks",
      facts(),
      undefined,
      "active",
      { scenario: "active", source: "default" },
    ],
    [
      "a magic closed- id over the default",
      facts({ conversationId: "closed-7" }),
      undefined,
      "server-error",
      { scenario: "closed", source: "magic-id" },
    ],
    [
      "a magic missing- id over the default",
      facts({ conversationId: "missing-7" }),
      undefined,
      "active",
      { scenario: "not-found", source: "magic-id" },
    ],
    [
      "a rule over a magic id",
      facts({ conversationId: "closed-7" }),
      "server-error",
      "active",
      { scenario: "server-error", source: "rule" },
    ],
    [
      "Prefer over a rule",
      facts({ prefer: "code=401" }),
      "closed",
      "active",
      { scenario: "unauthorized", source: "prefer" },
    ],
    [
      "X-Fake-Jelou-Scenario over Prefer",
      facts({ scenarioHeader: "timeout", prefer: "example=closed" }),
      "closed",
      "active",
      { scenario: "timeout", source: "header" },
    ],
    [
      "a status alias in the header",
      facts({ scenarioHeader: "404" }),
      undefined,
      "active",
      { scenario: "not-found", source: "header" },
    ],
    [
      "a header in any case",
      facts({ scenarioHeader: " Closed " }),
      undefined,
      "active",
      { scenario: "closed", source: "header" },
    ],
    [
      "a Prefer that names neither code nor example",
      facts({ prefer: "dynamic=true" }),
      "closed",
      "active",
      { scenario: "closed", source: "rule" },
    ],
  ])("chooses %s", (_title, given, rule, fallback, want) => {
    expect(decideScenario(given, rule, fallback)).toEqual({ ok: true, ...want });
  });

  it("refuses an unknown header name, listing every valid scenario", () => {
    const decision = decideScenario(facts({ scenarioHeader: "archived" }), undefined, "active");
    expect(decision).toEqual({
      ok: false,
      source: "header",
      message:
        'Unknown scenario "archived". Valid scenarios: active, closed, unauthorized, not-found, server-error, validation-error, conflict, timeout, reset (or the status codes 200, 400, 401, 404, 409, 422, 500).',
    });
  });

  it("refuses an unknown Prefer example rather than falling back", () => {
    expect(decideScenario(facts({ prefer: "example=archived" }), "closed", "active")).toMatchObject({
      ok: false,
      source: "prefer",
      message: expect.stringContaining("Valid examples: active, closed, unauthorized, notFound, serverError"),
    });
  });
});

describe("scenarioFromPrefer (Prism's header)", () => {
  it.each([
    ["code=404", { scenario: "not-found" }],
    ["code=200", { scenario: "active" }],
    ["example=closed", { scenario: "closed" }],
    ["example=notFound", { scenario: "not-found" }],
    ['example="serverError"', { scenario: "server-error" }],
    ["code=200, example=closed", { scenario: "closed" }],
    ["dynamic=true; code=500", { scenario: "server-error" }],
    ["code=418", { error: 'Unknown code "418" in Prefer. Valid codes: 200, 400, 401, 404, 409, 422, 500.' }],
    ["code=422", { scenario: "validation-error" }],
    ["code=400", { scenario: "validation-error" }],
    ["code=409", { scenario: "conflict" }],
    ["example=validationError", { scenario: "validation-error" }],
    ["example=conflict", { scenario: "conflict" }],
    ["respond-async", undefined],
  ])("reads %j", (prefer, want) => {
    expect(scenarioFromPrefer(prefer)).toEqual(want);
  });
});

describe("parseScenario", () => {
  it.each([
    ["active", "active"],
    ["not-found", "not-found"],
    ["500", "server-error"],
    ["RESET", "reset"],
    ["notFound", undefined],
    ["", undefined],
  ])("reads %j as %j", (name, want) => {
    expect(parseScenario(name)).toBe(want);
  });
});

describe("names of built-in object properties", () => {
  it.each(BUILTIN_NAMES)("%s is not a scenario, a status code or an example", (name) => {
    expect(parseScenario(name)).toBeUndefined();
    expect(scenarioFromPrefer(`code=${name}`)).toEqual({ error: expect.stringContaining(`Unknown code "${name}"`) });
    expect(scenarioFromPrefer(`example=${name}`)).toEqual({
      error: expect.stringContaining(`Unknown example "${name}"`),
    });
    expect(decideScenario(facts({ scenarioHeader: name }), undefined, "active")).toMatchObject({ ok: false });
  });

  it.each(BUILTIN_NAMES)("a conversationId starting with %s is not a magic id", (name) => {
    expect(decideScenario(facts({ conversationId: name }), undefined, "active")).toEqual({
      ok: true,
      scenario: "active",
      source: "default",
    });
  });
});

// Any string drawn, built-in property names and the valid names among them, ends in a valid scenario or a refusal.
const anyName = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.constantFrom(...BUILTIN_NAMES, ...SCENARIOS, "200", "401", "404", "500", "notFound", "serverError"),
  fc.constantFrom(...BUILTIN_NAMES).map((name) => ` ${name.toUpperCase()} `),
);
const isScenario = (value: unknown) => (SCENARIOS as readonly unknown[]).includes(value);

describe("any string as a scenario", () => {
  it("parseScenario yields a valid scenario or undefined", () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const scenario = parseScenario(name);
        expect(scenario === undefined || isScenario(scenario)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("a Prefer value yields a valid scenario, a refusal, or nothing", () => {
    fc.assert(
      fc.property(anyName, fc.constantFrom("code", "example"), (name, key) => {
        const read = scenarioFromPrefer(`${key}=${name}`);
        if (read === undefined || "error" in read) return;
        expect(isScenario(read.scenario)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("the decision is a valid scenario or a refusal, whatever the header, Prefer and id", () => {
    fc.assert(
      fc.property(fc.option(anyName), fc.option(anyName), anyName, (header, prefer, id) => {
        const decision = decideScenario(
          { conversationId: id, scenarioHeader: header ?? undefined, prefer: prefer ?? undefined },
          undefined,
          "active",
        );
        if (decision.ok) expect(isScenario(decision.scenario)).toBe(true);
        else expect(decision.message).toMatch(/^Unknown /);
      }),
      { numRuns: 2_000 },
    );
  });
});
