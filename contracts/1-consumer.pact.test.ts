// Pact V4 consumer tests of client/: every interaction is exercised through the real client, never raw fetch.
// The pact records only what the client and its callers rely on, as shapes (matchers), not values.
// Each test body runs inside waitForRecords: this Pact core answers a request before it records it, and Pact must not
// judge an interaction before its records are in (docs/pact-flake.md).
import { mkdirSync, rmSync } from "node:fs";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import { beforeAll, describe, expect, it } from "vitest";
import { createJelouClient, type JelouClientOptions } from "../client/index.ts";
import { CONSUMER, CREDENTIALS, PACTS_DIR, PROVIDER, STATES, type StateParams } from "./contract-terms.ts";
import { waitForRecords } from "./mock-server-records.ts";

const { like, regex } = MatchersV3;
const ISO_8601 = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$";
const JSON_CONTENT = { "Content-Type": regex("^application/json(;.*)?$", "application/json; charset=utf-8") };
const path = ({ projectId, conversationId }: StateParams) =>
  `/v1/external-support/${projectId}/conversations/${conversationId}`;

// Pact merges into an existing file: start clean so interactions removed here cannot linger (pact-js#731).
beforeAll(() => {
  rmSync(PACTS_DIR, { recursive: true, force: true });
  mkdirSync(PACTS_DIR, { recursive: true });
});

const pact = new PactV4({ consumer: CONSUMER, provider: PROVIDER, dir: PACTS_DIR, logLevel: "warn" });

const conversation = (state: "active" | "closed") => ({
  _id: like("6790f1c2a4b5c6d7e8f90123"),
  roomId: like("room-6790f1c2a4b5"),
  state: regex("^(active|closed)$", state),
  startAt: regex(ISO_8601, "2026-01-15T10:30:00.000Z"),
  ...(state === "closed" && {
    endAt: regex(ISO_8601, "2026-01-15T10:45:00.000Z"),
    endedReason: like("closed_by_operator"),
  }),
  User: { id: like("user-1"), names: like("María Fernanda López"), referenceId: like("+5215512345678") },
  Bot: { id: like("bot-1"), name: like("Soporte Acme"), type: like("Whatsapp") },
});

const errorEnvelope = (code: string, key: string) => ({
  message: like(["Conversation not found."]),
  statusMessage: like("failed"),
  error: { code: like(code), key: like(key) },
});

const apiKey = (key: string) => ({ "x-api-key": key });
const basicHeader = {
  Authorization: `Basic ${Buffer.from(`${CREDENTIALS.basic.clientId}:${CREDENTIALS.basic.clientSecret}`).toString("base64")}`,
};

/** The client under test, pointed at Pact's mock server. */
const clientFor = (url: string, credentials: Pick<JelouClientOptions, "apiKey" | "basic">) =>
  createJelouClient({ baseUrl: url, ...credentials });

describe("Get Conversation, as fake-jelou's client consumes it", () => {
  it("reads an active conversation", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-active" };
    await pact
      .addInteraction()
      .given(STATES.activeConversation, { ...ids })
      .uponReceiving("a request for an active conversation")
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(CREDENTIALS.validApiKey)))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("active") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: CREDENTIALS.validApiKey }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          if (!result.ok) throw new Error(result.error.message);
          expect(result.conversation).toMatchObject({
            state: "active",
            User: { names: "María Fernanda López" },
            Bot: { type: "Whatsapp" },
          });
        }),
      );
  });

  it("reads a closed conversation, with when and why it ended", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-closed" };
    await pact
      .addInteraction()
      .given(STATES.closedConversation, { ...ids })
      .uponReceiving("a request for a closed conversation")
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(CREDENTIALS.validApiKey)))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("closed") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: CREDENTIALS.validApiKey }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          if (!result.ok || result.conversation.state !== "closed") throw new Error("expected a closed conversation");
          expect(Date.parse(result.conversation.endAt)).toBeGreaterThan(Date.parse(result.conversation.startAt));
          expect(result.conversation.endedReason).toBe("closed_by_operator");
        }),
      );
  });

  it("reads an active conversation authenticated with HTTP Basic", async () => {
    const ids = { projectId: "project-1", conversationId: "conversation-basic" };
    await pact
      .addInteraction()
      .given(STATES.activeConversation, { ...ids })
      .uponReceiving("a request for an active conversation, authenticated with Basic")
      .withRequest("GET", path(ids), (b) => b.headers(basicHeader))
      .willRespondWith(200, (b) => b.headers(JSON_CONTENT).jsonBody({ data: conversation("active") }))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { basic: CREDENTIALS.basic }).getConversation(
            ids.projectId,
            ids.conversationId,
          );
          expect(result).toMatchObject({ ok: true, conversation: { state: "active" } });
        }),
      );
  });

  it.each([
    [
      "credentials Jelou rejects",
      STATES.rejectedCredentials,
      CREDENTIALS.rejectedApiKey,
      401,
      errorEnvelope("E0401", "UNAUTHORIZED"),
      "unauthorized",
    ],
    [
      "a conversation that does not exist",
      STATES.missingConversation,
      CREDENTIALS.validApiKey,
      404,
      errorEnvelope("E1404", "CONVERSATION_NOT_FOUND"),
      "not-found",
    ],
    [
      "Jelou failing",
      STATES.jelouFailing,
      CREDENTIALS.validApiKey,
      500,
      errorEnvelope("E0000", "UNKNOWN_ERROR"),
      "server-error",
    ],
  ] as const)("reports %s", async (title, state, key, status, body, kind) => {
    const ids = { projectId: "project-1", conversationId: `conversation-${status}` };
    await pact
      .addInteraction()
      .given(state, { ...ids })
      .uponReceiving(`a request that meets ${title}`)
      .withRequest("GET", path(ids), (b) => b.headers(apiKey(key)))
      .willRespondWith(status, (b) => b.headers(JSON_CONTENT).jsonBody(body))
      .executeTest(
        waitForRecords(pact, async (mock) => {
          const result = await clientFor(mock.url, { apiKey: key }).getConversation(ids.projectId, ids.conversationId);
          expect(result).toMatchObject({ ok: false, error: { kind, status, body: { statusMessage: "failed" } } });
        }),
      );
  });
});
