import { describe, expect, it } from "vitest";
import {
  decideScenario,
  parseScenario,
  type RequestFacts,
  type Scenario,
  scenarioFromPrefer,
} from "../../mock/scenario.ts";

const facts = (extra: Partial<RequestFacts> = {}): RequestFacts => ({ conversationId: "conv-1", ...extra });

describe("decideScenario precedence", () => {
  it.each<[string, RequestFacts, Scenario | undefined, Scenario, { scenario: Scenario; source: string }]>([
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
        'Unknown scenario "archived". Valid scenarios: active, closed, unauthorized, not-found, server-error, timeout, reset (or the status codes 200, 401, 404, 500).',
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
    ["code=418", { error: 'Unknown code "418" in Prefer. Valid codes: 200, 401, 404, 500.' }],
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
