// closeConversation: closes the active conversation of a bot and user, as an operator would.

import type { SchemaClosedConversation } from "../../generated/jelou-external-support.ts";
import { instant } from "../rules.ts";
import { conversationCloseEvent } from "../webhooks/events.ts";
import { notify } from "./notify.ts";
import type { OperationHandler } from "./operation.ts";
import { budgetRefusal, iso, success } from "./replies.ts";

export const closeConversation: OperationHandler<"closeConversation"> = {
  answersStates: false,
  run({ params, body, now, webhookFault }, world) {
    const stored = world.sandbox.activeConversation(params.projectId, body.botId, body.userId);
    if (!stored) return { kind: "error", scenario: "not-found" };
    const conversation: SchemaClosedConversation = {
      ...stored.conversation,
      state: "closed",
      endAt: iso(Math.max(now, instant(stored.conversation.startAt))),
      endedReason: "closed_by_operator",
    };
    const record = { ...stored, conversation, close: body };
    const result = world.storeConversation(record);
    if (!result.ok) return budgetRefusal(result.message);
    return {
      kind: "reply",
      status: 200,
      body: success("Conversation closed successfully", conversation),
      effects: notify(world, record, "conversation.close", conversationCloseEvent(record, now), webhookFault),
    };
  },
};
