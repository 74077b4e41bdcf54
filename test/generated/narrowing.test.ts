// The lifecycle in the spec must reach TypeScript. expectTypeOf and @ts-expect-error are compile-time checks:
// `npm run typecheck` (part of `npm test`) enforces them; under plain `vitest run` they are no-ops.
import { describe, expect, expectTypeOf, it } from "vitest";
import type {
  SchemaConversation,
  SchemaGetConversationResponse,
  SchemaMessageEvent,
  SchemaSendMessageRequest,
} from "../../generated/jelou-external-support.ts";

const closedAt = (conversation: SchemaConversation): string | undefined =>
  conversation.state === "closed" ? conversation.endAt : undefined;

describe("generated types", () => {
  it("narrow a conversation on state", () => {
    const conversation = {
      _id: "c",
      roomId: "r",
      state: "closed",
      startAt: "2026-01-15T10:30:00.000Z",
      endAt: "2026-01-15T10:45:00.000Z",
      endedReason: "closed_by_operator",
      User: { id: "u", names: "Ana", referenceId: "+5511912345678", createdAt: "2025-01-28T20:54:25.572Z" },
      Bot: { id: "b", name: "Bot", type: "Whatsapp" },
    } satisfies SchemaConversation;
    expect(closedAt(conversation)).toBe("2026-01-15T10:45:00.000Z");

    const narrow = (c: SchemaConversation) => {
      if (c.state === "closed") {
        expectTypeOf(c.endAt).toEqualTypeOf<string>();
        expectTypeOf(c.endedReason).toEqualTypeOf<string>();
      } else {
        expectTypeOf(c.endAt).toEqualTypeOf<undefined>();
        expectTypeOf(c.endedReason).toEqualTypeOf<undefined>();
      }
    };
    narrow(conversation);
  });

  it("forbid an active conversation with an end", () => {
    const activeWithEnd = {
      _id: "c",
      roomId: "r",
      state: "active",
      startAt: "2026-01-15T10:30:00.000Z",
      endAt: "2026-01-15T10:45:00.000Z",
      User: { id: "u", names: "Ana", referenceId: "r", createdAt: "2025-01-28T20:54:25.572Z" },
      Bot: { id: "b", name: "Bot", type: "Whatsapp" },
    } as const;
    // @ts-expect-error an active conversation cannot have endAt
    const typed: SchemaConversation = activeWithEnd;
    expect(typed.state).toBe("active");
  });

  it("type the success envelope's status and statusMessage as constants", () => {
    expectTypeOf<SchemaGetConversationResponse["status"]>().toEqualTypeOf<1>();
    expectTypeOf<SchemaGetConversationResponse["statusMessage"]>().toEqualTypeOf<"success">();
    expectTypeOf<SchemaGetConversationResponse["message"]>().toEqualTypeOf<string | string[]>();
  });

  it("narrow a message on value.type, in both directions, and require the event's value.id", () => {
    const bodyOf = (value: SchemaMessageEvent["value"]) =>
      value.type === "text" ? value.content.body : value.content.url;
    expect(bodyOf({ id: "m", type: "text", content: { body: "Hola" } })).toBe("Hola");
    expectTypeOf<SchemaMessageEvent["value"]["id"]>().toEqualTypeOf<string>();
    expectTypeOf<SchemaSendMessageRequest["value"]["type"]>().toEqualTypeOf<
      "text" | "image" | "video" | "audio" | "document"
    >();
    // @ts-expect-error a text's content is {body}, not a media URL
    const wrong: SchemaSendMessageRequest["value"] = { type: "text", content: { url: "https://x.test/a.jpg" } };
    expect(wrong.type).toBe("text");
  });
});
