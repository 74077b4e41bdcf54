// Plain Node, CommonJS: the same with require(), and the typed client.
const { startMockServer } = require("fake-jelou");
const { createJelouClient } = require("fake-jelou/client");

async function main() {
  const jelou = await startMockServer({ port: 0 });
  const client = createJelouClient({ baseUrl: jelou.baseUrl, apiKey: "any-key" });
  const result = await client.getConversation("my-project", "closed-1");
  console.log(result.ok && result.conversation.state); // closed
  await jelou.close();
}
main();
