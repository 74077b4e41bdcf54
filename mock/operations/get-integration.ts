// getIntegration: the project's integration, never with its signing secret nor the webhook's credential.

import type { OperationHandler } from "./operation.ts";
import { success, withoutSecret } from "./replies.ts";

export const getIntegration: OperationHandler<"getIntegration"> = {
  answersStates: false,
  run({ params }, world) {
    const stored = world.sandbox.integration(params.projectId);
    if (!stored) return { kind: "error", scenario: "not-found" };
    return {
      kind: "reply",
      status: 200,
      body: success("Integration retrieved successfully", withoutSecret(stored.integration)),
    };
  },
};
