import { hash } from "node:crypto";
import type { Faker } from "@faker-js/faker";
import { faker as spanish } from "@faker-js/faker/locale/es_MX";
import { faker as portuguese } from "@faker-js/faker/locale/pt_BR";
import type { SchemaConversation, SchemaGetConversationResponse } from "../generated/jelou-external-support.ts";
import { type SeededRandom, seededRandom } from "./seeded-random.ts";

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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface Language {
  firstNames: readonly string[];
  lastNames: readonly string[];
  /** Surname patterns of the locale, each `weight` times: `{}` is one surname. */
  surnamePatterns: readonly string[];
  botRoles: readonly string[];
}

type PersonDefinitions = {
  first_name?: { female?: readonly string[]; male?: readonly string[]; generic?: readonly string[] };
  last_name?: { generic?: readonly string[] };
  last_name_pattern?: { generic?: readonly { value: string; weight: number }[] };
};

// Faker is the source of the locales' names, read once into plain lists: drawing from them by index costs nothing,
// where faker.person.* spends most of a body's time. The per-locale entry points load two locales (with their
// es/en/base fallbacks) instead of all of them: 6 MB instead of 35 MB.
/** The name lists of one Faker locale, checked to be in the shape the factory draws from. */
export function readLanguage(faker: Faker, botRoles: readonly string[]): Language {
  const person = faker.definitions.person as PersonDefinitions;
  const first = person.first_name ?? {};
  const firstNames = first.generic ?? [...(first.female ?? []), ...(first.male ?? [])];
  const lastNames = person.last_name?.generic ?? [];
  const patterns = person.last_name_pattern?.generic ?? [{ value: "{{person.last_name.generic}}", weight: 1 }];
  const surnamePatterns = patterns.flatMap(({ value, weight }) =>
    Array<string>(weight).fill(value.replaceAll("{{person.last_name.generic}}", "{}")),
  );
  // A Faker upgrade could bring empty lists or patterns with other tokens: refused at start, never sent in a body.
  if (firstNames.length === 0 || lastNames.length === 0 || surnamePatterns.some((p) => p.includes("{{"))) {
    throw new Error(`Faker's ${faker.rawDefinitions.metadata?.title} names are not in the shape the factory reads.`);
  }
  return { firstNames, lastNames, surnamePatterns, botRoles };
}

const SPANISH = readLanguage(spanish, ["Soporte", "Asistente", "Atención", "Ventas"]);
const PORTUGUESE = readLanguage(portuguese, ["Suporte", "Assistente", "Atendimento", "Vendas"]);

// Jelou serves Latin America: people and phone numbers come from these markets, in E.164 as WhatsApp reports them.
const MARKETS: readonly { language: Language; phone: (r: SeededRandom) => string }[] = [
  { language: SPANISH, phone: (r) => `+52${r.pick(["55", "33", "81"])}${r.digits(8)}` },
  { language: SPANISH, phone: (r) => `+573${r.digits(9)}` },
  { language: SPANISH, phone: (r) => `+5939${r.digits(8)}` },
  { language: SPANISH, phone: (r) => `+519${r.digits(8)}` },
  {
    language: PORTUGUESE,
    phone: (r) => `+55${r.pick(["11", "21", "31", "41", "51", "61", "71", "81"])}9${r.digits(8)}`,
  },
];

function surname(r: SeededRandom, lang: Language): string {
  return r.pick(lang.surnamePatterns).replaceAll("{}", () => r.pick(lang.lastNames));
}

const VARIANT = ["8", "9", "a", "b"];

/** A version 4 UUID from 32 hex digits of the digest (16 bytes), as faker.string.uuid() formats one. */
function uuidFrom(hex: string, at: number): string {
  const h = hex.slice(at, at + 32);
  const variant = VARIANT[Number.parseInt(h.charAt(16), 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
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
  // 64 bytes per (seed, projectId, conversationId): 16 seed the stream, 44 are the room, bot and user identifiers.
  const digest = hash("sha512", `${context.seed}\0${ids.projectId}\0${ids.conversationId}`, "buffer");
  const hex = digest.toString("hex");
  const r = seededRandom(
    digest.readUInt32LE(0),
    digest.readUInt32LE(4),
    digest.readUInt32LE(8),
    digest.readUInt32LE(12),
  );
  const market = MARKETS[digest.readUInt32LE(0) % MARKETS.length] as (typeof MARKETS)[number];
  const lang = market.language;

  const startAt = context.anchor - r.int(3 * HOUR, 7 * DAY);
  const createdAt = startAt - r.int(DAY, 720 * DAY);
  const user = {
    id: hex.slice(96, 120),
    names: `${r.pick(lang.firstNames)} ${surname(r, lang)}`,
    referenceId: market.phone(r),
    createdAt: new Date(createdAt).toISOString(),
  };
  const bot = {
    id: uuidFrom(hex, 64),
    name: `${r.pick(lang.botRoles)} ${surname(r, lang)}`,
    type: r.pick(context.known.botTypes),
  };
  const roomId = uuidFrom(hex, 32);
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
    endAt: new Date(startAt + r.int(2 * MINUTE, 3 * HOUR)).toISOString(),
    endedReason: r.pick(context.known.endedReasons),
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
