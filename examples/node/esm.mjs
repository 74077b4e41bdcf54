// Plain Node, ESM: start the fake in-process and read a conversation from it.
import { startMockServer } from "fake-jelou";

const jelou = await startMockServer({ port: 0 });
const response = await fetch(`${jelou.baseUrl}/v1/external-support/my-project/conversations/conv-1`, {
  headers: { "x-api-key": "any-key" },
});
const body = await response.json();
console.log(response.status, body.data.state); // 200 active
await jelou.close();
