// The Pact provider states the fake understands: names read as a table, then each state over the admin API's setup
// URL, checked by what the fake then answers.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { PROVIDER_STATES, parseProviderState } from "../../mock/provider-states.ts";

describe("parseProviderState", () => {
  it.each<[string, string, Record<string, unknown>, unknown]>([
    [
      "values as Pact parameters",
      "conversation {conversationId} is closed",
      { projectId: "p1", conversationId: "c1" },
      { kind: "conversation-rule", projectId: "p1", conversationId: "c1", scenario: "closed" },
    ],
    [
      "a value written in the name, the project as a parameter",
      "conversation c-9 is active",
      { projectId: "p1" },
      { kind: "conversation-rule", projectId: "p1", conversationId: "c-9", scenario: "active" },
    ],
    [
      "a parameter over the value in the name",
      "project p-name has an integration",
      { projectId: "p-param" },
      {
        kind: "integration",
        projectId: "p-param",
        webhookUrl: "https://example.com/webhook/jelou",
        authType: "no_auth",
      },
    ],
    [
      "an integration with its auth type and credential",
      "project {projectId} has an integration",
      { projectId: "p1", authType: "bearer", authorization: "tok" },
      { kind: "integration", projectId: "p1", authType: "bearer", authorization: "tok" },
    ],
    ["any letter case", "JELOU FAILS", {}, { kind: "default-scenario", scenario: "server-error" }],
    [
      "a bot and user's conversation, with the id to give it",
      "bot b1 and user u1 have an active conversation in project p1",
      { conversationId: "6790f1c2a4b5c6d7e8f90123" },
      {
        kind: "active-conversation",
        projectId: "p1",
        botId: "b1",
        userId: "u1",
        conversationId: "6790f1c2a4b5c6d7e8f90123",
      },
    ],
  ])("reads %s", (_title, state, params, want) => {
    expect(parseProviderState(state, params)).toEqual({ ok: true, action: expect.objectContaining(want as object) });
  });

  it.each<[string, string, Record<string, unknown>, string]>([
    ["an unknown state, listing the known ones", "the moon is full", {}, '"jelou fails"'],
    ["a conversation state without its project", "conversation c1 is active", {}, "needs a value for projectId"],
    [
      "a placeholder left in the name without its parameter",
      "no integration exists for project {projectId}",
      {},
      "needs a value for projectId",
    ],
  ])("refuses %s", (_title, state, params, named) => {
    const parsed = parseProviderState(state, params);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(named);
  });

  it("documents every state it understands in docs/verify-pact.md", async () => {
    const { readFileSync } = await import("node:fs");
    const doc = readFileSync(new URL("../../docs/verify-pact.md", import.meta.url), "utf8");
    for (const { name } of PROVIDER_STATES) expect(doc).toContain(`\`${name}\``);
  });
});

describe("the provider-state setup URL, POST /__admin/provider-states", () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMockServer({ port: 0 });
  });
  afterAll(() => server.close());
  afterEach(() => server.reset());

  const setup = (state: string, params: Record<string, unknown> = {}, action = "setup") =>
    fetch(`${server.url}/__admin/provider-states`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state, params, action }),
    });
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.baseUrl}/v1/external-support${path}`, {
      method,
      headers: { "x-api-key": "k", "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  it.each<[string, Record<string, unknown>, () => [string, string, unknown?], number]>([
    ["project {projectId} has an integration", { projectId: "p1" }, () => ["GET", "/p1"], 200],
    ["no integration exists for project {projectId}", { projectId: "p1" }, () => ["GET", "/p1"], 404],
    [
      "conversation {conversationId} is closed",
      { projectId: "p1", conversationId: "c1" },
      () => ["GET", "/p1/conversations/c1"],
      200,
    ],
    [
      "conversation {conversationId} does not exist",
      { projectId: "p1", conversationId: "c1" },
      () => ["GET", "/p1/conversations/c1"],
      404,
    ],
    [
      "bot {botId} and user {userId} have an active conversation in project {projectId}",
      { projectId: "p1", botId: "b", userId: "u" },
      () => ["POST", "/p1/conversations/close", { botId: "b", userId: "u" }],
      200,
    ],
    [
      "bot {botId} and user {userId} have no active conversation in project {projectId}",
      { projectId: "p1", botId: "b", userId: "u" },
      () => ["POST", "/p1/conversations/close", { botId: "b", userId: "u" }],
      404,
    ],
    [
      "bot {botId} does not exist in project {projectId}",
      { projectId: "p1", botId: "ghost" },
      () => ["POST", "/p1/conversations/start", { botId: "ghost", userId: "u2" }],
      404,
    ],
    ["jelou fails", {}, () => ["GET", "/p1"], 500],
    ["the credentials are rejected", {}, () => ["GET", "/p1/conversations/c1"], 401],
  ])("%s: the fake then answers accordingly", async (state, params, request, status) => {
    await api("POST", "/p1", { webhookUrl: "http://127.0.0.1:9/hook" }); // an integration the "no integration" state removes
    await api("POST", "/p1/conversations/start", { botId: "b", userId: "u" }); // an active one the "no active" state closes
    const res = await setup(state, params);
    expect(res.status).toBe(200);
    const [method, path, body] = request();
    expect((await api(method, path, body)).status).toBe(status);
  });

  it("leaves a started conversation readable under the id the state gave it", async () => {
    const id = "6790f1c2a4b5c6d7e8f90123";
    await setup("bot b and user u have an active conversation in project p1", { conversationId: id });
    const res = await api("GET", `/p1/conversations/${id}`);
    expect(((await res.json()) as { data: { Bot: { id: string } } }).data.Bot.id).toBe("b");
  });

  it("resets the fake on teardown, and refuses an unknown state with 400 naming the known ones", async () => {
    await setup("project p1 has an integration");
    expect((await setup("project p1 has an integration", {}, "teardown")).status).toBe(200);
    expect((await api("GET", "/p1")).status).toBe(404);
    const unknown = await setup("the moon is full");
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { key: string } }).error.key).toBe("UNKNOWN_PROVIDER_STATE");
  });

  it("offers the same through the library, throwing on an unknown state", () => {
    server.setProviderState("project {projectId} has an integration", { projectId: "p2" });
    expect(server.state().integrations.map((i) => i.projectId)).toEqual(["p2"]);
    expect(() => server.setProviderState("the moon is full")).toThrow("Unknown provider state");
  });
});
