// Pact V4 asynchronous messages: the webhook events as the example handler (examples/webhook-handler/) consumes them.
// Each message is handed to the handler's event processing, the part after HTTP and the signature, and the pact
// records only the fields it reads, as shapes (matchers), not values. 7-events-provider verifies the fake's builders.
import { rmSync } from "node:fs";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { beforeAll, describe, expect, it } from "vitest";
import { createEventProcessor } from "../examples/webhook-handler/events.ts";
import type { SchemaSendMessageRequest } from "../generated/jelou-external-support.ts";
import {
  EVENT_MESSAGES,
  EVENT_STATES,
  EVENTS_CONSUMER,
  EVENTS_PACT_FILE,
  PACTS_DIR,
  PROVIDER,
  type StateParams,
} from "./contract-terms.ts";

const { integer, like, regex } = MatchersV3;

// Pact merges into an existing file: start from none, so that interactions removed here cannot linger (pact-js#731).
beforeAll(() => {
  rmSync(EVENTS_PACT_FILE, { force: true });
});

const pact = new PactV4({ consumer: EVENTS_CONSUMER, provider: PROVIDER, dir: PACTS_DIR, logLevel: "warn" });
const ids: StateParams = { projectId: "p-events", conversationId: "6790f1c2a4b5c6d7e8f90123" };
const at = integer(1768473000000);
const conversation = { id: like(ids.conversationId) };

/** The handler's processing with its send-message captured: what the handler did with one event. */
async function handle(payload: unknown) {
  const sent: SchemaSendMessageRequest[] = [];
  const events = createEventProcessor(async (message) => {
    sent.push(message);
  });
  const outcome = await events.process(payload);
  return { outcome, processed: events.processed, sent };
}

describe("the webhook events, as the example handler consumes them", () => {
  it("opens a record of the conversation on conversation.start", async () => {
    await pact
      .addAsynchronousInteraction()
      .given(EVENT_STATES.started, { ...ids })
      .expectsToReceive(EVENT_MESSAGES.start, (b) =>
        b.withJSONContent({
          event: "conversation.start",
          timestamp: at,
          project_id: like(ids.projectId),
          conversation,
          contact: { name: like("María Fernanda López") },
        }),
      )
      .executeTest(async (message) => {
        expect(await handle(message.contents.content)).toEqual({
          outcome: "processed",
          processed: [
            {
              event: "conversation.start",
              conversationId: ids.conversationId,
              projectId: ids.projectId,
              contactName: "María Fernanda López",
              at: 1768473000000,
            },
          ],
          sent: [],
        });
      });
  });

  it("records why the conversation ended on conversation.close", async () => {
    await pact
      .addAsynchronousInteraction()
      .given(EVENT_STATES.closed, { ...ids })
      .expectsToReceive(EVENT_MESSAGES.close, (b) =>
        b.withJSONContent({
          event: "conversation.close",
          timestamp: at,
          conversation,
          reason: like("closed_by_operator"),
        }),
      )
      .executeTest(async (message) => {
        expect((await handle(message.contents.content)).processed).toEqual([
          {
            event: "conversation.close",
            conversationId: ids.conversationId,
            reason: "closed_by_operator",
            at: 1768473000000,
          },
        ]);
      });
  });

  // What a `message` event must carry for the reply to reach the same room, bot and user.
  const from = {
    event_type: "message",
    timestamp: at,
    project_id: like(ids.projectId),
    room_id: like("room-6790f1c2a4b5"),
    contact: { id: like("user-5521987654321") },
    conversation,
    bot: { id: like("bot-7f3a9c") },
  };
  const recipient = {
    project_id: ids.projectId,
    room_id: "room-6790f1c2a4b5",
    bot_id: "bot-7f3a9c",
    user_id: "user-5521987654321",
  };

  it.each([
    [
      EVENT_MESSAGES.text,
      EVENT_STATES.userText,
      { type: "text", content: { body: like("Hola, necesito ayuda") } },
      { type: "text", content: "Hola, necesito ayuda", reply: "Recibimos tu mensaje: «Hola, necesito ayuda»" },
    ],
    [
      EVENT_MESSAGES.image,
      EVENT_STATES.userImage,
      { type: "image", content: { url: regex("^https://\\S+$", "https://storage.example.com/media/image.jpg") } },
      { type: "image", content: "https://storage.example.com/media/image.jpg", reply: "Recibimos tu imagen." },
    ],
  ])("replies through send-message to %s", async (description, state, value, want) => {
    await pact
      .addAsynchronousInteraction()
      .given(state, { ...ids })
      .expectsToReceive(description, (b) =>
        b.withJSONContent({ ...from, value: { id: like("msg-user-0001"), ...value } }),
      )
      .executeTest(async (message) => {
        const { processed, sent } = await handle(message.contents.content);
        expect(processed).toEqual([
          {
            event: "message",
            conversationId: ids.conversationId,
            messageId: "msg-user-0001",
            at: 1768473000000,
            ...want,
          },
        ]);
        expect(sent).toEqual([
          {
            field: "messages",
            object: "message_event",
            event_type: "incoming_message",
            ...recipient,
            value: { id: "reply-msg-user-0001", type: "text", content: { body: want.reply } },
          },
        ]);
      });
  });
});
