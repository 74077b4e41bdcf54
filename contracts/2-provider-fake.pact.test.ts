// Verifies the fake Jelou against the pact the consumer suite just wrote, with Pact's own Verifier. The fake is put
// in each provider state through its setup URL (POST /__admin/provider-states), as verify-pact and verifiers in other
// languages do, and reset after each interaction (the setup URL's teardown).
import { Verifier } from "@pact-foundation/pact";
import { afterEach, describe, expect, it } from "vitest";
import { type JournalEntry, startMockServer } from "../mock/index.ts";
import { startDriftedJelou } from "../test/helpers/drifted-jelou.ts";
import { CREDENTIALS, PACT_FILE, PROVIDER } from "./contract-terms.ts";

const verifier = (providerBaseUrl: string, fakeUrl: string) =>
  new Verifier({
    provider: PROVIDER,
    providerBaseUrl,
    pactUrls: [PACT_FILE],
    providerStatesSetupUrl: `${fakeUrl}/__admin/provider-states`,
    providerStatesSetupTeardown: true,
    // "error": the setup URL is deprecated in pact-js's typings and it warns about it; never "trace", at which the
    // Verifier prints every option it was given.
    logLevel: "error",
  } as ConstructorParameters<typeof Verifier>[0]);

// The teardown resets the fake, journal included: the requests are collected as they end instead.
const startFake = (seen: JournalEntry[] = []) =>
  startMockServer({
    port: 0,
    apiKeys: [CREDENTIALS.validApiKey],
    basic: [CREDENTIALS.basic],
    onRequest: (entry) => seen.push(entry),
  });

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

describe("provider verification of the fake Jelou", () => {
  it("honours every interaction of the pact", async () => {
    const seen: JournalEntry[] = [];
    const fake = await startFake(seen);
    cleanup.push(() => fake.close());
    await expect(verifier(fake.url, fake.url).verifyProvider()).resolves.toBeDefined();
    // Each interaction was served for the right reason: the rules the provider states set.
    expect(seen.map((r) => [r.conversationId, r.scenario, r.status])).toEqual(
      expect.arrayContaining([
        ["conversation-active", "active", 200],
        ["conversation-closed", "closed", 200],
        ["conversation-basic", "active", 200],
        ["conversation-401", "unauthorized", 401],
        ["conversation-404", "not-found", 404],
        ["conversation-500", "server-error", 500],
      ]),
    );
    // And every other operation answered its interaction's status: `p-<operation>-<status>`, or 200.
    const others = seen.filter((r) => r.projectId?.startsWith("p-"));
    expect(others.length).toBeGreaterThanOrEqual(29);
    for (const r of others)
      expect([r.projectId, r.status]).toEqual([r.projectId, Number(/-(\d{3})$/.exec(r.projectId ?? "")?.[1] ?? 200)]);
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

    const failure = await verifier(broken.url, broken.fake.url)
      .verifyProvider()
      .then(() => undefined)
      .catch((error: Error) => error);
    // The Verifier rejects with its results as JSON: exactly the five interactions whose answer is a conversation
    // (three reads, the start and the close) fail, each for Bot; every other one still passes.
    const results = JSON.parse(failure?.message ?? "{}") as {
      errors?: { interaction: string; mismatch: { mismatches: { mismatch: string; path: string }[] } }[];
      interactionResults?: { result: string }[];
    };
    const verdicts = results.interactionResults?.map((r) => r.result) ?? [];
    expect(verdicts.filter((r) => r === "Error")).toHaveLength(5);
    expect(verdicts.filter((r) => r === "OK")).toHaveLength(verdicts.length - 5);
    expect(results.errors?.flatMap((e) => e.mismatch.mismatches.map((m) => `${m.path} ${m.mismatch}`))).toEqual(
      Array(5).fill("$.data Actual map is missing the following keys: Bot"),
    );
  });
});
