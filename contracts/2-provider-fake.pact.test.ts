// Verifies the fake Jelou against the pact the consumer suite just wrote, with Pact's own Verifier.
import { Verifier } from "@pact-foundation/pact";
import { afterEach, describe, expect, it } from "vitest";
import { startMockServer } from "../mock/index.ts";
import { startDriftedJelou } from "../test/helpers/drifted-jelou.ts";
import { CREDENTIALS, PACT_FILE, PROVIDER } from "./contract-terms.ts";
import { fakeStateHandlers } from "./provider-states.ts";

const verifier = (providerBaseUrl: string, fake: Parameters<typeof fakeStateHandlers>[0]) =>
  new Verifier({
    provider: PROVIDER,
    providerBaseUrl,
    pactUrls: [PACT_FILE],
    stateHandlers: fakeStateHandlers(fake),
    // Never "trace": at that level the Verifier prints every option it was given.
    logLevel: "warn",
  });

const startFake = () => startMockServer({ port: 0, apiKeys: [CREDENTIALS.validApiKey], basic: [CREDENTIALS.basic] });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

describe("provider verification of the fake Jelou", () => {
  it("honours every interaction of the pact", async () => {
    const fake = await startFake();
    cleanup.push(() => fake.close());
    await expect(verifier(fake.url, fake).verifyProvider()).resolves.toBeDefined();
    // Each interaction was served for the right reason: the rules the state handlers set.
    expect(fake.requests().map((r) => [r.conversationId, r.scenario, r.status])).toEqual(
      expect.arrayContaining([
        ["conversation-active", "active", 200],
        ["conversation-closed", "closed", 200],
        ["conversation-basic", "active", 200],
        ["conversation-401", "unauthorized", 401],
        ["conversation-404", "not-found", 404],
        ["conversation-500", "server-error", 500],
      ]),
    );
  });

  it("fails for a fake that drops Bot from its conversations", async () => {
    // The real fake behind a layer that removes data.Bot on the wire; the state handlers still drive the fake.
    const broken = await startDriftedJelou(
      (body) => {
        if (body.data) delete body.data.Bot;
      },
      { apiKeys: [CREDENTIALS.validApiKey], basic: [CREDENTIALS.basic] },
    );
    cleanup.push(() => broken.close());

    const failure = await verifier(broken.url, broken.fake)
      .verifyProvider()
      .then(() => undefined)
      .catch((error: Error) => error);
    // The Verifier rejects with its results as JSON: exactly the three 200 interactions fail, each for Bot.
    const results = JSON.parse(failure?.message ?? "{}") as {
      errors?: { interaction: string; mismatch: { mismatches: { mismatch: string; path: string }[] } }[];
      interactionResults?: { result: string }[];
    };
    expect(results.interactionResults?.map((r) => r.result).sort()).toEqual([
      "Error",
      "Error",
      "Error",
      "OK",
      "OK",
      "OK",
    ]);
    expect(results.errors?.flatMap((e) => e.mismatch.mismatches.map((m) => `${m.path} ${m.mismatch}`))).toEqual([
      "$.data Actual map is missing the following keys: Bot",
      "$.data Actual map is missing the following keys: Bot",
      "$.data Actual map is missing the following keys: Bot",
    ]);
  });
});
