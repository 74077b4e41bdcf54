// Conformance of the fake through Prism's validation proxy: Prism, not our own validator, judges every scenario.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../mock/index.ts";
import { SPEC_PATH } from "../spec/load-spec.ts";
import { type PrismProcess, startPrismProxy } from "../test/helpers/prism.ts";
import { answer, type ScriptedServer, startScriptedServer } from "../test/helpers/scripted-server.ts";

const path = "/v1/external-support/project-1/conversations/conversation-1";
const apiKey = { "x-api-key": "any-key" };
const basic = { Authorization: `Basic ${Buffer.from("client:secret").toString("base64")}` };

let fake: MockServer;
let proxy: PrismProcess;
beforeAll(async () => {
  fake = await startMockServer({ port: 0 });
  proxy = await startPrismProxy(SPEC_PATH, fake.url);
});
afterAll(async () => {
  await proxy?.stop();
  await fake?.close();
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
