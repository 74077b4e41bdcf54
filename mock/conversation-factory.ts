import { createHash } from "node:crypto";
import type { Faker } from "@faker-js/faker";
import { faker as spanish } from "@faker-js/faker/locale/es_MX";
import { faker as portuguese } from "@faker-js/faker/locale/pt_BR";
import type { SchemaConversation, SchemaGetConversationResponse } from "../generated/jelou-external-support.ts";

/** The identifiers of a conversation request. */
export interface ConversationIds {
  projectId: string;
  conversationId: string;
}

export type ConversationState = SchemaConversation["state"];

/** Values the spec lists for its open sets; the factory draws from them so bodies stay inside the known values. */
export interface KnownValues {
  botTypes: readonly string[];
  endedReasons: readonly string[];
}

/** Everything a conversation depends on besides its ids and state. */
export interface FactoryContext {
  seed: string;
  known: KnownValues;
  /** Generated dates lie before this instant (ms since epoch). */
  anchor: number;
}

// One Faker per language, reseeded per call: generation is synchronous, so sharing them is safe. The per-locale
// entry points load two locales (with their es/en/base fallbacks) instead of all of them: 6 MB instead of 35 MB.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Jelou serves Latin America: people and phone numbers come from these markets, in E.164 as WhatsApp reports them.
const MARKETS = [
  { faker: spanish, phone: (f: Faker) => `+52${f.helpers.arrayElement(["55", "33", "81"])}${f.string.numeric(8)}` },
  { faker: spanish, phone: (f: Faker) => `+573${f.string.numeric(9)}` },
  { faker: spanish, phone: (f: Faker) => `+5939${f.string.numeric(8)}` },
  { faker: spanish, phone: (f: Faker) => `+519${f.string.numeric(8)}` },
  {
    faker: portuguese,
    phone: (f: Faker) =>
      `+55${f.helpers.arrayElement(["11", "21", "31", "41", "51", "61", "71", "81"])}9${f.string.numeric(8)}`,
  },
] as const;

const BOT_ROLES: Record<"es" | "pt", readonly string[]> = {
  es: ["Soporte", "Asistente", "Atención", "Ventas"],
  pt: ["Suporte", "Assistente", "Atendimento", "Vendas"],
};

/** Seeds for one conversation: the same (seed, projectId, conversationId) always yields the same numbers. */
function seedsFor(seed: string, ids: ConversationIds): number[] {
  const digest = createHash("sha256").update(`${seed}\0${ids.projectId}\0${ids.conversationId}`).digest();
  return [0, 4, 8, 12].map((offset) => digest.readUInt32LE(offset));
}

/**
 * Builds the conversation for (seed, ids, state). Everything but the closing fields is drawn before them, so the
 * active and the closed version of one conversation share their user, bot, room and start.
 */
export function buildConversation(
  context: FactoryContext,
  ids: ConversationIds,
  state: ConversationState,
): SchemaConversation {
  const seeds = seedsFor(context.seed, ids);
  const market = MARKETS[(seeds[0] ?? 0) % MARKETS.length] ?? MARKETS[0];
  const f = market.faker;
  f.seed(seeds);

  const startAt = context.anchor - f.number.int({ min: 3 * HOUR, max: 7 * DAY });
  const createdAt = startAt - f.number.int({ min: DAY, max: 720 * DAY });
  const roomId = f.string.uuid();
  const user = {
    id: f.database.mongodbObjectId(),
    // First name and surname(s), without fullName()'s occasional "Dr." or "III".
    names: `${f.person.firstName()} ${f.person.lastName()}`,
    referenceId: market.phone(f),
    createdAt: new Date(createdAt).toISOString(),
  };
  const bot = {
    id: f.string.uuid(),
    name: `${f.helpers.arrayElement(f === portuguese ? BOT_ROLES.pt : BOT_ROLES.es)} ${f.person.lastName()}`,
    type: f.helpers.arrayElement(context.known.botTypes),
  };
  const start = new Date(startAt).toISOString();
  // Keys in Jelou's order (_id, roomId, state, startAt, endAt, endedReason, User, Bot), as its example shows them.
  if (state === "active") {
    return { _id: ids.conversationId, roomId, state, startAt: start, User: user, Bot: bot };
  }
  return {
    _id: ids.conversationId,
    roomId,
    state,
    startAt: start,
    // Closed within three hours of starting; startAt is at least three hours old, so endAt is never in the future.
    endAt: new Date(startAt + f.number.int({ min: 2 * MINUTE, max: 3 * HOUR })).toISOString(),
    endedReason: f.helpers.arrayElement(context.known.endedReasons),
    User: user,
    Bot: bot,
  };
}

/** Wraps a conversation in Jelou's success envelope. */
export function successBody(conversation: SchemaConversation): SchemaGetConversationResponse {
  return {
    message: ["Conversation retrieved successfully"],
    statusMessage: "success",
    status: 1,
    data: conversation,
  };
}

/** Today's UTC midnight: the default anchor, so bodies stay the same all day and dates stay in the recent past. */
export function startOfUtcDay(now: number = Date.now()): number {
  return now - (now % DAY);
}
