// A strict TypeScript consumer (NodeNext, exactOptionalPropertyTypes, skipLibCheck off) of all three entry points.
import { MockConfigError, type MockServer, type MockServerOptions, startMockServer } from "fake-jelou";
import { type Conversation, createJelouClient, type SchemaClosedConversation } from "fake-jelou/client";
import { createSpecValidator, loadSpec } from "fake-jelou/spec";

function endOf(conversation: Conversation): string | undefined {
  const closed: SchemaClosedConversation | undefined = conversation.state === "closed" ? conversation : undefined;
  return closed?.endAt;
}

const options: MockServerOptions = { port: 0, seed: "typed", scenario: "closed" };
const jelou: MockServer = await startMockServer(options);
try {
  const client = createJelouClient({ baseUrl: jelou.baseUrl, basic: { clientId: "id", clientSecret: "secret" } });
  const result = await client.getConversation("my-project", "conv-1");
  if (!result.ok) throw new Error(`${result.error.kind}: ${result.error.message}`);
  const raw = await fetch(`${jelou.baseUrl}/v1/external-support/my-project/conversations/conv-1`, {
    headers: { "x-api-key": "any-key" },
  });
  const validation = createSpecValidator(loadSpec()).validateResponse({
    operationId: "getConversation",
    status: raw.status,
    contentType: raw.headers.get("content-type") ?? "",
    body: await raw.json(),
  });
  console.log(endOf(result.conversation) !== undefined, validation.outcome);
} catch (error) {
  if (error instanceof MockConfigError) console.error(error.message);
  throw error;
} finally {
  await jelou.close();
}
