// The client's sendMessage: the body signed with the integration's secret over the very bytes sent, on the chatbot
// host, with no gateway credential; each answer of the fake as the same result kinds as the other operations.
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createJelouClient,
  JelouClientConfigError,
  type SchemaSendMessageRequest,
  verifyJelouSignature,
} from "../../client/index.ts";
import { type MockServer, startMockServer } from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { answer, startScriptedServer } from "../helpers/scripted-server.ts";

const API_KEY = "SECRET-api-key-send";
const pair = { botId: "bot-1", userId: "user-1" };

let fake: MockServer;
beforeAll(async () => {
  fake = await startMockServer({ port: 0 });
});
afterAll(() => fake.close());

const jelou = () => createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, chatbotUrl: `${fake.url}/chatbot` });

/** A project with an integration and an active conversation: the signing secret and a text message to its user. */
async function activeConversation(projectId: string) {
  const client = jelou();
  const created = await client.createIntegration(projectId, { webhookUrl: "http://127.0.0.1:9/hook" });
  const started = await client.startConversation(projectId, pair);
  if (!created.ok || !started.ok) throw new Error("Failed to set up the conversation.");
  const body: SchemaSendMessageRequest = {
    field: "messages",
    object: "message_event",
    event_type: "incoming_message",
    project_id: projectId,
    room_id: started.conversation.roomId,
    bot_id: pair.botId,
    user_id: pair.userId,
    value: { id: "msg-1", type: "text", content: { body: "Hola María, ya revisé tu pedido." } },
  };
  return { client, secret: created.integration.signingSecret, body };
}

describe("sendMessage against the fake", () => {
  it("sends a message signed with the integration's secret and returns its id", async () => {
    const { client, secret, body } = await activeConversation("send-ok");
    expect(await client.sendMessage(body, secret)).toEqual({ ok: true, message: { id: "msg-1" } });
    const withoutId = { ...body, value: { type: "text", content: { body: "¿Algo más?" } } } as const;
    expect(await client.sendMessage(withoutId, secret)).toEqual({ ok: true, message: { id: expect.any(String) } });
  });

  it("reports another secret's signature as unauthorized, and shows neither secret", async () => {
    const { client, secret, body } = await activeConversation("send-wrong-secret");
    const result = await client.sendMessage(body, "SECRET-not-the-integrations");
    expect(result).toMatchObject({
      ok: false,
      error: { kind: "unauthorized", status: 401, body: { error: { key: "INVALID_SIGNATURE" } } },
    });
    expect(JSON.stringify(result)).not.toMatch(new RegExp(`SECRET|${secret}`));
  });

  it("reports a closed conversation as conflict", async () => {
    const { client, secret, body } = await activeConversation("send-closed");
    await client.closeConversation("send-closed", pair);
    expect(await client.sendMessage(body, secret)).toMatchObject({
      ok: false,
      error: {
        kind: "conflict",
        status: 409,
        body: { error: { key: "CONVERSATION_NOT_ACTIVE" } },
        message: expect.stringContaining("no active conversation"),
      },
    });
  });

  it("reports content that does not match its type as invalid-request, naming the field", async () => {
    const { client, secret, body } = await activeConversation("send-invalid");
    const video = { type: "image", content: { url: "https://x.test/a.mp4", mime_type: "video/mp4" } } as const;
    const result = await client.sendMessage({ ...body, value: video }, secret);
    expect(result).toMatchObject({ ok: false, error: { kind: "invalid-request", status: 422 } });
    expect(!result.ok && (result.error.body as { validationError: object }).validationError).toHaveProperty([
      "value.content.mime_type",
    ]);
  });

  it("reports a project without an integration as not-found", async () => {
    const { client, secret, body } = await activeConversation("send-deleted");
    await client.deleteIntegration("send-deleted");
    expect(await client.sendMessage(body, secret)).toMatchObject({
      ok: false,
      error: { kind: "not-found", status: 404, body: { error: { key: "INTEGRATION_NOT_FOUND" } } },
    });
  });
});

describe("sendMessage on the wire", () => {
  const body: SchemaSendMessageRequest = {
    field: "messages",
    object: "message_event",
    event_type: "incoming_message",
    project_id: "p",
    room_id: "r",
    bot_id: "b",
    user_id: "u",
    value: { id: "m", type: "text", content: { body: "" } },
  };

  it("sends exactly the bytes it signed, as JSON, with the signature and no gateway credential", async () => {
    // A text that reads differently at each serialisation (as a getter or toJSON may): only a body serialised once
    // can be both signed and sent. Its characters are ones an encoding slip would change.
    let serialised = 0;
    const content = {
      get body() {
        serialised += 1;
        return `ñ 😀 "quoted" \\ \u2028 #${serialised}`;
      },
    };
    const changing: SchemaSendMessageRequest = { ...body, value: { id: "m", type: "text", content } };
    const received: { raw: Buffer; req: IncomingMessage }[] = [];
    const receiver = await startScriptedServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push({ raw: Buffer.concat(chunks), req });
        answer(200, { message: ["Message sent successfully"], statusMessage: "success", status: 1, data: { id: "m" } })(
          req,
          res,
        );
      });
    });
    try {
      const client = createJelouClient({ baseUrl: "http://127.0.0.1:9", apiKey: API_KEY, chatbotUrl: receiver.url });
      expect(await client.sendMessage(changing, "the-secret")).toEqual({ ok: true, message: { id: "m" } });
    } finally {
      await receiver.close();
    }
    const [{ raw, req }] = received as [(typeof received)[0]];
    expect([req.method, req.url]).toEqual(["POST", "/v1/external-support/webhook"]);
    expect(verifyJelouSignature(raw, req.headers["x-jelou-signature"], "the-secret")).toBe(true);
    expect(JSON.parse(raw.toString("utf8"))).toEqual({
      ...body,
      value: { id: "m", type: "text", content: { body: 'ñ 😀 "quoted" \\ \u2028 #1' } },
    });
    expect(req.headers["content-type"]).toBe("application/json");
    expect([req.headers["x-api-key"], req.headers.authorization]).toEqual([undefined, undefined]);
  });

  it("posts to production's chatbot host by default, the spec's first server of send-message", async () => {
    const urls: string[] = [];
    const fetch = (async (input: Request) => {
      urls.push(input.url);
      return new Response("{}", { status: 500, headers: { "content-type": "application/json" } });
    }) as typeof globalThis.fetch;
    const client = createJelouClient({ baseUrl: "https://gateway.jelou.ai/jelouapi", apiKey: API_KEY, fetch });
    expect(await client.sendMessage(body, "s")).toMatchObject({ ok: false, error: { kind: "server-error" } });
    const { servers } = loadSpec().paths["/v1/external-support/webhook"] as { servers: { url: string }[] };
    expect(urls).toEqual([`${servers[0]?.url}/v1/external-support/webhook`]);
  });

  it("reports a refused connection as a network error naming the chatbot host, not the secret", async () => {
    const closed = await startScriptedServer(answer(200, {}));
    await closed.close();
    const client = createJelouClient({ baseUrl: fake.baseUrl, apiKey: API_KEY, chatbotUrl: `${closed.url}/chatbot` });
    const result = await client.sendMessage(body, "SECRET-signing");
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: "network",
        message: expect.stringContaining(`Failed to reach Jelou at ${closed.url}: ECONNREFUSED`),
      },
    });
    expect(JSON.stringify(result)).not.toContain("SECRET");
  });

  it("refuses an empty signing secret before any request", async () => {
    const calls: unknown[] = [];
    const fetch = (async (input: Request) => {
      calls.push(input);
      return new Response("{}");
    }) as typeof globalThis.fetch;
    const client = createJelouClient({ baseUrl: "http://127.0.0.1:9", apiKey: API_KEY, fetch });
    await expect(client.sendMessage(body, "")).rejects.toThrow(TypeError);
    expect(calls).toEqual([]);
  });

  it.each([
    ["a relative chatbotUrl", "/chatbot", "chatbotUrl must be an absolute http(s) URL"],
    ["a chatbotUrl with user:password@", "http://u:SECRET-pw@127.0.0.1/chatbot", "chatbotUrl must not carry"],
  ])("refuses %s with a JelouClientConfigError naming it", (_title, chatbotUrl, message) => {
    const create = () => createJelouClient({ baseUrl: "http://127.0.0.1", apiKey: API_KEY, chatbotUrl });
    expect(create).toThrow(JelouClientConfigError);
    expect(create).toThrow(message);
  });
});
