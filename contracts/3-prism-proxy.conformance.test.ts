// Conformance of the fake through Prism's validation proxy: Prism, not our own validator, judges every scenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJelouClient, type JelouClient, type SchemaSendMessageRequest } from "../client/index.ts";
import { type MockServer, type OperationRule, type Scenario, startMockServer } from "../mock/index.ts";
import { SPEC_PATH } from "../spec/load-spec.ts";
import { type PrismProcess, startPrismProxy } from "../test/helpers/prism.ts";
import { answer, type ScriptedServer, startScriptedServer } from "../test/helpers/scripted-server.ts";

const path = "/v1/external-support/project-1/conversations/conversation-1";
const apiKey = { "x-api-key": "any-key" };
const basic = { Authorization: `Basic ${Buffer.from("client:secret").toString("base64")}` };

let fake: MockServer;
let proxy: PrismProcess;
let chatbotProxy: PrismProcess;
beforeAll(async () => {
  fake = await startMockServer({ port: 0 });
  // Prism routes on the request path alone (it strips no server's base path: /chatbot/v1/... matches no operation)
  // and forwards to its upstream plus that path. Send-message, which the fake serves under /chatbot only, so needs a
  // proxy whose upstream ends in /chatbot; through the gateway's proxy it would reach Create integration of the
  // project "webhook", whose 401 satisfies send-message's declared 401 without a violation.
  [proxy, chatbotProxy] = await Promise.all([
    startPrismProxy(SPEC_PATH, fake.url),
    startPrismProxy(SPEC_PATH, `${fake.url}/chatbot`),
  ]);
});
afterAll(async () => {
  await Promise.all([proxy?.stop(), chatbotProxy?.stop()]);
  await fake?.close();
});

/** A send-message rule of the fake for project-1: `scenario` once the signature passes. */
const scenarioOf = (scenario: Scenario): OperationRule => ({
  operationId: "sendMessage",
  projectId: "project-1",
  scenario,
});

/** A request through the proxy; Prism lists any violation of the spec in `sl-violations`. */
async function throughProxy(url: string, headers: Record<string, string>) {
  const response = await fetch(`${url}${path}`, { headers });
  return { status: response.status, violations: response.headers.get("sl-violations"), body: await response.text() };
}

describe("the fake through `prism proxy --errors`", () => {
  const cases = ["active", "closed", "unauthorized", "not-found", "server-error"].flatMap((scenario) => [
    [scenario, "an API key", apiKey] as const,
    [scenario, "HTTP Basic", basic] as const,
  ]);
  const statusOf: Record<string, number> = {
    active: 200,
    closed: 200,
    unauthorized: 401,
    "not-found": 404,
    "server-error": 500,
  };

  it.each(cases)("serves %s, authenticated with %s, without a violation", async (scenario, _auth, credentials) => {
    const reply = await throughProxy(proxy.url, { ...credentials, "X-Fake-Jelou-Scenario": scenario });
    expect(reply.violations, `Prism found violations: ${reply.violations}\n${reply.body}`).toBeNull();
    expect(reply.status).toBe(statusOf[scenario]);
  });

  // Every other operation: its success (the fake put in the state it needs first) and each error it declares.
  const ops = [
    [
      "createIntegration",
      "POST",
      "",
      { webhookUrl: "https://panel.example.com/jelou" },
      "no integration exists for project {projectId}",
      ["unauthorized", "conflict", "validation-error", "server-error"],
    ],
    [
      "getIntegration",
      "GET",
      "",
      undefined,
      "project {projectId} has an integration",
      ["unauthorized", "not-found", "server-error"],
    ],
    [
      "updateIntegration",
      "PATCH",
      "",
      { webhookUrl: "https://panel.example.com/v2" },
      "project {projectId} has an integration",
      ["unauthorized", "not-found", "validation-error", "server-error"],
    ],
    [
      "deleteIntegration",
      "DELETE",
      "",
      undefined,
      "project {projectId} has an integration",
      ["unauthorized", "not-found", "server-error"],
    ],
    [
      "startConversation",
      "POST",
      "/conversations/start",
      { botId: "b", userId: "u" },
      "bot b and user u have no active conversation in project {projectId}",
      ["unauthorized", "not-found", "conflict", "validation-error", "server-error"],
    ],
    [
      "closeConversation",
      "POST",
      "/conversations/close",
      { botId: "b", userId: "u" },
      "bot b and user u have an active conversation in project {projectId}",
      ["unauthorized", "not-found", "validation-error", "server-error"],
    ],
  ] as const;
  const runs = ops.flatMap(([operation, method, suffix, body, state, errors]) =>
    [undefined, ...errors].map(
      (scenario) => [operation, scenario ?? "its success", method, suffix, body, state, scenario] as const,
    ),
  );

  it.each(runs)(
    "serves %s, %s, without a violation",
    async (_operation, _title, method, suffix, body, state, scenario) => {
      fake.reset();
      fake.setProviderState(state, { projectId: "project-1" });
      const response = await fetch(`${proxy.url}/v1/external-support/project-1${suffix}`, {
        method,
        headers: {
          ...apiKey,
          ...(body && { "content-type": "application/json" }),
          ...(scenario && { "X-Fake-Jelou-Scenario": scenario }),
        },
        ...(body && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      const violations = response.headers.get("sl-violations");
      expect(violations, `Prism found violations: ${violations}\n${text}`).toBeNull();
      expect(response.status < 300).toBe(scenario === undefined);
    },
  );

  describe("send-message, sent by the client through the chatbot's proxy", () => {
    /** What Prism made of one answer: its violations, and whether it answered itself (an invalid request). */
    interface Verdict {
      violations: string | null;
      answeredByPrism: boolean;
    }

    const pair = { botId: "b", userId: "u" };

    /**
     * The client, every request through a proxy, and Prism's verdict on each answer; project-1 with an integration and
     * an active conversation, and a message to it. Prism refuses a request it finds invalid itself, with a
     * problem+json 422 and no `sl-violations`: that header alone would not tell.
     */
    async function clientThroughPrism() {
      const verdicts: Verdict[] = [];
      const fetch = (async (request: Request) => {
        const response = await globalThis.fetch(request);
        verdicts.push({
          violations: response.headers.get("sl-violations"),
          answeredByPrism: response.headers.get("content-type")?.startsWith("application/problem+json") ?? false,
        });
        return response;
      }) as typeof globalThis.fetch;
      const client = createJelouClient({ baseUrl: proxy.url, apiKey: "any-key", chatbotUrl: chatbotProxy.url, fetch });
      const created = await client.createIntegration("project-1", { webhookUrl: "https://panel.example.com/jelou" });
      const started = await client.startConversation("project-1", pair);
      if (!created.ok || !started.ok) throw new Error("Failed to set up a conversation through Prism.");
      const body: SchemaSendMessageRequest = {
        field: "messages",
        object: "message_event",
        event_type: "incoming_message",
        project_id: "project-1",
        room_id: started.conversation.roomId,
        bot_id: pair.botId,
        user_id: pair.userId,
        value: { type: "text", content: { body: "Hola María, ya revisé tu pedido." } },
      };
      return { client, verdicts, secret: created.integration.signingSecret, body };
    }

    // Every status send-message declares, each the fake's own answer to a request Prism found valid: what to do
    // before sending, and the secret to sign with when not the integration's.
    const cases: [string, number, (client: JelouClient) => unknown, string?][] = [
      // Prism forwards JSON.stringify of the body it parsed: the client's compact bytes survive that, so the
      // signature still holds (a body sent with other spacing would arrive re-serialised, and be refused).
      ["its success", 200, () => undefined],
      ["unauthorized (another secret)", 401, () => undefined, "not-the-integration-secret"],
      ["not-found (no integration)", 404, (client) => client.deleteIntegration("project-1")],
      ["conflict (a closed conversation)", 409, (client) => client.closeConversation("project-1", pair)],
      ["validation-error", 422, () => fake.setOperation(scenarioOf("validation-error"))],
      ["server-error", 500, () => fake.setOperation(scenarioOf("server-error"))],
    ];

    it.each(cases)("serves %s without a violation", async (_title, status, arrange, otherSecret) => {
      fake.reset();
      const { client, verdicts, secret, body } = await clientThroughPrism();
      await arrange(client);
      const result = await client.sendMessage(body, otherSecret ?? secret);
      expect(verdicts).toEqual(verdicts.map(() => ({ violations: null, answeredByPrism: false })));
      expect(result.ok ? 200 : result.error.status).toBe(status);
      expect(fake.requests().filter((r) => r.operation === "sendMessage")).toHaveLength(1);
    });

    it("reports a body Prism finds invalid, which never reaches the fake, so this check can fail", async () => {
      fake.reset();
      const { client, verdicts, secret, body } = await clientThroughPrism();
      const video = { type: "image", content: { url: "https://x.test/a.mp4", mime_type: "video/mp4" } } as const;
      const result = await client.sendMessage({ ...body, value: video }, secret);
      expect(result).toMatchObject({ ok: false, error: { status: 422 } });
      expect(verdicts.at(-1)).toEqual({ violations: null, answeredByPrism: true });
      expect(fake.requests().filter((r) => r.operation === "sendMessage")).toEqual([]);
    });
  });

  describe("in front of a provider that breaks the spec", () => {
    let drifted: ScriptedServer;
    let strictProxy: PrismProcess;
    beforeAll(async () => {
      const active = { _id: "c", roomId: "r", state: "active", startAt: "2026-01-15T10:30:00.000Z" };
      drifted = await startScriptedServer(
        answer(200, {
          message: ["ok"],
          statusMessage: "success",
          status: 1,
          data: { ...active, endAt: "2026-01-15T10:45:00.000Z" },
        }),
      );
      strictProxy = await startPrismProxy(SPEC_PATH, drifted.url);
    });
    afterAll(async () => {
      await strictProxy?.stop();
      await drifted?.close();
    });

    it("reports the violation, so this check can fail", async () => {
      const reply = await throughProxy(strictProxy.url, apiKey);
      expect(reply.status).toBe(500);
      expect(reply.violations).toContain("Response body property data.endAt boolean schema is false");
      expect(reply.violations).toContain("Response body property data must have required property 'Bot'");
    });
  });
});
