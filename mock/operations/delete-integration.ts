// deleteIntegration: removes the project's integration for good; a new one gets a new signing secret.

import type { OperationHandler } from "./operation.ts";
import { success } from "./replies.ts";

export const deleteIntegration: OperationHandler<"deleteIntegration"> = {
  answersStates: false,
  run({ params }, world) {
    if (!world.sandbox.deleteIntegration(params.projectId)) return { kind: "error", scenario: "not-found" };
    return { kind: "reply", status: 200, body: success("Integration deleted successfully") };
  },
};
