// A Jest test against the fake started in globalSetup, through the typed client.
const { createJelouClient } = require("fake-jelou/client");

const jelou = createJelouClient({ baseUrl: process.env.JELOU_BASE_URL, apiKey: "any-key" });

test("a closed conversation has an end", async () => {
  const result = await jelou.getConversation("my-project", "closed-1");
  expect(result.ok && result.conversation.state).toBe("closed");
  expect(result.ok && result.conversation.endAt).toEqual(expect.any(String));
});

test("a missing conversation is a not-found error", async () => {
  const result = await jelou.getConversation("my-project", "missing-1");
  expect(result.ok ? "ok" : result.error.kind).toBe("not-found");
});
