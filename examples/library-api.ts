// The library API: start the fake in your test's process, steer it, read its journal, stop it.
import { startMockServer } from "fake-jelou";

const jelou = await startMockServer({ port: 0 }); // port 0: a free one; every option is listed below
const conversations = `${jelou.baseUrl}/v1/external-support/my-project/conversations`; // http://127.0.0.1:<port>/jelouapi/...
jelou.setScenario("closed"); // the server default
jelou.setConversation("my-project", "conv-9", { scenario: "not-found" });
jelou.setConversation("my-project", "conv-8", { scenario: "closed", conversation: { endedReason: "closed_by_user" } });
const response = await fetch(`${conversations}/conv-9`, { headers: { "x-api-key": "any" } });
console.log(response.status, jelou.requests().length); // 404 1 (the journal: one request)
jelou.reset(); // back to the startup state: default scenario, no rules, empty journal
await jelou.close();
