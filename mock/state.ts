// The sandbox's state: each project's integration and the conversations started through the API, within a byte
// budget. A plain data structure: the operations decide what changes, this keeps it consistent and bounded.
import type {
  SchemaCloseConversationRequest,
  SchemaConversation,
  SchemaCreatedIntegration,
  SchemaStartConversationRequest,
} from "../generated/jelou-external-support.ts";
import { ownString } from "./journal.ts";
import { ruleCost } from "./rules.ts";

/** A project's integration as the fake keeps it: with its secret and the credential the webhook gets. */
export interface StoredIntegration {
  projectId: string;
  integration: SchemaCreatedIntegration;
  /** The webhook's credential (`authorization` of the create or update body), when its `authType` has one. */
  authorization?: string;
}

/** A conversation started through the API: how it was started, and what it is now. */
export interface StoredConversation {
  projectId: string;
  conversation: SchemaConversation;
  /** The body of the startConversation that created it. */
  start: SchemaStartConversationRequest;
  /** The body of the closeConversation that closed it, once closed through the API. */
  close?: SchemaCloseConversationRequest;
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
 * project, within `budgetBytes` (each record charged as rules are: its JSON plus 64 bytes per value).
 */
export class SandboxState {
  readonly budgetBytes: number;
  #integrations = new Map<string, { record: StoredIntegration; bytes: number }>();
  #conversations = new Map<string, { record: StoredConversation; bytes: number }>();
  #active = new Map<string, string>();
  #bytes = 0;
  constructor(budgetBytes: number) {
    this.budgetBytes = budgetBytes;
  }

  /** The bytes the state counts now. */
  get bytes(): number {
    return this.#bytes;
  }
  integration(projectId: string): StoredIntegration | undefined {
    return this.#integrations.get(projectId)?.record;
  }
  /** Stores or replaces a project's integration; refused when the budget would be exceeded. */
  putIntegration(record: StoredIntegration): { ok: true } | { ok: false; refused: StateRefusal } {
    const owned = { ...record, projectId: ownString(record.projectId) };
    const previous = this.#integrations.get(owned.projectId);
    const bytes = ruleCost(owned);
    if (this.#bytes - (previous?.bytes ?? 0) + bytes > this.budgetBytes) return { ok: false, refused: "budget" };
    this.#integrations.set(owned.projectId, { record: owned, bytes });
    this.#bytes += bytes - (previous?.bytes ?? 0);
    return { ok: true };
  }
  deleteIntegration(projectId: string): boolean {
    const entry = this.#integrations.get(projectId);
    if (!entry) return false;
    this.#bytes -= entry.bytes;
    return this.#integrations.delete(projectId);
  }

  conversation(projectId: string, conversationId: string): StoredConversation | undefined {
    // Every Get Conversation asks: without started conversations, the answer costs no key.
    if (this.#conversations.size === 0) return undefined;
    return this.#conversations.get(key(projectId, conversationId))?.record;
  }
  /** The active conversation of a bot and user in a project, if any. */
  activeConversation(projectId: string, botId: string, userId: string): StoredConversation | undefined {
    const id = this.#active.get(key(projectId, botId, userId));
    return id === undefined ? undefined : this.#conversations.get(id)?.record;
  }
  /**
   * Stores or replaces a conversation, and keeps the index of active ones right. The caller ensures a bot and user
   * has one active conversation at most; refused when the budget would be exceeded.
   */
  putConversation(record: StoredConversation): { ok: true } | { ok: false; refused: StateRefusal } {
    const owned = { ...record, projectId: ownString(record.projectId) };
    const id = key(owned.projectId, owned.conversation._id);
    const previous = this.#conversations.get(id);
    const bytes = ruleCost(owned);
    if (this.#bytes - (previous?.bytes ?? 0) + bytes > this.budgetBytes) return { ok: false, refused: "budget" };
    this.#conversations.set(id, { record: owned, bytes });
    this.#bytes += bytes - (previous?.bytes ?? 0);
    const pair = key(owned.projectId, owned.start.botId, owned.start.userId);
    if (owned.conversation.state === "active") this.#active.set(pair, id);
    else if (this.#active.get(pair) === id) this.#active.delete(pair);
    return { ok: true };
  }

  /** The whole state, integrations then conversations, each in the order first stored. */
  export(): StateDocument {
    return {
      integrations: [...this.#integrations.values()].map(({ record }) => record),
      conversations: [...this.#conversations.values()].map(({ record }) => record),
    };
  }
  /** Empties the state. */
  clear(): void {
    this.#integrations.clear();
    this.#conversations.clear();
    this.#active.clear();
    this.#bytes = 0;
  }
  get counts(): { integrations: number; conversations: number } {
    return { integrations: this.#integrations.size, conversations: this.#conversations.size };
  }
}
