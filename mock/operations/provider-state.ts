// Puts the world in a Pact provider state (mock/provider-states.ts names them): the same changes the operations make,
// so that a pact verified against the fake meets the fake users drive.

import { randomBytes } from "node:crypto";
import { parseProviderState, type StateParams } from "../provider-states.ts";
import { instant } from "../rules.ts";
import type { World } from "../world.ts";
import { iso, newObjectId } from "./replies.ts";
import { newConversation } from "./start-conversation.ts";
import { webhookUrlErrors } from "./webhook-url.ts";

/** Applies a named provider state; says why when it cannot (unknown, missing value, full state budget). */
export function applyProviderState(
  world: World,
  state: string,
  params: StateParams,
  now: number,
): { ok: true } | { ok: false; message: string } {
  const parsed = parseProviderState(state, params);
  if (!parsed.ok) return parsed;
  const { action } = parsed;
  switch (action.kind) {
    case "conversation-rule": {
      const result = world.putRule(
        { projectId: action.projectId, conversationId: action.conversationId },
        { scenario: action.scenario },
      );
      return result.ok ? { ok: true } : { ok: false, message: result.message };
    }
    case "integration": {
      // The same rules as a create: a state must not hold what the API would refuse.
      const urlErrors = webhookUrlErrors(action.webhookUrl, false);
      if (urlErrors) return { ok: false, message: `Provider state "${state}": ${urlErrors.webhookUrl?.[0]?.en}` };
      if (action.authorization !== undefined && action.authorization.trim() === "") {
        return { ok: false, message: `Provider state "${state}": authorization must not be empty.` };
      }
      return world.storeIntegration({
        projectId: action.projectId,
        integration: {
          id: newObjectId(),
          brainId: action.projectId,
          webhookUrl: action.webhookUrl,
          authType: action.authType,
          signingSecret: randomBytes(32).toString("hex"),
          createdAt: iso(now),
          updatedAt: iso(now),
        },
        ...(action.authorization !== undefined && { authorization: action.authorization }),
      });
    }
    case "no-integration":
      world.sandbox.deleteIntegration(action.projectId);
      return { ok: true };
    case "active-conversation": {
      const start = { botId: action.botId, userId: action.userId };
      if (world.sandbox.activeConversation(action.projectId, action.botId, action.userId)) return { ok: true };
      if (action.conversationId !== undefined && world.sandbox.conversation(action.projectId, action.conversationId)) {
        return {
          ok: false,
          message: `Provider state "${state}": conversation ${action.conversationId} already exists in project ${action.projectId}.`,
        };
      }
      const conversation = newConversation(world, action.projectId, start, now, action.conversationId ?? newObjectId());
      return world.storeConversation({ projectId: action.projectId, conversation, start });
    }
    case "no-active-conversation": {
      const active = world.sandbox.activeConversation(action.projectId, action.botId, action.userId);
      if (!active) return { ok: true };
      return world.storeConversation({
        ...active,
        conversation: {
          ...active.conversation,
          state: "closed",
          endAt: iso(Math.max(now, instant(active.conversation.startAt))),
          endedReason: "closed_by_operator",
        },
      });
    }
    case "unknown-bot": {
      // The fake keeps no bots: starting a conversation in that project is what finds none.
      const result = world.putOperationRule("startConversation", action.projectId, { scenario: "not-found" });
      return result.ok ? { ok: true } : { ok: false, message: result.message };
    }
    case "default-scenario":
      world.setScenario(action.scenario);
      return { ok: true };
  }
}
