import { createHash } from "node:crypto";
import type { Faker } from "@faker-js/faker";
import { describe, expect, it } from "vitest";
import {
  buildConversation,
  type ConversationIds,
  type FactoryContext,
  readLanguage,
  startOfUtcDay,
} from "../../mock/conversation-factory.ts";
import { readMockSpecData } from "../../mock/spec-data.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, formatViolations } from "../../spec/schema-validator.ts";

const spec = loadSpec();
const validator = createSpecValidator(spec);
const known = readMockSpecData(spec).known;
const anchor = Date.parse("2026-11-25T00:00:00.000Z");
const context: FactoryContext = { seed: "fake-jelou", known, anchor };
const ids = (n: number): ConversationIds => ({ projectId: `project-${n % 7}`, conversationId: `conv-${n}` });
const many = Array.from({ length: 300 }, (_, n) => ids(n));
const HOUR = 3_600_000;

describe("buildConversation", () => {
  // The generated data is part of what users rely on (a seed gives the same bodies in every release): a change to
  // the generator that moves any of these is a breaking change, to be made on purpose and said in CHANGELOG.md.
  it.each([
    ["fake-jelou", "my-project", "conv-1", "active", "05e412d6de8314cb"],
    ["fake-jelou", "my-project", "conv-1", "closed", "b6e038d623106768"],
    ["ci-42", "project-x", "conv-9", "closed", "5bd003476574faa4"],
    ["fake-jelou", "p", "c1", "active", "4b099a853df1558d"],
    ["", "proyecto ñ", "conversación/1 ✓", "closed", "44edb96d87c5fa93"],
  ] as const)("keeps seed %j, %s/%s (%s) byte for byte", (seed, projectId, conversationId, state, digest) => {
    const body = JSON.stringify(buildConversation({ ...context, seed }, { projectId, conversationId }, state));
    expect(createHash("sha256").update(body).digest("hex").slice(0, 16)).toBe(digest);
  });

  it("gives the same conversation for the same seed and ids, every time", () => {
    expect(buildConversation(context, ids(1), "closed")).toEqual(buildConversation({ ...context }, ids(1), "closed"));
  });

  it("gives different conversations to different ids, projects and seeds", () => {
    const base = buildConversation(context, ids(1), "active");
    const otherId = buildConversation(context, { ...ids(1), conversationId: "conv-2" }, "active");
    const otherProject = buildConversation(context, { ...ids(1), projectId: "elsewhere" }, "active");
    const otherSeed = buildConversation({ ...context, seed: "other" }, ids(1), "active");
    for (const other of [otherId, otherProject, otherSeed]) {
      expect(other.User).not.toEqual(base.User);
      expect(other.roomId).not.toBe(base.roomId);
    }
    const userIds = new Set(many.map((i) => buildConversation(context, i, "active").User.id));
    expect(userIds.size).toBe(many.length);
  });

  it("keeps the user, bot, room and start when the same conversation is closed", () => {
    const active = buildConversation(context, ids(3), "active");
    const { endAt, endedReason, ...closedCommon } = buildConversation(context, ids(3), "closed");
    expect({ ...closedCommon, state: "active" }).toEqual(active);
    expect(endAt).toBeDefined();
    expect(endedReason).toBeDefined();
  });

  it.each(["active", "closed"] as const)("builds %s conversations that satisfy the spec, over 300 ids", (state) => {
    for (const i of many) {
      const conversation = buildConversation(context, i, state);
      const violations = validator.validateSchema("Conversation", conversation);
      expect(violations, `${i.conversationId}: ${formatViolations(violations)}`).toEqual([]);
      expect(conversation._id).toBe(i.conversationId);
      expect(conversation.state).toBe(state);
    }
  });

  it("orders dates createdAt < startAt < endAt <= anchor, all in the recent past", () => {
    for (const i of many) {
      const c = buildConversation(context, i, "closed");
      const [created, start, end] = [c.User.createdAt, c.startAt, c.endAt].map((d) => Date.parse(d ?? "")) as [
        number,
        number,
        number,
      ];
      expect(created).toBeLessThan(start);
      expect(start).toBeLessThan(end);
      expect(end).toBeLessThanOrEqual(anchor);
      expect(anchor - start).toBeLessThanOrEqual(7 * 24 * HOUR);
    }
  });

  it("looks like Jelou's Latin American users: names, E.164 phones, known channels and reasons", () => {
    const conversations = many.map((i) => buildConversation(context, i, "closed"));
    for (const c of conversations) {
      expect(c.User.names).toMatch(/^\p{Lu}[\p{L}'. -]+ \p{Lu}[\p{L}'. -]+$/u);
      expect(c.User.referenceId).toMatch(/^\+(52|57|593|51|55)\d{8,11}$/);
      expect(known.botTypes).toContain(c.Bot.type);
      expect(known.endedReasons).toContain(c.endedReason);
    }
    const countries = new Set(conversations.map((c) => c.User.referenceId.slice(0, 3)));
    expect(countries.size).toBeGreaterThanOrEqual(4);
  });
});

describe("startOfUtcDay", () => {
  it("truncates to midnight UTC, so bodies stay the same all day", () => {
    expect(new Date(startOfUtcDay(Date.parse("2026-11-25T17:45:12.345Z"))).toISOString()).toBe(
      "2026-11-25T00:00:00.000Z",
    );
  });
});

describe("readLanguage", () => {
  const locale = (person: Record<string, unknown>) =>
    ({ definitions: { person }, rawDefinitions: { metadata: { title: "Test" } } }) as unknown as Faker;

  it("reads first names of both sexes, surnames, and the surname patterns by weight", () => {
    const read = readLanguage(
      locale({
        first_name: { female: ["Ana"], male: ["Luis"] },
        last_name: { generic: ["Pérez"] },
        last_name_pattern: {
          generic: [
            { value: "{{person.last_name.generic}} {{person.last_name.generic}}", weight: 2 },
            { value: "{{person.last_name.generic}}", weight: 1 },
          ],
        },
      }),
      ["Soporte"],
    );
    expect(read).toEqual({
      firstNames: ["Ana", "Luis"],
      lastNames: ["Pérez"],
      surnamePatterns: ["{} {}", "{} {}", "{}"],
      botRoles: ["Soporte"],
    });
  });

  it.each([
    ["no first names", { first_name: {}, last_name: { generic: ["Pérez"] } }],
    ["no surnames", { first_name: { generic: ["Ana"] } }],
    [
      "a pattern with another token",
      {
        first_name: { generic: ["Ana"] },
        last_name: { generic: ["Pérez"] },
        last_name_pattern: { generic: [{ value: "{{person.last_name.female}}", weight: 1 }] },
      },
    ],
  ])("refuses a locale with %s, at start", (_what, person) => {
    expect(() => readLanguage(locale(person), ["Soporte"])).toThrow("Faker's Test names are not in the shape");
  });
});
