// The generated types, inside the clone: a conversation narrows on `state`.
import type { SchemaConversation } from "../generated/jelou-external-support.ts";

export function closedAt(conversation: SchemaConversation): string | undefined {
  return conversation.state === "closed" ? conversation.endAt : undefined; // endAt: string here
}
