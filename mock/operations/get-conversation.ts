// getConversation: a conversation started through the API as it is now, or, for any other id, one generated from
// the ids (same ids, same conversation). A rule's overrides apply to either.
import type { SchemaConversation } from "../../generated/jelou-external-support.ts";
import { applyOverrides, instant } from "../rules.ts";
import type { OperationHandler } from "./operation.ts";
import { iso, success } from "./replies.ts";

export const getConversation: OperationHandler<"getConversation"> = {
  answersStates: true,
  rule: (params, world) => world.rule(params),
  magicId: (params) => params.conversationId,
  run({ params, state, rule, now }, world) {
    const stored = world.sandbox.conversation(params.projectId, params.conversationId);
    if (stored) {
      // A started conversation is what it is, unless a scenario asks explicitly for the other state.
      const shown = state.explicit ? inState(stored.conversation, state.name, now) : stored.conversation;
      const merged =
        rule?.conversation && rule.scenario === shown.state ? applyOverrides(shown, rule.conversation) : shown;
      return { kind: "reply", status: 200, body: success("Conversation retrieved successfully", merged) };
    }
    if (rule?.conversation && rule.scenario === state.name) {
      return { kind: "reply", status: 200, body: world.overriddenBody(state.name, params, rule.conversation) };
    }
    return { kind: "reply", status: 200, body: world.generatedBody(state.name, params) };
  },
};

// A stored conversation shown in the other state: closed by an operator now, or open again.
function inState(conversation: SchemaConversation, name: "active" | "closed", now: number): SchemaConversation {
  if (conversation.state === name) return conversation;
  if (name === "closed") {
    return {
      ...conversation,
      state: "closed",
      endAt: iso(Math.max(now, instant(conversation.startAt))),
      endedReason: "closed_by_operator",
    };
  }
  const { endAt: _endAt, endedReason: _endedReason, ...open } = conversation;
  return { ...open, state: "active" };
}
