// State handlers that drive the fake through its library API, the same per-conversation rules users set through
// /__admin, so that provider verification and real use cannot disagree.
import type { VerifierOptions } from "@pact-foundation/pact";
import type { MockControl, Scenario } from "../mock/index.ts";
import { type ProviderState, STATES, type StateParams } from "./contract-terms.ts";

type StateHandlers = NonNullable<VerifierOptions["stateHandlers"]>;

const SCENARIO_OF: Record<ProviderState, Scenario> = {
  [STATES.activeConversation]: "active",
  [STATES.closedConversation]: "closed",
  // The conversation exists; the fake refuses the request because it only accepts the pact's valid credentials.
  [STATES.rejectedCredentials]: "active",
  [STATES.missingConversation]: "not-found",
  [STATES.jelouFailing]: "server-error",
};

/** Reads `{projectId, conversationId}` from a state's parameters, failing loudly when the pact lacks them. */
export function stateParams(state: string, params: unknown): StateParams {
  const { projectId, conversationId } = (params ?? {}) as Partial<StateParams>;
  if (typeof projectId !== "string" || typeof conversationId !== "string") {
    throw new Error(`Provider state "${state}" needs string parameters projectId and conversationId.`);
  }
  return { projectId, conversationId };
}

/** One handler per provider state; each sets a rule and checks it took, since Pact does not stop on a throw. */
export function fakeStateHandlers(fake: Pick<MockControl, "setConversation" | "conversations">): StateHandlers {
  return Object.fromEntries(
    Object.entries(SCENARIO_OF).map(([state, scenario]) => [
      state,
      async (params?: unknown) => {
        const { projectId, conversationId } = stateParams(state, params);
        fake.setConversation(projectId, conversationId, { scenario });
        const rule = fake.conversations().find((r) => r.projectId === projectId && r.conversationId === conversationId);
        if (rule?.scenario !== scenario)
          throw new Error(`Failed to set up "${state}" for ${projectId}/${conversationId}.`);
        return undefined;
      },
    ]),
  );
}

/** The scenario each provider state stands for, e.g. to pick Prism's example. */
export const scenarioOfState = (state: string): Scenario | undefined => SCENARIO_OF[state as ProviderState];
