// startConversation: opens a conversation between a bot and a user. A bot and user have one active conversation at
// most (close finds it by the pair), so a second start is a 409 until the first is closed.

import type {
  SchemaActiveConversation,
  SchemaStartConversationRequest,
} from "../../generated/jelou-external-support.ts";
import { instant } from "../rules.ts";
import { conversationStartEvent } from "../webhooks/events.ts";
import type { World } from "../world.ts";
import { notify } from "./notify.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, iso, newObjectId, success } from "./replies.ts";

/** A conversation just started between the body's bot and user: its people and bot generated as for any id. */
export function newConversation(
  world: World,
  projectId: string,
  body: SchemaStartConversationRequest,
  now: number,
  conversationId: string,
): SchemaActiveConversation {
  const generated = world.generatedConversation("active", { projectId, conversationId });
  return {
    ...generated,
    state: "active",
    _id: conversationId,
    startAt: iso(Math.max(now, instant(generated.User.createdAt) + 1)),
    User: { ...generated.User, id: body.userId },
    Bot: { ...generated.Bot, id: body.botId },
  };
}

export const startConversation: OperationHandler<"startConversation"> = {
  answersStates: false,
  run({ params, body, now, webhookFault }, world) {
    const { projectId } = params;
    if (world.sandbox.activeConversation(projectId, body.botId, body.userId)) {
      return { kind: "error", scenario: "conflict" };
    }
    const conversation = newConversation(world, projectId, body, now, newObjectId());
    const record = { projectId, conversation, start: body };
    const stored = world.storeConversation(record);
    if (!stored.ok) return budgetRefusal(stored.message);
    return {
      kind: "reply",
      status: 200,
      body: success("Conversation started successfully", conversation),
      effects: notify(world, record, "conversation.start", conversationStartEvent(record, now), webhookFault),
    };
  },
};
