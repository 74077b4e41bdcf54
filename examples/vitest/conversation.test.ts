// A vitest test against the fake that vitest.global-setup.ts started, with no special config for fake-jelou.
import { createJelouClient } from "fake-jelou/client";
import { expect, inject, test } from "vitest";

const jelou = createJelouClient({ baseUrl: inject("jelouBaseUrl"), apiKey: "any-key" });

test("a closed conversation has an end", async () => {
  const result = await jelou.getConversation("my-project", "closed-1");
  expect(result.ok && result.conversation.state).toBe("closed");
});
