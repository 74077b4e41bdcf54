// Reads a state document (`PUT /__admin/state`, `--state <file>`, `loadState`): every record against the spec's own
// schemas, then what the schemas cannot say (one integration per project, ids that agree, one active conversation
// per bot and user). The first problem is named by its field.
import { type SchemaName, type SchemaViolation, violationField } from "../spec/schema-validator.ts";
import { nestingDepth } from "./json-depth.ts";
import { MAX_BODY_DEPTH } from "./limits.ts";
import type { StateDocument, StoredConversation, StoredIntegration } from "./state.ts";

// A record sits three levels down (document, list, record), and its parts as deep as a request body may.
const MAX_STATE_DEPTH = MAX_BODY_DEPTH + 3;

/** The first problem of a state document: the field (a dotted path) and why. */
export interface StateDocumentError {
  field: string;
  message: string;
}

type Validate = (name: SchemaName, value: unknown) => SchemaViolation[];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The document as the state keeps it, or the first problem found. */
export function parseStateDocument(
  value: unknown,
  validate: Validate,
): { ok: true; state: StateDocument } | { ok: false; error: StateDocumentError } {
  const fail = (field: string, message: string) => ({ ok: false as const, error: { field, message } });
  if (!isObject(value)) {
    return fail("state", 'The state must be a JSON object: {"integrations": [...], "conversations": [...]}.');
  }
  // Refused before anything walks it: the validator, the byte count and JSON.stringify all recurse.
  if (nestingDepth(value, MAX_STATE_DEPTH) > MAX_STATE_DEPTH) {
    return fail("state", `The state nests deeper than ${MAX_STATE_DEPTH} levels (a conversation's metadata included).`);
  }
  const unknown = Object.keys(value).find((key) => key !== "integrations" && key !== "conversations");
  if (unknown !== undefined) {
    return fail(unknown, `Unknown field "${unknown.slice(0, 100)}": a state has integrations and conversations.`);
  }
  const integrations = value.integrations ?? [];
  const conversations = value.conversations ?? [];
  if (!Array.isArray(integrations)) return fail("integrations", "integrations must be an array.");
  if (!Array.isArray(conversations)) return fail("conversations", "conversations must be an array.");

  const projects = new Set<string>();
  for (const [i, record] of integrations.entries()) {
    const at = `integrations.${i}`;
    const problem = recordProblem(record, at, ["projectId", "integration", "authorization"], validate, {
      integration: "CreatedIntegration",
      authorization: "WebhookAuthorization",
    });
    if (problem) return { ok: false, error: problem };
    const { projectId, integration } = record as unknown as StoredIntegration;
    if (integration.brainId !== projectId) {
      return fail(`${at}.integration.brainId`, "integration.brainId must be the record's projectId.");
    }
    if (projects.has(projectId)) return fail(`${at}.projectId`, `project "${projectId}" has two integrations.`);
    projects.add(projectId);
  }

  const ids = new Set<string>();
  const active = new Set<string>();
  for (const [i, record] of conversations.entries()) {
    const at = `conversations.${i}`;
    const problem = recordProblem(record, at, ["projectId", "conversation", "start", "close", "messages"], validate, {
      conversation: "Conversation",
      start: "StartConversationRequest",
      close: "CloseConversationRequest",
    });
    if (problem) return { ok: false, error: problem };
    const messagesProblem = transcriptProblem((record as { messages?: unknown }).messages, `${at}.messages`, validate);
    if (messagesProblem) return { ok: false, error: messagesProblem };
    const { projectId, conversation, start } = record as unknown as StoredConversation;
    if (conversation.Bot.id !== start.botId) {
      return fail(`${at}.conversation.Bot.id`, "conversation.Bot.id must be start.botId.");
    }
    if (conversation.User.id !== start.userId) {
      return fail(`${at}.conversation.User.id`, "conversation.User.id must be start.userId.");
    }
    const id = JSON.stringify([projectId, conversation._id]);
    if (ids.has(id)) return fail(`${at}.conversation._id`, `conversation "${conversation._id}" appears twice.`);
    ids.add(id);
    const pair = JSON.stringify([projectId, start.botId, start.userId]);
    if (conversation.state === "active") {
      if (active.has(pair)) {
        return fail(`${at}.conversation.state`, "a bot and user may have one active conversation in a project.");
      }
      active.add(pair);
    }
  }
  return {
    ok: true,
    state: {
      integrations: integrations as StoredIntegration[],
      conversations: conversations as StoredConversation[],
    },
  };
}

// One record: an object with a non-empty projectId, only the known fields, each valid against its spec schema.
function recordProblem(
  record: unknown,
  at: string,
  fields: readonly string[],
  validate: Validate,
  schemas: Record<string, SchemaName>,
): StateDocumentError | undefined {
  if (!isObject(record)) return { field: at, message: `${at} must be an object.` };
  const unknown = Object.keys(record).find((key) => !fields.includes(key));
  if (unknown !== undefined) {
    return { field: `${at}.${unknown}`, message: `Unknown field "${unknown.slice(0, 100)}" in ${at}.` };
  }
  if (typeof record.projectId !== "string" || record.projectId === "") {
    return { field: `${at}.projectId`, message: `${at}.projectId must be a non-empty string.` };
  }
  for (const [field, schema] of Object.entries(schemas)) {
    const required = field !== "authorization" && field !== "close";
    if (record[field] === undefined) {
      if (required) return { field: `${at}.${field}`, message: `${at}.${field} is required.` };
      continue;
    }
    const violation = validate(schema, record[field])[0];
    if (violation) {
      const path = [`${at}.${field}`, violationField(violation)].filter(Boolean).join(".");
      return { field: path, message: `${path} ${violation.message}.` };
    }
  }
  return undefined;
}

// A transcript: a list of messages, each from the user or the agent, when, and a message value with its id.
function transcriptProblem(messages: unknown, at: string, validate: Validate): StateDocumentError | undefined {
  if (messages === undefined) return undefined;
  if (!Array.isArray(messages)) return { field: at, message: `${at} must be an array.` };
  for (const [i, message] of messages.entries()) {
    const here = `${at}.${i}`;
    if (!isObject(message)) return { field: here, message: `${here} must be an object.` };
    const unknown = Object.keys(message).find((key) => !["from", "at", "value"].includes(key));
    if (unknown !== undefined) {
      return { field: `${here}.${unknown}`, message: `Unknown field "${unknown.slice(0, 100)}" in ${here}.` };
    }
    if (message.from !== "user" && message.from !== "agent") {
      return { field: `${here}.from`, message: `${here}.from must be "user" or "agent".` };
    }
    if (typeof message.at !== "string" || Number.isNaN(Date.parse(message.at))) {
      return { field: `${here}.at`, message: `${here}.at must be an ISO-8601 date-time.` };
    }
    const value = message.value;
    if (!isObject(value) || typeof value.id !== "string" || value.id === "") {
      return { field: `${here}.value.id`, message: `${here}.value.id must be a non-empty string.` };
    }
    const violation = validate("MessageValue", value).find((v) => !["oneOf", "allOf"].includes(v.keyword));
    if (violation) {
      const path = [`${here}.value`, violationField(violation)].filter(Boolean).join(".");
      return { field: path, message: `${path} ${violation.message}.` };
    }
  }
  return undefined;
}
