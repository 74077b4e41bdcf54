// A fake per test file, started in-process by the test itself (Jest's default CommonJS mode, on Node 20 too).
const { startMockServer } = require("fake-jelou");
const { createJelouClient } = require("fake-jelou/client");

let fakeJelou;
beforeAll(async () => {
  fakeJelou = await startMockServer({ port: 0, scenario: "closed" });
});
afterAll(() => fakeJelou.close());

test("the fake's default scenario applies to every conversation", async () => {
  const jelou = createJelouClient({ baseUrl: fakeJelou.baseUrl, apiKey: "any-key" });
  const result = await jelou.getConversation("my-project", "conv-1");
  expect(result.ok && result.conversation.state).toBe("closed");
});
