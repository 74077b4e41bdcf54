// An operator closes a conversation from the admin API (the console's Close button): closeConversation run on the
// conversation's own bot and user, so that the conversation, the transcript and the `conversation.close` event are
// exactly what the API would make of it.
import type { SchemaClosedConversation } from "../../generated/jelou-external-support.ts";
import type { DeliveryFault, DeliveryRequest } from "../webhooks/outgoing.ts";
import type { AdminRefusal, World } from "../world.ts";
import { closeConversation } from "./close-conversation.ts";
import type { OperationSettings, Refusal } from "./operation.ts";

/** Which conversation, when, and how to break its event. */
export interface OperatorCloseRequest {
  projectId: string;
  conversationId: string;
  now: number;
  webhookFault: DeliveryFault | undefined;
}

/** Closes a started, active conversation; refused when it was not started or is not active. */
export function operatorClose(
  request: OperatorCloseRequest,
  world: World,
  settings: OperationSettings,
): { ok: true; conversation: SchemaClosedConversation; effects: readonly DeliveryRequest[] } | AdminRefusal {
  const { projectId, conversationId, now, webhookFault } = request;
  const stored = world.sandbox.conversation(projectId, conversationId);
  if (!stored) {
    const message = `The sandbox has no conversation ${conversationId} in project ${projectId}: start it with startConversation first.`;
    return { ok: false, key: "CONVERSATION_NOT_STARTED", message };
  }
  if (stored.conversation.state !== "active") {
    const message = `Conversation ${conversationId} is ${stored.conversation.state} already.`;
    return { ok: false, key: "CONVERSATION_NOT_ACTIVE", message };
  }
  const result = closeConversation.run(
    {
      params: { projectId },
      body: { botId: stored.start.botId, userId: stored.start.userId },
      state: { name: "active", explicit: false },
      rule: undefined,
      now,
      webhookFault,
    },
    world,
    settings,
  );
  // The conversation is active, so the only refusal left is a full state budget.
  if (result.kind !== "reply") return { ok: false, key: "STATE_BUDGET_REACHED", message: refusalMessage(result) };
  const closed = world.sandbox.conversation(projectId, conversationId)?.conversation as SchemaClosedConversation;
  return { ok: true, conversation: closed, effects: result.effects ?? [] };
}

function refusalMessage(refusal: Refusal): string {
  return refusal.kind === "fake-error" ? refusal.message : "The conversation could not be closed.";
}
