// What a panel does with Jelou's events once the HTTP layer (app.ts) has verified them: no HTTP here, so a contract
// test can hand it a message directly. Only types come from fake-jelou: at run time this depends on nothing.
import type {
  SchemaMessageEvent as MessageEvent,
  SchemaConversationCloseEvent,
  SchemaConversationStartEvent,
  SchemaSendMessageRequest,
} from "fake-jelou/client";

/** Any event Jelou POSTs to the webhook. */
export type JelouEvent = SchemaConversationStartEvent | SchemaConversationCloseEvent | MessageEvent;

/** What the panel keeps of each event it processed, oldest first. */
export type ProcessedEvent =
  | { event: "conversation.start"; conversationId: string; projectId: string; contactName: string; at: number }
  | { event: "conversation.close"; conversationId: string; reason: string; at: number }
  | {
      event: "message";
      conversationId: string;
      messageId: string;
      type: MessageEvent["value"]["type"];
      /** The text, or the media's URL. */
      content: string;
      at: number;
      reply: string;
    };

/** How an event was taken: acted on, already acted on (a redelivery), or not one this panel knows. */
export type Outcome = "processed" | "duplicate" | "ignored";

/** The panel's events, and the one way it talks back. */
export interface EventProcessor {
  /** Acts on a parsed, verified event once, however many times it is delivered. */
  process(payload: unknown): Promise<Outcome>;
  readonly processed: readonly ProcessedEvent[];
}

/** Sends a message to the end user through Jelou's send-message; rejects when Jelou does not accept it. */
export type SendMessage = (message: SchemaSendMessageRequest) => Promise<void>;

/** True for one of the three events, by its name: signed by Jelou, a payload is trusted for its shape. */
function isJelouEvent(payload: unknown): payload is JelouEvent {
  if (typeof payload !== "object" || payload === null) return false;
  const { event, event_type } = payload as { event?: unknown; event_type?: unknown };
  return event_type === "message" || event === "conversation.start" || event === "conversation.close";
}

// The key of "the same event". For `message`, Jelou's `value.id` (spec decision 22 makes it the natural key). The
// conversation events carry no id, but a conversation starts once and closes once, so its id and the event name
// are one. Not the signature or a hash of the bytes: those name one serialisation, and a sender that retries with a
// fresh `timestamp` would get past them and make the panel act twice.
function keyOf(event: JelouEvent): string {
  return "event_type" in event ? `message:${event.value.id}` : `${event.event}:${event.conversation.id}`;
}

const MEDIA = { image: "imagen", video: "video", audio: "audio", document: "documento" } as const;

/** The text of the auto-reply to what the end user wrote. */
function replyText(value: MessageEvent["value"]): string {
  return value.type === "text" ? `Recibimos tu mensaje: «${value.content.body}»` : `Recibimos tu ${MEDIA[value.type]}.`;
}

/** The auto-reply as send-message's body: to the room, bot and user the message came from. */
function replyTo(event: MessageEvent): SchemaSendMessageRequest {
  const { value } = event;
  return {
    field: "messages",
    object: "message_event",
    event_type: "incoming_message",
    project_id: event.project_id,
    room_id: event.room_id,
    bot_id: event.bot.id,
    user_id: event.contact.id,
    // Derived from the message answered, so that a reply sent again is recognisably the same one.
    value: { id: `reply-${value.id}`, type: "text", content: { body: replyText(value) } },
  };
}

/** The panel's processing of events, replying through `send`; it keeps what it processed in memory. */
export function createEventProcessor(send: SendMessage): EventProcessor {
  // In memory for the example; a real panel keeps the keys where every instance sees them (a unique index).
  const seen = new Set<string>();
  const processed: ProcessedEvent[] = [];

  async function act(event: JelouEvent): Promise<ProcessedEvent> {
    if ("event_type" in event) {
      await send(replyTo(event));
      return {
        event: "message",
        conversationId: event.conversation.id,
        messageId: event.value.id,
        type: event.value.type,
        content: event.value.type === "text" ? event.value.content.body : event.value.content.url,
        at: event.timestamp,
        reply: replyText(event.value),
      };
    }
    if (event.event === "conversation.start") {
      return {
        event: event.event,
        conversationId: event.conversation.id,
        projectId: event.project_id,
        contactName: event.contact.name,
        at: event.timestamp,
      };
    }
    return { event: event.event, conversationId: event.conversation.id, reason: event.reason, at: event.timestamp };
  }

  return {
    processed,
    async process(payload) {
      // Acknowledged all the same: an event this panel does not know should not be sent again.
      if (!isJelouEvent(payload)) return "ignored";
      const key = keyOf(payload);
      // Claimed before the first await: a duplicate that arrives while the reply is in flight is still a duplicate.
      if (seen.has(key)) return "duplicate";
      seen.add(key);
      try {
        processed.push(await act(payload));
        return "processed";
      } catch (error) {
        // Not done, so not a duplicate next time: Jelou's retry or a redelivery gets to act.
        seen.delete(key);
        throw error;
      }
    },
  };
}
