// A simulated end user writes in a conversation (the admin API's POST .../messages, `server.sendUserMessage`): the
// message joins the transcript and fires the `message` event, as a real user's message would in Jelou.
import type { SchemaMessageValue } from "../../generated/jelou-external-support.ts";
import { type SpecValidator, violationField } from "../../spec/schema-validator.ts";
import { nestingDepth } from "../json-depth.ts";
import { MAX_BODY_DEPTH } from "../limits.ts";
import type { TranscriptMessage } from "../state.ts";
import { messageEvent } from "../webhooks/events.ts";
import type { DeliveryFault, DeliveryRequest } from "../webhooks/outgoing.ts";
import type { AdminRefusal, World } from "../world.ts";
import { notify } from "./notify.ts";
import { recordMessage } from "./transcript.ts";

/** Where the message goes, what it is, and how to break its event. */
export interface UserMessageRequest {
  projectId: string;
  conversationId: string;
  /** `{type, content}` (and optionally `id`), as send-message's `value`. */
  body: unknown;
  now: number;
  webhookFault: DeliveryFault | undefined;
}

/** Records the end user's message and says which event to deliver; refused naming the field or the conversation. */
export function userMessage(
  request: UserMessageRequest,
  world: World,
  validator: SpecValidator,
): { ok: true; message: TranscriptMessage; effects: DeliveryRequest[] } | AdminRefusal {
  const { projectId, conversationId, body, now } = request;
  const stored = world.sandbox.conversation(projectId, conversationId);
  if (!stored) {
    const message = `The sandbox has no conversation ${conversationId} in project ${projectId}: start it with startConversation first.`;
    return { ok: false, key: "CONVERSATION_NOT_STARTED", message };
  }
  const problem = bodyProblem(body, validator);
  if (problem)
    return { ok: false, key: "INVALID_BODY", message: problem.message, fields: { [problem.field]: problem.message } };
  if (stored.conversation.state !== "active") {
    const message = `Conversation ${conversationId} is ${stored.conversation.state}: an end user writes only in an active conversation.`;
    return { ok: false, key: "CONVERSATION_NOT_ACTIVE", message };
  }
  const recorded = recordMessage(world, stored, "user", body as SchemaMessageValue, now);
  if (!recorded.ok) return { ok: false, key: "STATE_BUDGET_REACHED", message: recorded.message };
  const event = messageEvent(stored, recorded.message, now);
  return {
    ok: true,
    message: recorded.message,
    effects: notify(world, stored, "message", event, request.webhookFault),
  };
}

// The first problem of the message, named by its field (`type`, `content.body`, ...).
function bodyProblem(body: unknown, validator: SpecValidator): { field: string; message: string } | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return {
      field: "body",
      message: 'The message must be an object, e.g. {"type": "text", "content": {"body": "Hola"}}.',
    };
  }
  if (nestingDepth(body, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    return { field: "body", message: `The message nests deeper than ${MAX_BODY_DEPTH} levels.` };
  }
  const violation = validator
    .validateSchema("MessageValue", body)
    .find((v) => !["oneOf", "allOf", "if", "then"].includes(v.keyword));
  if (!violation) return undefined;
  const field = violationField(violation);
  return { field: field || "body", message: `${field || "The message"} ${violation.message}.` };
}
