// A conversation's transcript: the messages of both directions, kept with the conversation in the sandbox's state.
import type { SchemaMessageValue } from "../../generated/jelou-external-support.ts";
import type { StoredConversation, TranscriptMessage } from "../state.ts";
import type { StoreResult, World } from "../world.ts";
import { iso, newObjectId } from "./replies.ts";

/** Adds a message to the conversation's transcript, with its own id or a new one; refused by a full state budget. */
export function recordMessage(
  world: World,
  stored: StoredConversation,
  from: TranscriptMessage["from"],
  value: SchemaMessageValue,
  now: number,
): { ok: true; message: TranscriptMessage } | (StoreResult & { ok: false }) {
  const message: TranscriptMessage = { from, at: iso(now), value: { ...value, id: value.id ?? newObjectId() } };
  const result = world.appendMessage(stored.projectId, stored.conversation._id, message);
  return result.ok ? { ok: true, message } : result;
}
