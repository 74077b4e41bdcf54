// The TypeScript examples of docs/contracts.md, run against bodies the fake serves: examples/closed-at.ts narrows
// on state, examples/validate-response.ts accepts a served body and names the field of a broken one.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closedAt } from "../../examples/closed-at.ts";
import { isValidConversationResponse } from "../../examples/validate-response.ts";
import type { SchemaGetConversationResponse } from "../../generated/jelou-external-support.ts";
import { type MockServer, startMockServer } from "../../mock/index.ts";

let fake: MockServer;
beforeAll(async () => {
  fake = await startMockServer({ port: 0 });
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function served(conversationId: string): Promise<SchemaGetConversationResponse> {
  const response = await fetch(`${fake.baseUrl}/v1/external-support/p/conversations/${conversationId}`, {
    headers: { "x-api-key": "k" },
  });
  return (await response.json()) as SchemaGetConversationResponse;
}

describe("examples/closed-at.ts", () => {
  it("returns endAt of a closed conversation and undefined for an active one", async () => {
    const closed = (await served("closed-1")).data;
    expect(closedAt(closed)).toBe(closed.state === "closed" ? closed.endAt : "not closed");
    expect(closedAt((await served("conv-1")).data)).toBeUndefined();
  });
});

describe("examples/validate-response.ts", () => {
  it("accepts a body the fake served", async () => {
    expect(isValidConversationResponse(await served("closed-1"))).toBe(true);
  });

  it("refuses a body without Bot and prints the pointer of the violation", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const body: { data: Partial<SchemaGetConversationResponse["data"]> } = await served("conv-1");
    delete body.data.Bot;
    expect(isValidConversationResponse(body)).toBe(false);
    expect(String(error.mock.calls[0]?.[0])).toContain("/data");
  });
});
