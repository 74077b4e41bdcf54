// sendMessage: the panel's agent answers the end user. Signed, not authenticated: the body names the project, whose
// integration's signing secret must have signed the exact bytes received.

import { verifyJelouSignature } from "../webhooks/signature.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, success } from "./replies.ts";
import { recordMessage } from "./transcript.ts";

const projectOf = (body: unknown): string | undefined => {
  const projectId = (body as { project_id?: unknown } | null)?.project_id;
  return typeof projectId === "string" && projectId !== "" ? projectId : undefined;
};

export const sendMessage: OperationHandler<"sendMessage"> = {
  answersStates: false,
  projectOf,
  authenticate({ body, rawBody, signature }, world) {
    if (signature === undefined || !/^sha256=[0-9a-fA-F]{64}$/.test(signature.trim())) {
      return { kind: "error", scenario: "unauthorized" };
    }
    // A body that is not JSON, or names no project, is refused by its validation: there is no secret to check with.
    const projectId = projectOf(body);
    if (rawBody === undefined || projectId === undefined) return undefined;
    const stored = world.sandbox.integration(projectId);
    if (!stored) return { kind: "error", scenario: "not-found" };
    if (!verifyJelouSignature(rawBody, signature, stored.integration.signingSecret)) {
      return { kind: "error", scenario: "unauthorized" };
    }
    return undefined;
  },
  run({ body, now }, world) {
    const stored = world.sandbox.activeConversation(body.project_id, body.bot_id, body.user_id);
    if (!stored || stored.conversation.roomId !== body.room_id) return { kind: "error", scenario: "conflict" };
    const recorded = recordMessage(world, stored, "agent", body.value, now);
    if (!recorded.ok) return budgetRefusal(recorded.message);
    return {
      kind: "reply",
      status: 200,
      body: success("Message sent successfully", { id: recorded.message.value.id }),
    };
  },
};
