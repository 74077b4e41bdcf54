// The core's decision as a table: facts and a world in, a plan and its journal facts out, with no HTTP at all.
import { describe, expect, it } from "vitest";
import { createCoreConfig, negotiate, type RequestFacts } from "../../../mock/core/negotiate.ts";
import type { Outcome, Plan } from "../../../mock/core/plan.ts";
import { applyProviderState } from "../../../mock/operations/provider-state.ts";
import { type MockOptions, resolveOptions } from "../../../mock/options.ts";
import { readMockSpecData } from "../../../mock/spec-data.ts";
import { createWorld, type World } from "../../../mock/world.ts";
import { createSpecValidator } from "../../../spec/schema-validator.ts";

const ids = { projectId: "p1", conversationId: "c1" };

function setup(options: MockOptions = {}) {
  const resolved = resolveOptions({ now: "2026-01-15T00:00:00Z", ...options });
  const specData = readMockSpecData(resolved.spec);
  const validator = createSpecValidator(resolved.spec);
  const settings = { requireHttpsWebhooks: resolved.requireHttpsWebhooks };
  const config = createCoreConfig(resolved.auth, resolved.delayMs, settings, specData, () => validator);
  return {
    world: createWorld(resolved, specData.known, config.scenarios, () => validator, applyProviderState),
    config,
  };
}

const facts = (extra: Partial<RequestFacts<"getConversation">> = {}): RequestFacts<"getConversation"> => ({
  operation: "getConversation",
  params: ids,
  body: undefined,
  now: Date.parse("2026-01-15T12:00:00Z"),
  credentials: { apiKey: "key-1" },
  scenarioHeader: undefined,
  prefer: undefined,
  delayHeader: undefined,
  ...extra,
});

// What a plan answers, in a form a table can state: the status and the error key or the conversation state.
function summary(plan: Plan): string {
  if (plan.kind === "fault") return plan.fault;
  if (plan.kind === "wait") return `wait ${plan.ms}`;
  const body = JSON.parse(Buffer.isBuffer(plan.body) ? plan.body.toString() : JSON.stringify(plan.body)) as {
    data?: { state: string };
    error?: { key: string };
  };
  return `${plan.status} ${body.data?.state ?? body.error?.key}`;
}

const journal = ({ auth, scenario, scenarioSource }: Outcome) => ({ auth, scenario, scenarioSource });

describe("negotiate", () => {
  it.each<[string, MockOptions, Partial<RequestFacts<"getConversation">>, string, ReturnType<typeof journal>]>([
    [
      "an accepted key gets the default scenario",
      {},
      {},
      "200 active",
      { auth: "api-key", scenario: "active", scenarioSource: "default" },
    ],
    [
      "no credential gets the spec's 401, whatever else the request asks for",
      {},
      { credentials: {}, scenarioHeader: "closed", delayHeader: "nonsense" },
      "401 UNAUTHORIZED",
      { auth: "none", scenario: "unauthorized", scenarioSource: undefined },
    ],
    [
      "a key the strict fake does not accept is invalid",
      { apiKeys: ["key-2"] },
      {},
      "401 UNAUTHORIZED",
      { auth: "invalid", scenario: "unauthorized", scenarioSource: undefined },
    ],
    [
      "a path that is not percent-encoding is judged after the credentials",
      {},
      { params: undefined },
      "400 INVALID_PATH_ENCODING",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "a malformed delay is refused",
      {},
      { delayHeader: "soon" },
      "400 INVALID_DELAY",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "an unknown scenario header is refused",
      {},
      { scenarioHeader: "sideways" },
      "400 UNKNOWN_SCENARIO",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "an unknown scenario header is refused at once, not after the delay",
      {},
      { scenarioHeader: "sideways", delayHeader: "5000" },
      "400 UNKNOWN_SCENARIO",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "a delay header gives a wait",
      {},
      { delayHeader: "250" },
      "wait 250",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "the server's delay gives a wait",
      { delayMs: 100 },
      {},
      "wait 100",
      { auth: "api-key", scenario: undefined, scenarioSource: undefined },
    ],
    [
      "a delay header of 0 answers at once despite the server's delay",
      { delayMs: 100 },
      { delayHeader: "0" },
      "200 active",
      { auth: "api-key", scenario: "active", scenarioSource: "default" },
    ],
    [
      "a scenario header decides the state",
      {},
      { scenarioHeader: "closed" },
      "200 closed",
      { auth: "api-key", scenario: "closed", scenarioSource: "header" },
    ],
    [
      "Prism's Prefer decides when no header does",
      {},
      { prefer: "code=404" },
      "404 CONVERSATION_NOT_FOUND",
      { auth: "api-key", scenario: "not-found", scenarioSource: "prefer" },
    ],
    [
      "a magic id decides over the default",
      { scenario: "server-error" },
      { params: { projectId: "p1", conversationId: "closed-1" } },
      "200 closed",
      { auth: "api-key", scenario: "closed", scenarioSource: "magic-id" },
    ],
    [
      "the server default can be an error",
      { scenario: "server-error" },
      {},
      "500 UNKNOWN_ERROR",
      { auth: "api-key", scenario: "server-error", scenarioSource: "default" },
    ],
    [
      "a scenario the operation declares no status for is refused, naming the operation",
      {},
      { scenarioHeader: "validation-error" },
      "400 SCENARIO_NOT_APPLICABLE",
      { auth: "api-key", scenario: "validation-error", scenarioSource: "header" },
    ],
    [
      "so is a server default that does not apply, never a silent fallback",
      { scenario: "conflict" },
      {},
      "400 SCENARIO_NOT_APPLICABLE",
      { auth: "api-key", scenario: "conflict", scenarioSource: "default" },
    ],
    [
      "timeout holds the request",
      {},
      { scenarioHeader: "timeout" },
      "timeout",
      { auth: "api-key", scenario: "timeout", scenarioSource: "header" },
    ],
    [
      "reset resets the connection",
      {},
      { scenarioHeader: "reset" },
      "reset",
      { auth: "api-key", scenario: "reset", scenarioSource: "header" },
    ],
  ])("%s", (_title, options, extra, want, recorded) => {
    const { world, config } = setup(options);
    const outcome = negotiate(facts(extra), world, config);
    expect(summary(outcome.plan)).toBe(want);
    expect(journal(outcome)).toEqual(recorded);
  });

  it("names the operation and the scenarios it answers when it refuses one", () => {
    const { world, config } = setup();
    const { plan } = negotiate(facts({ prefer: "code=422" }), world, config);
    expect(plan).toMatchObject({ kind: "reply", status: 400 });
    const body = (plan as { body: { message: string[] } }).body;
    expect(body.message).toEqual([
      'The scenario "validation-error" does not apply to getConversation, which declares no 422 or 400 response. Scenarios of getConversation: active, closed, unauthorized, not-found, server-error, timeout, reset.',
    ]);
  });

  it("decides a delayed request with the world as it is when the delay ends", () => {
    const { world, config } = setup();
    const outcome = negotiate(facts({ delayHeader: "250" }), world, config);
    if (outcome.plan.kind !== "wait") throw new Error(`expected a wait, got ${outcome.plan.kind}`);
    world.setConversation(ids.projectId, ids.conversationId, { scenario: "not-found" });
    const resumed = outcome.plan.resume(world);
    expect(summary(resumed.plan)).toBe("404 CONVERSATION_NOT_FOUND");
    expect(journal(resumed)).toEqual({ auth: "api-key", scenario: "not-found", scenarioSource: "rule" });
  });

  it("serves a rule's overrides merged into the generated conversation", () => {
    const { world, config } = setup();
    world.setConversation(ids.projectId, ids.conversationId, {
      scenario: "closed",
      conversation: { Bot: { name: "Soporte Acme" } },
    });
    const { plan } = negotiate(facts(), world, config);
    expect(plan).toMatchObject({
      kind: "reply",
      status: 200,
      body: { data: { state: "closed", Bot: { name: "Soporte Acme" } } },
    });
  });

  it("answers the same bytes for the same ids, and other bytes for others", () => {
    const { world, config } = setup();
    const body = (world: World, conversationId: string) => {
      const { plan } = negotiate(facts({ params: { projectId: "p1", conversationId } }), world, config);
      return plan.kind === "reply" ? plan.body : undefined;
    };
    expect(body(world, "c1")).toEqual(body(setup().world, "c1"));
    expect(body(world, "c1")).not.toEqual(body(world, "c2"));
  });
});
