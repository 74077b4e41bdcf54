// sendMessage: the panel's agent answers the end user. Signed, not authenticated: the body names the project, whose
// integration's signing secret must have signed the exact bytes received.

import { verifyJelouSignature } from "../webhooks/signature.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, success } from "./replies.ts";
import { recordMessage } from "./transcript.ts";

const SIGNATURE_FORM = /^sha256=[0-9a-f]{64}$/;

const projectOf = (body: unknown): string | undefined => {
  const projectId = (body as { project_id?: unknown } | null)?.project_id;
  return typeof projectId === "string" && projectId !== "" ? projectId : undefined;
};

export const sendMessage: OperationHandler<"sendMessage"> = {
  answersStates: false,
  projectOf,
  authenticate({ body, rawBody, signature }, world) {
    // The spec's form exactly (decision 21): Jelou's own senders write lower-case hex, and Prism refuses the rest.
    if (signature === undefined || !SIGNATURE_FORM.test(signature)) return { kind: "error", scenario: "unauthorized" };
    const projectId = projectOf(body);
    if (rawBody === undefined || projectId === undefined) return "unverifiable";
    const stored = world.sandbox.integration(projectId);
    if (!stored) return { kind: "error", scenario: "not-found" };
    if (!verifyJelouSignature(rawBody, signature, stored.integration.signingSecret)) {
      return { kind: "error", scenario: "unauthorized" };
    }
    return "verified";
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
