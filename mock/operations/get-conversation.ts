// getConversation: a conversation by project and id, generated from them (same ids, same conversation), with the
// conversation's rule (scenario and overrides) when it has one.
import type { OperationHandler, Reply } from "./operation.ts";

export const getConversation: OperationHandler<"getConversation"> = {
  answersStates: true,
  rule: (params, world) => world.rule(params),
  magicId: (params) => params.conversationId,
  reply(state, params, world, rule): Reply {
    if (rule?.conversation && rule.scenario === state) {
      return { kind: "reply", status: 200, body: world.overriddenBody(state, params, rule.conversation) };
    }
    return { kind: "reply", status: 200, body: world.generatedBody(state, params) };
  },
};
