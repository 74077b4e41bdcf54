// The typed client of Get Conversation. Against the fake, any non-empty key passes unless it was started with keys.
import { createJelouClient } from "fake-jelou/client";

const jelou = createJelouClient({
  baseUrl: process.env.JELOU_BASE_URL ?? "http://127.0.0.1:4010/jelouapi",
  apiKey: process.env.JELOU_API_KEY ?? "any", // or basic: { clientId, clientSecret }; options: timeoutMs (10000), fetch
});
const result = await jelou.getConversation("my-project", "conv-1");
if (result.ok) {
  if (result.conversation.state === "closed") console.log(result.conversation.endAt); // string: narrowed on state
} else {
  console.log(result.error.kind, result.error.status, result.error.message);
}
