// Names both sides of the contract must spell the same way: participants, provider states, test credentials.
// A provider state handler's key must equal the consumer's `given(...)` string exactly, so both import these.
import { fileURLToPath } from "node:url";

export const CONSUMER = "fake-jelou-client";
export const PROVIDER = "jelou-external-support";

/** Where the consumer suite writes the pact, and the provider suites read it. */
export const PACTS_DIR = fileURLToPath(new URL("./pacts/", import.meta.url));
export const PACT_FILE = fileURLToPath(new URL(`./pacts/${CONSUMER}-${PROVIDER}.json`, import.meta.url));

/**
 * Provider states, named as the fake understands them (docs/verify-pact.md), so that the fake is verified through
 * the same setup URL any consumer's pact uses; the values of their placeholders are Pact parameters.
 */
export const STATES = {
  activeConversation: "conversation {conversationId} is active",
  closedConversation: "conversation {conversationId} is closed",
  rejectedCredentials: "the credentials are rejected",
  missingConversation: "conversation {conversationId} does not exist",
  jelouFailing: "jelou fails",
  integration: "project {projectId} has an integration",
  noIntegration: "no integration exists for project {projectId}",
  activePair: "bot {botId} and user {userId} have an active conversation in project {projectId}",
  idlePair: "bot {botId} and user {userId} have no active conversation in project {projectId}",
  unknownBot: "bot {botId} does not exist in project {projectId}",
} as const;

export type ProviderState = (typeof STATES)[keyof typeof STATES];

/** The consumer of Jelou's webhook events: the panel's handler of examples/webhook-handler/. */
export const EVENTS_CONSUMER = "example-webhook-handler";
/** The message pact: the events that handler relies on, written by 6-events-consumer, read by 7-events-provider. */
export const EVENTS_PACT_FILE = fileURLToPath(new URL(`./pacts/${EVENTS_CONSUMER}-${PROVIDER}.json`, import.meta.url));

/** The events' provider states: what happened in the conversation, with `projectId` and `conversationId`. */
export const EVENT_STATES = {
  started: "conversation {conversationId} was started in project {projectId}",
  closed: "conversation {conversationId} was closed in project {projectId}",
  userText: "the end user wrote a text in conversation {conversationId} of project {projectId}",
  userImage: "the end user sent an image in conversation {conversationId} of project {projectId}",
} as const;

/** Each event message's description: the provider maps it to the builder that produces it. */
export const EVENT_MESSAGES = {
  start: "a conversation.start event",
  close: "a conversation.close event",
  text: "a message event with a text",
  image: "a message event with an image",
} as const;

/** The parameters every state carries. */
export interface StateParams {
  projectId: string;
  conversationId: string;
}

// Test credentials recorded in the pact file: not secrets. The provider under verification accepts exactly the
// valid ones, so the rejected-credentials interaction gets its 401 for the right reason.
export const CREDENTIALS = {
  validApiKey: "pact-valid-api-key",
  rejectedApiKey: "pact-rejected-api-key",
  basic: { clientId: "pact-client-id", clientSecret: "pact-client-secret" },
} as const;
