// The sandbox's state: each project's integration and the conversations started through the API, within a byte
// budget. A plain data structure: the operations decide what changes, this keeps it consistent and bounded.
import type {
  SchemaCloseConversationRequest,
  SchemaConversation,
  SchemaCreatedIntegration,
  SchemaMessageValue,
  SchemaStartConversationRequest,
} from "../generated/jelou-external-support.ts";
import { BudgetedMap } from "./budgeted-map.ts";
import { ownString } from "./journal.ts";
import { ruleCost } from "./rules.ts";

/** A project's integration as the fake keeps it: with its secret and the credential the webhook gets. */
export interface StoredIntegration {
  projectId: string;
  integration: SchemaCreatedIntegration;
  /** The webhook's credential (`authorization` of the create or update body), when its `authType` has one. */
  authorization?: string;
}

/** One message of a conversation, as the transcript keeps it. */
export interface TranscriptMessage {
  /** `user`: the end user wrote it (the `message` event); `agent`: the panel sent it (send-message). */
  from: "user" | "agent";
  /** When the fake received it. */
  at: string;
  value: SchemaMessageValue & { id: string };
}

/** A conversation started through the API: how it was started, and what it is now. */
export interface StoredConversation {
  projectId: string;
  conversation: SchemaConversation;
  /** The body of the startConversation that created it. */
  start: SchemaStartConversationRequest;
  /** The body of the closeConversation that closed it, once closed through the API. */
  close?: SchemaCloseConversationRequest;
  /** The messages of both directions, in the order received, once there is one. */
  messages?: TranscriptMessage[];
}

/** The whole state as the admin API exports it and accepts it back. */
export interface StateDocument {
  integrations: StoredIntegration[];
  conversations: StoredConversation[];
}

/** Why the state refused a change. */
export type StateRefusal = "budget";

// JSON keeps the parts apart whatever characters they hold, NUL included.
const key = (...parts: string[]) => JSON.stringify(parts);

/**
 * Integrations by project, conversations by project and id, and the active conversation of each bot and user in a
 * project, within one byte budget for both (each record charged as rules are: its JSON plus 64 bytes per value).
 */
export class SandboxState {
  readonly budgetBytes: number;
  // One map for both kinds, so that they share the budget: keys say the kind.
  readonly #records: BudgetedMap<StoredIntegration | StoredConversation>;
  #active = new Map<string, string>();
  #integrations = 0;
  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
    this.#records = new BudgetedMap<StoredIntegration | StoredConversation>(
      Number.POSITIVE_INFINITY,
      budgetBytes,
      ruleCost,
    );
  }

  /** The bytes the state counts now. */
  get bytes(): number {
    return this.#records.bytes;
  }
  integration(projectId: string): StoredIntegration | undefined {
    return this.#records.get(key("integration", projectId)) as StoredIntegration | undefined;
  }
  /** Stores (a copy of) a project's integration, or replaces it; refused when the budget would be exceeded. */
  putIntegration(record: StoredIntegration): { ok: true } | { ok: false; refused: StateRefusal } {
    // A copy: a caller's object changed later must not change the state behind its validation and its budget.
    const owned = { ...structuredClone(record), projectId: ownString(record.projectId) };
    const existed = this.integration(owned.projectId) !== undefined;
    const result = this.#records.set(key("integration", owned.projectId), owned);
    if (!result.ok) return { ok: false, refused: "budget" };
    if (!existed) this.#integrations++;
    return { ok: true };
  }
  deleteIntegration(projectId: string): boolean {
    const deleted = this.#records.delete(key("integration", projectId));
    if (deleted) this.#integrations--;
    return deleted;
  }

  conversation(projectId: string, conversationId: string): StoredConversation | undefined {
    // Asked by every Get Conversation: with nothing started, the answer costs no key.
    if (this.#records.size === this.#integrations) return undefined;
    return this.#records.get(key("conversation", projectId, conversationId)) as StoredConversation | undefined;
  }
  /** The active conversation of a bot and user in a project, if any. */
  activeConversation(projectId: string, botId: string, userId: string): StoredConversation | undefined {
    const id = this.#active.get(key(projectId, botId, userId));
    const record = id === undefined ? undefined : (this.#records.get(id) as StoredConversation | undefined);
    return record?.conversation.state === "active" ? record : undefined;
  }
  /**
   * Stores or replaces a conversation, and keeps the index of active ones right. The caller ensures a bot and user
   * has one active conversation at most; refused when the budget would be exceeded.
   */
  putConversation(record: StoredConversation): { ok: true } | { ok: false; refused: StateRefusal } {
    const owned = { ...structuredClone(record), projectId: ownString(record.projectId) };
    const id = key("conversation", owned.projectId, owned.conversation._id);
    const previous = this.#records.get(id) as StoredConversation | undefined;
    if (!this.#records.set(id, owned).ok) return { ok: false, refused: "budget" };
    // A record replaced by one of another bot or user no longer speaks for its old pair.
    if (previous) {
      const old = key(previous.projectId, previous.start.botId, previous.start.userId);
      if (this.#active.get(old) === id) this.#active.delete(old);
    }
    const pair = key(owned.projectId, owned.start.botId, owned.start.userId);
    if (owned.conversation.state === "active") this.#active.set(pair, id);
    else if (this.#active.get(pair) === id) this.#active.delete(pair);
    return { ok: true };
  }

  /**
   * Adds (a copy of) a message to a stored conversation's transcript, charging the budget the message alone: a long
   * transcript costs each new message no more than the first. Refused when the budget has no room for it.
   */
  appendMessage(
    projectId: string,
    conversationId: string,
    message: TranscriptMessage,
  ): { ok: true } | { ok: false; refused: StateRefusal } {
    const id = key("conversation", projectId, conversationId);
    const record = this.#records.get(id) as StoredConversation | undefined;
    if (!record || !this.#records.grow(id, ruleCost(message)).ok) return { ok: false, refused: "budget" };
    record.messages ??= [];
    record.messages.push(structuredClone(message));
    return { ok: true };
  }

  /** A copy of the whole state, integrations then conversations, each in the order first stored. */
  export(): StateDocument {
    const records = structuredClone([...this.#records.values()]);
    return {
      integrations: records.filter((r): r is StoredIntegration => "integration" in r),
      conversations: records.filter((r): r is StoredConversation => "conversation" in r),
    };
  }
  /**
   * What a watcher lists: the newest `limit` integrations (secrets included: the caller removes them) and the newest
   * `limit` conversations with their transcripts' lengths, without copying the transcripts.
   */
  overview(limit: number): {
    integrations: StoredIntegration[];
    conversations: { projectId: string; conversation: SchemaConversation; messages: number }[];
    truncated: boolean;
  } {
    const integrations: StoredIntegration[] = [];
    const conversations: { projectId: string; conversation: SchemaConversation; messages: number }[] = [];
    const records = [...this.#records.values()];
    for (let i = records.length - 1; i >= 0; i--) {
      const record = records[i] as StoredIntegration | StoredConversation;
      if ("integration" in record) {
        if (integrations.length < limit) integrations.push(structuredClone(record));
      } else if (conversations.length < limit) {
        const { projectId, conversation, messages } = record;
        conversations.push({ projectId, conversation: structuredClone(conversation), messages: messages?.length ?? 0 });
      }
    }
    const { counts } = this;
    const truncated = conversations.length < counts.conversations || integrations.length < counts.integrations;
    return { integrations, conversations, truncated };
  }
  /** Empties the state. */
  clear(): void {
    this.#records.clear();
    this.#active.clear();
    this.#integrations = 0;
  }
  get counts(): { integrations: number; conversations: number } {
    return { integrations: this.#integrations, conversations: this.#records.size - this.#integrations };
  }
}
