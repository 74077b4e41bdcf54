// createIntegration: links a project to a webhook. One integration per project (a second is a 409), and its signing
// secret is shown in this response only.
import { randomBytes } from "node:crypto";
import type { SchemaCreatedIntegration } from "../../generated/jelou-external-support.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, iso, newObjectId, success } from "./replies.ts";
import { webhookUrlErrors } from "./webhook-url.ts";

export const createIntegration: OperationHandler<"createIntegration"> = {
  answersStates: false,
  run({ params, body, now }, world, settings) {
    const fields = webhookUrlErrors(body.webhookUrl, settings.requireHttpsWebhooks);
    if (fields) return { kind: "error", scenario: "validation-error", fields };
    if (world.sandbox.integration(params.projectId)) return { kind: "error", scenario: "conflict" };
    const authType = body.authType ?? "no_auth";
    const integration: SchemaCreatedIntegration = {
      id: newObjectId(),
      brainId: params.projectId,
      webhookUrl: body.webhookUrl,
      authType,
      signingSecret: randomBytes(32).toString("hex"),
      createdAt: iso(now),
      updatedAt: iso(now),
    };
    const stored = world.storeIntegration({
      projectId: params.projectId,
      integration,
      ...(authType !== "no_auth" && body.authorization !== undefined && { authorization: body.authorization }),
    });
    if (!stored.ok) return budgetRefusal(stored.message);
    return { kind: "reply", status: 200, body: success("Integration created successfully", integration) };
  },
};
