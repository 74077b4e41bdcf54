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
