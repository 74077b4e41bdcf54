// The generated types, exported by fake-jelou/client: a conversation narrows on `state`.
import type { SchemaConversation } from "fake-jelou/client";

export function closedAt(conversation: SchemaConversation): string | undefined {
  return conversation.state === "closed" ? conversation.endAt : undefined; // endAt: string here
}
