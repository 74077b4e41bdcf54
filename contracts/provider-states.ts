// What the provider suites need of the provider states: their parameters, read strictly.
import type { StateParams } from "./contract-terms.ts";

/** Reads `{projectId, conversationId}` from a state's parameters, failing loudly when the pact lacks them. */
export function stateParams(state: string, params: unknown): StateParams {
  const { projectId, conversationId } = (params ?? {}) as Partial<StateParams>;
  if (typeof projectId !== "string" || typeof conversationId !== "string") {
    throw new Error(`Provider state "${state}" needs string parameters projectId and conversationId.`);
  }
  return { projectId, conversationId };
}
