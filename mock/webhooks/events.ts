// The payloads of the three events Jelou POSTs to an integration's webhook, built from the sandbox's state: pure, so
// that the contracts can check them against the spec without a server.
import type {
  SchemaConversationCloseEvent,
  SchemaConversationStartEvent,
  SchemaMessageEvent,
  webhooks,
} from "../../generated/jelou-external-support.ts";
import type { StoredConversation, TranscriptMessage } from "../state.ts";

/** The name of a webhook event, as the spec's `webhooks` key it. */
export type WebhookEventName = keyof webhooks;

/** The payload of an event (of any event, without a name), as the spec's `webhooks` declare it. */
export type WebhookPayload<K extends WebhookEventName = WebhookEventName> = NonNullable<
  webhooks[K]["post"]["requestBody"]
>["content"]["application/json"];

// Every event, as a record typed on the spec: an event added there and not here fails to compile.
const EVENT_NAMES: Readonly<Record<WebhookEventName, true>> = {
  "conversation.start": true,
  "conversation.close": true,
  message: true,
};

/** Every event the spec declares. */
export const WEBHOOK_EVENTS = Object.keys(EVENT_NAMES) as readonly WebhookEventName[];

const people = ({ conversation }: StoredConversation) => ({
  contact: { id: conversation.User.id, name: conversation.User.names },
  bot: { id: conversation.Bot.id, name: conversation.Bot.name },
});

/** `conversation.start` for a conversation just started, with what its Start body said (spec/README.md §23). */
export function conversationStartEvent(stored: StoredConversation, now: number): SchemaConversationStartEvent {
  const { conversation, start } = stored;
  return {
    event: "conversation.start",
    timestamp: now,
    project_id: stored.projectId,
    room_id: conversation.roomId,
    conversation: { id: conversation._id, state: "active", startAt: conversation.startAt },
    ...people(stored),
    ...(start.initialMessage !== undefined && { initialMessage: start.initialMessage }),
    ...(start.metadata !== undefined && { metadata: start.metadata }),
    ...(start.assignment !== undefined && { assignment: start.assignment }),
  };
}

/** `conversation.close` for a conversation just closed: why, and the Close body's message to the user. */
export function conversationCloseEvent(stored: StoredConversation, now: number): SchemaConversationCloseEvent {
  const { conversation } = stored;
  if (conversation.state !== "closed") throw new Error("conversation.close is built for a closed conversation.");
  return {
    event: "conversation.close",
    timestamp: now,
    project_id: stored.projectId,
    room_id: conversation.roomId,
    conversation: { id: conversation._id, state: "closed", startAt: conversation.startAt, endAt: conversation.endAt },
    ...people(stored),
    reason: conversation.endedReason,
    ...(stored.close?.redirectPayload !== undefined && { redirectPayload: stored.close.redirectPayload }),
  };
}

/** `message` for what the end user just wrote in the conversation. */
export function messageEvent(stored: StoredConversation, message: TranscriptMessage, now: number): SchemaMessageEvent {
  const { conversation } = stored;
  return {
    field: "messages",
    object: "message_event",
    event_type: "message",
    timestamp: now,
    project_id: stored.projectId,
    room_id: conversation.roomId,
    // In the order of Jelou's own example: contact, conversation, bot.
    contact: { id: conversation.User.id, name: conversation.User.names },
    conversation: { id: conversation._id },
    bot: { id: conversation.Bot.id, name: conversation.Bot.name },
    value: message.value,
  };
}
