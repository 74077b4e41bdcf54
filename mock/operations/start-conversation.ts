// startConversation: opens a conversation between a bot and a user. A bot and user have one active conversation at
// most (close finds it by the pair), so a second start is a 409 until the first is closed.
import type { SchemaActiveConversation } from "../../generated/jelou-external-support.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, iso, newObjectId, success } from "./replies.ts";

export const startConversation: OperationHandler<"startConversation"> = {
  answersStates: false,
  run({ params, body, now }, world) {
    const { projectId } = params;
    if (world.sandbox.activeConversation(projectId, body.botId, body.userId)) {
      return { kind: "error", scenario: "conflict" };
    }
    const conversationId = newObjectId();
    // The user's name, number and first sighting, and the bot's name and channel, are generated as for any id.
    const generated = world.generatedConversation("active", { projectId, conversationId });
    const conversation: SchemaActiveConversation = {
      ...generated,
      state: "active",
      _id: conversationId,
      startAt: iso(Math.max(now, Date.parse(generated.User.createdAt) + 1)),
      User: { ...generated.User, id: body.userId },
      Bot: { ...generated.Bot, id: body.botId },
    };
    const stored = world.storeConversation({ projectId, conversation, start: body });
    if (!stored.ok) return budgetRefusal(stored.message);
    return { kind: "reply", status: 200, body: success("Conversation started successfully", conversation) };
  },
};
