// Prism is fake-jelou's second mock and the validation proxy of the contract suites: the spec must stay servable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listExamples } from "../../spec/examples.ts";
import { loadSpec, SPEC_PATH } from "../../spec/load-spec.ts";
import { type PrismProcess, startPrismMock } from "../helpers/prism.ts";

const CONVERSATION = "/v1/external-support/PROJECT_ID/conversations/CONVERSATION_ID";
const named = listExamples(loadSpec())
  .filter((e) => e.pointer.includes("/responses/"))
  .map((e) => ({ name: e.name, status: Number(e.pointer.split("/responses/")[1]?.split("/")[0]), value: e.value }));

let prism: PrismProcess;
beforeAll(async () => {
  prism = await startPrismMock(SPEC_PATH);
});
afterAll(() => prism?.stop());

describe("prism mock of the spec", () => {
  it.each(named.map((e) => [e.name, e] as const))("serves the named example %s with its status", async (name, e) => {
    const response = await fetch(`${prism.url}${CONVERSATION}`, {
      headers: { "x-api-key": "any-key", Prefer: `code=${e.status}, example=${name}` },
    });
    expect(response.status).toBe(e.status);
    expect(await response.json()).toEqual(e.value);
  });

  it.each([
    ["an x-api-key header", { "x-api-key": "any-key" }],
    ["HTTP Basic", { Authorization: `Basic ${Buffer.from("client:secret").toString("base64")}` }],
  ])("accepts %s as the only credential", async (_title, headers) => {
    const response = await fetch(`${prism.url}${CONVERSATION}`, { headers });
    expect(response.status).toBe(200);
  });

  it("answers 401 without credentials", async () => {
    const response = await fetch(`${prism.url}${CONVERSATION}`);
    expect(response.status).toBe(401);
  });
});
