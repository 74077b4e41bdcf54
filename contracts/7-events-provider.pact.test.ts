// Verifies the fake's webhook events against the message pact 6-events-consumer just wrote, with Pact's own Verifier:
// each description maps to the real builder (mock/webhooks/events.ts), fed a conversation built for the interaction's
// provider state. Each message provided is also validated against the spec's schema, so pact and spec agree.
import { Verifier } from "@pact-foundation/pact";
import { describe, expect, it } from "vitest";
import type { SchemaMessageValue } from "../generated/jelou-external-support.ts";
import type { StoredConversation } from "../mock/state.ts";
import { conversationCloseEvent, conversationStartEvent, messageEvent } from "../mock/webhooks/events.ts";
import { loadSpec } from "../spec/load-spec.ts";
import { createSpecValidator, type SchemaName } from "../spec/schema-validator.ts";
import { EVENT_MESSAGES, EVENT_STATES, EVENTS_PACT_FILE, PROVIDER, type StateParams } from "./contract-terms.ts";
import { stateParams } from "./provider-states.ts";

const validator = createSpecValidator(loadSpec());
const NOW = Date.parse("2026-01-15T10:45:00.000Z");
type EventState = (typeof EVENT_STATES)[keyof typeof EVENT_STATES];

/** The conversation each state describes, as the fake stores one started (and closed) through the API. */
function conversationFor(state: EventState, { projectId, conversationId }: StateParams): StoredConversation {
  const pair = { botId: "bot-7f3a9c", userId: "user-5521987654321" };
  const common = {
    _id: conversationId,
    roomId: "room-6790f1c2a4b5",
    startAt: "2026-01-15T10:30:00.000Z",
    User: {
      id: pair.userId,
      names: "María Fernanda López",
      referenceId: "+5215512345678",
      createdAt: "2025-11-02T08:00:00.000Z",
    },
    Bot: { id: pair.botId, name: "Soporte Acme", type: "Whatsapp" },
  };
  if (state === EVENT_STATES.closed) {
    const closed = {
      ...common,
      state: "closed" as const,
      endAt: "2026-01-15T10:45:00.000Z",
      endedReason: "closed_by_operator",
    };
    return { projectId, conversation: closed, start: pair, close: pair };
  }
  const said: Record<string, SchemaMessageValue & { id: string }> = {
    [EVENT_STATES.userText]: { id: "msg-user-0001", type: "text", content: { body: "Hola, necesito ayuda" } },
    [EVENT_STATES.userImage]: {
      id: "msg-user-0002",
      type: "image",
      content: { url: "https://storage.example.com/media/image.jpg", mime_type: "image/jpeg" },
    },
  };
  const value = said[state];
  return {
    projectId,
    conversation: { ...common, state: "active" },
    start: { ...pair, initialMessage: "Hola, soy Ana del equipo de soporte." },
    ...(value && { messages: [{ from: "user", at: "2026-01-15T10:40:00.000Z", value }] }),
  };
}

/** A verifier of the events pact whose builders' output passes through `drift` (the real output when none). */
function eventsVerifier(drift: (event: Record<string, unknown>) => void = () => {}) {
  let current: { state: string; stored: StoredConversation } | undefined;
  const provided: { schema: SchemaName; event: unknown }[] = [];
  // A message provider runs only after its state's setup: it refuses a conversation set up for another state.
  const inState = (state: EventState) => {
    if (current?.state !== state) throw new Error(`Provider state "${state}" was not set up.`);
    return current.stored;
  };
  const provide = (schema: SchemaName, event: object) => {
    const sent = structuredClone(event) as Record<string, unknown>;
    drift(sent);
    provided.push({ schema, event: sent });
    return sent;
  };
  const userSaid = (state: EventState) => {
    const stored = inState(state);
    const said = stored.messages?.at(-1);
    if (!said) throw new Error(`Provider state "${state}" has no message.`);
    return provide("MessageEvent", messageEvent(stored, said, NOW));
  };
  const verifier = new Verifier({
    provider: PROVIDER,
    pactUrls: [EVENTS_PACT_FILE],
    // Never "trace", at which the Verifier prints every option it was given.
    logLevel: "error",
    stateHandlers: Object.fromEntries(
      Object.values(EVENT_STATES).map((state) => [
        state,
        async (params: unknown) => {
          current = { state, stored: conversationFor(state, stateParams(state, params)) };
          return undefined;
        },
      ]),
    ),
    messageProviders: {
      [EVENT_MESSAGES.start]: () =>
        provide("ConversationStartEvent", conversationStartEvent(inState(EVENT_STATES.started), NOW)),
      [EVENT_MESSAGES.close]: () =>
        provide("ConversationCloseEvent", conversationCloseEvent(inState(EVENT_STATES.closed), NOW)),
      [EVENT_MESSAGES.text]: () => userSaid(EVENT_STATES.userText),
      [EVENT_MESSAGES.image]: () => userSaid(EVENT_STATES.userImage),
    },
  });
  return { verifier, provided };
}

describe("provider verification of the fake's webhook events", () => {
  it("honours every message of the pact, and each message is valid against the spec", async () => {
    const { verifier, provided } = eventsVerifier();
    await expect(verifier.verifyProvider()).resolves.toBeDefined();
    expect(provided.map((p) => p.schema).sort()).toEqual([
      "ConversationCloseEvent",
      "ConversationStartEvent",
      "MessageEvent",
      "MessageEvent",
    ]);
    for (const { schema, event } of provided) expect(validator.validateSchema(schema, event)).toEqual([]);
  });

  it("fails for builders whose message events lose value.id, naming the field", async () => {
    const { verifier } = eventsVerifier((event) => {
      if (event.event_type === "message") delete (event.value as Record<string, unknown>).id;
    });
    const failure = await verifier
      .verifyProvider()
      .then(() => undefined)
      .catch((error: Error) => error);
    // The Verifier rejects with its results as JSON: the two message events fail for value.id, the others pass.
    const results = JSON.parse(failure?.message ?? "{}") as {
      errors?: { mismatch: { mismatches: { mismatch: string; path: string }[] } }[];
      interactionResults?: { description: string; result: string }[];
    };
    expect(results.interactionResults?.map((r) => [r.description, r.result]).sort()).toEqual([
      [EVENT_MESSAGES.close, "OK"],
      [EVENT_MESSAGES.start, "OK"],
      [EVENT_MESSAGES.text, "Error"],
      [EVENT_MESSAGES.image, "Error"],
    ]);
    expect(results.errors?.flatMap((e) => e.mismatch.mismatches.map((m) => `${m.path} ${m.mismatch}`))).toEqual(
      Array(2).fill("$.value Actual map is missing the following keys: id"),
    );
  });
});
