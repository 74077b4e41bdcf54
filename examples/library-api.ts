// The library API: start the fake in your test's process, steer it, read its journal and its webhooks, stop it.
import { once } from "node:events";
import { createServer } from "node:http";
import { startMockServer } from "fake-jelou";

const jelou = await startMockServer({ port: 0 }); // port 0: a free one; every option is listed below
const conversations = `${jelou.baseUrl}/v1/external-support/my-project/conversations`; // http://127.0.0.1:<port>/jelouapi/...
jelou.setScenario("closed"); // the server default
jelou.setConversation("my-project", "conv-9", { scenario: "not-found" });
jelou.setConversation("my-project", "conv-8", { scenario: "closed", conversation: { endedReason: "closed_by_user" } });
const response = await fetch(`${conversations}/conv-9`, { headers: { "x-api-key": "any" } });
console.log(response.status, jelou.requests().length); // 404 1 (the journal: one request)
jelou.reset(); // back to the startup state: default scenario, no rules, empty journal, state and deliveries

// Webhooks: your receiver gets the signed events; await them rather than sleeping.
const receiver = createServer((req, res) => req.resume().on("end", () => res.end())).listen(0, "127.0.0.1");
await once(receiver, "listening");
const webhookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
const call = (path: string, body: unknown) =>
  fetch(`${jelou.baseUrl}/v1/external-support/my-project${path}`, {
    method: "POST",
    headers: { "x-api-key": "any", "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((res) => res.json() as Promise<{ data: { _id: string } }>);
await call("", { webhookUrl }); // the integration
const started = await call("/conversations/start", { botId: "bot-1", userId: "user-1" });
const start = await jelou.waitForDelivery((d) => d.event === "conversation.start"); // within 5 s, else it rejects
jelou.sendUserMessage("my-project", started.data._id, { type: "text", content: { body: "Hola" } }); // fires `message`
await jelou.waitForDelivery((d) => d.event === "message");
jelou.redeliver(start.id); // the same bytes and signature again
jelou.setWebhookFault("bad-signature", "my-project"); // the next events of this project: a wrong signature
console.log(start.outcome, jelou.transcript("my-project", started.data._id).length); // delivered 1
receiver.close();
await jelou.close();
