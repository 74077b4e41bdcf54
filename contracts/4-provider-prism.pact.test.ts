// The pact verified against Prism's mock of the spec: proves the spec itself satisfies what the consumer needs.
// Prism has no provider states; a request filter turns each state into Prism's Prefer header instead.
import { Verifier, type VerifierOptions } from "@pact-foundation/pact";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPEC_PATH } from "../spec/load-spec.ts";
import { type PrismProcess, startPrismMock } from "../test/helpers/prism.ts";
import { PACT_FILE, PROVIDER, type ProviderState, STATES } from "./contract-terms.ts";
import { stateParams } from "./provider-states.ts";

// The spec's named example (or status) that stands for each provider state; typed so a new state cannot be forgotten.
const PREFER: Record<ProviderState, string> = {
  [STATES.activeConversation]: "code=200, example=active",
  [STATES.closedConversation]: "code=200, example=closed",
  [STATES.rejectedCredentials]: "code=401, example=unauthorized",
  [STATES.missingConversation]: "code=404, example=notFound",
  [STATES.jelouFailing]: "code=500, example=serverError",
};

let prism: PrismProcess;
beforeAll(async () => {
  prism = await startPrismMock(SPEC_PATH);
});
afterAll(() => prism?.stop());

describe("the pact against Prism's mock of the spec", () => {
  it("is satisfied by the spec's own examples", async () => {
    let prefer: string | undefined;
    const verifier = new Verifier({
      provider: PROVIDER,
      providerBaseUrl: prism.url,
      pactUrls: [PACT_FILE],
      logLevel: "warn",
      // pact-js types stateHandlers as an intersection with message handlers that rejects the documented
      // { setup, teardown } form, which its HTTP verifier supports.
      stateHandlers: Object.fromEntries(
        Object.entries(PREFER).map(([state, value]) => [
          state,
          {
            setup: async (params?: unknown) => {
              stateParams(state, params);
              prefer = value;
              return undefined;
            },
            // Never let one state's Prefer leak into the next interaction.
            teardown: async () => {
              prefer = undefined;
              return undefined;
            },
          },
        ]),
      ) as NonNullable<VerifierOptions["stateHandlers"]>,
      requestFilter: (req, _res, next) => {
        if (prefer) req.headers.prefer = prefer;
        next();
      },
    });
    await expect(verifier.verifyProvider()).resolves.toBeDefined();
  });
});
