// Pins the decisions spec/README.md records, so changing one is a deliberate act with a failing test to update.
import { describe, expect, it } from "vitest";
import { atPointer } from "../../spec/json-pointer.ts";
import { loadSpec } from "../../spec/load-spec.ts";

const spec = loadSpec();
const operation = atPointer(
  spec,
  "/paths/~1v1~1external-support~1{projectId}~1conversations~1{conversationId}/get",
) as {
  operationId: string;
  parameters: { $ref: string }[];
  responses: Record<string, { content: Record<string, unknown> }>;
};
const at = (pointer: string) => atPointer(spec, pointer);

describe("modelling decisions of the spec", () => {
  it("serves the production gateway and the local fake", () => {
    expect(spec.servers).toEqual([
      expect.objectContaining({ url: "https://gateway.jelou.ai/jelouapi" }),
      expect.objectContaining({ url: "http://127.0.0.1:4010/jelouapi" }),
    ]);
  });

  it("accepts either an x-api-key header or HTTP Basic, each on its own", () => {
    expect(spec.security).toEqual([{ apiKey: [] }, { basicAuth: [] }]);
    expect(at("/components/securitySchemes/apiKey")).toMatchObject({ type: "apiKey", in: "header", name: "x-api-key" });
    expect(at("/components/securitySchemes/basicAuth")).toMatchObject({ type: "http", scheme: "basic" });
  });

  it("requires both path parameters as non-empty strings", () => {
    expect(operation.operationId).toBe("getConversation");
    for (const name of ["ProjectId", "ConversationId"]) {
      expect(at(`/components/parameters/${name}`)).toMatchObject({
        in: "path",
        required: true,
        schema: { type: "string", minLength: 1 },
      });
    }
  });

  it("declares exactly 200, 401, 404 and 500, all application/json", () => {
    expect(Object.keys(operation.responses)).toEqual(["200", "401", "404", "500"]);
    for (const response of Object.values(operation.responses)) {
      expect(Object.keys(response.content)).toEqual(["application/json"]);
    }
  });

  it("keeps state a closed enum and endedReason and Bot.type open sets with known values", () => {
    expect(at("/components/schemas/ConversationState/enum")).toEqual(["active", "closed"]);
    expect(at("/components/schemas/EndedReason")).toMatchObject({
      type: "string",
      "x-known-values": ["closed_by_operator"],
    });
    expect(at("/components/schemas/EndedReason/enum")).toBeUndefined();
    expect(at("/components/schemas/BotType")).toMatchObject({ type: "string", "x-known-values": ["Whatsapp"] });
    expect(at("/components/schemas/BotType/enum")).toBeUndefined();
  });

  it("discriminates conversations on state, with a mapping generated types narrow on", () => {
    expect(at("/components/schemas/Conversation/discriminator")).toEqual({
      propertyName: "state",
      mapping: {
        active: "#/components/schemas/ActiveConversation",
        closed: "#/components/schemas/ClosedConversation",
      },
    });
  });
});
