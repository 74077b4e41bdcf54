// updateIntegration: a partial update of the project's integration; only the fields sent change.

import { instant } from "../rules.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, iso, success, withoutSecret } from "./replies.ts";
import { webhookUrlErrors } from "./webhook-url.ts";

export const updateIntegration: OperationHandler<"updateIntegration"> = {
  answersStates: false,
  run({ params, body, now }, world, settings) {
    const stored = world.sandbox.integration(params.projectId);
    if (!stored) return { kind: "error", scenario: "not-found" };
    if (body.webhookUrl !== undefined) {
      const fields = webhookUrlErrors(body.webhookUrl, settings.requireHttpsWebhooks);
      if (fields) return { kind: "error", scenario: "validation-error", fields };
    }
    const authType = body.authType ?? stored.integration.authType;
    // A credential without an authType that sends one has nowhere to go: it is dropped, as on create.
    const authorization = authType === "no_auth" ? undefined : (body.authorization ?? stored.authorization);
    const integration = {
      ...stored.integration,
      webhookUrl: body.webhookUrl ?? stored.integration.webhookUrl,
      authType,
      updatedAt: iso(Math.max(now, instant(stored.integration.createdAt))),
    };
    const result = world.storeIntegration({
      projectId: stored.projectId,
      integration,
      ...(authorization !== undefined && { authorization }),
    });
    if (!result.ok) return budgetRefusal(result.message);
    return {
      kind: "reply",
      status: 200,
      body: success("Integration updated successfully", withoutSecret(integration)),
    };
  },
};
