// The pact verified against Prism's mock of the spec: proves the spec itself satisfies what the consumer needs.
// Prism has no provider states; a request filter turns each interaction into Prism's Prefer header instead: by its
// provider state for Get Conversation, by the projectId each other interaction has to itself.
import { Verifier, type VerifierOptions } from "@pact-foundation/pact";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPEC_PATH } from "../spec/load-spec.ts";
import { type PrismProcess, startPrismMock } from "../test/helpers/prism.ts";
import { PACT_FILE, PROVIDER, STATES } from "./contract-terms.ts";
import { stateParams } from "./provider-states.ts";

// The spec's named example (or status) that stands for each Get Conversation provider state.
const CONVERSATION_PREFER: Record<string, string> = {
  [STATES.activeConversation]: "code=200, example=active",
  [STATES.closedConversation]: "code=200, example=closed",
  [STATES.rejectedCredentials]: "code=401, example=unauthorized",
  [STATES.missingConversation]: "code=404, example=notFound",
  [STATES.jelouFailing]: "code=500, example=serverError",
};

// The other interactions, by projectId: `p-<operation>` is its success, `p-<operation>-<status>` that error.
const SUCCESS: Record<string, string> = {
  create: "created",
  get: "integration",
  update: "updated",
  delete: "deleted",
  start: "started",
  close: "closed",
};
const ERRORS: Record<string, string> = {
  "400": "validationError",
  "401": "unauthorized",
  "404": "notFound",
  "409": "conflict",
  "422": "validationError",
  "500": "serverError",
};
function preferOfProject(projectId: string): string | undefined {
  const [, operation, status] = /^p-([a-z]+)(?:-(\d{3}))?$/.exec(projectId) ?? [];
  if (operation === undefined) return undefined;
  return status === undefined ? `code=200, example=${SUCCESS[operation]}` : `code=${status}, example=${ERRORS[status]}`;
}

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
        Object.entries(CONVERSATION_PREFER).map(([state, value]) => [
          state,
          {
            setup: async (params?: unknown) => {
              if ((params as { conversationId?: unknown } | undefined)?.conversationId !== undefined) {
                stateParams(state, params);
                prefer = value;
              }
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
        const projectId = /^\/v1\/external-support\/([^/]+)/.exec(req.path ?? req.url ?? "")?.[1] ?? "";
        const value = preferOfProject(projectId) ?? prefer;
        if (value) req.headers.prefer = value;
        next();
      },
    });
    await expect(verifier.verifyProvider()).resolves.toBeDefined();
  });
});
