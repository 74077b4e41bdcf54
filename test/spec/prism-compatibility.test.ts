// Prism is fake-jelou's second mock and the validation proxy of the contract suites: the spec must stay servable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listExamples } from "../../spec/examples.ts";
import { toPointer } from "../../spec/json-pointer.ts";
import { loadSpec, SPEC_PATH } from "../../spec/load-spec.ts";
import { type PrismProcess, startPrismMock } from "../helpers/prism.ts";

const spec = loadSpec();
const examples = listExamples(spec);
// The path parameters every request fills in; Prism serves examples whatever their values.
const PATH_PARAMS: Record<string, string> = { projectId: "PROJECT_ID", conversationId: "CONVERSATION_ID" };

interface Operation {
  operationId: string;
  /** JSON pointer of the operation in the spec, the prefix of its examples' pointers. */
  pointer: string;
  method: string;
  url: string;
  /** The operation's first named request example, sent as its body (Prism validates request bodies). */
  body: unknown;
  /** True for send-message, signed rather than authenticated (`security: []`). */
  signed: boolean;
}
const operations: Operation[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([key]) => key !== "servers")
    .map(([method, operation]) => {
      const pointer = toPointer(["paths", path, method]);
      const { operationId, security } = operation as { operationId: string; security?: unknown[] };
      return {
        operationId,
        pointer,
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, (_match, name: string) => PATH_PARAMS[name] ?? name),
        body: examples.find((e) => e.pointer.startsWith(`${pointer}/requestBody/`))?.value,
        signed: security?.length === 0,
      };
    }),
);
// Prism checks the signature header's form, not the HMAC (it knows no secret): any well-formed value will do.
const SIGNATURE = { "X-Jelou-Signature": `sha256=${"0".repeat(64)}` };
const named = examples
  .filter((e) => e.pointer.includes("/responses/"))
  .map((e) => {
    const operation = operations.find((o) => e.pointer.startsWith(`${o.pointer}/`));
    if (!operation) throw new Error(`Failed to find the operation of ${e.pointer}.`);
    const status = Number(e.pointer.slice(`${operation.pointer}/responses/`.length).split("/")[0]);
    return { operation, name: e.name, status, value: e.value };
  });

function call(operation: Operation, credentials: Record<string, string>, signed = operation.signed): Promise<Response> {
  const headers = signed ? { ...credentials, ...SIGNATURE } : credentials;
  return fetch(`${prism.url}${operation.url}`, {
    method: operation.method,
    headers: operation.body === undefined ? headers : { ...headers, "content-type": "application/json" },
    ...(operation.body !== undefined && { body: JSON.stringify(operation.body) }),
  });
}

let prism: PrismProcess;
beforeAll(async () => {
  prism = await startPrismMock(SPEC_PATH);
});
afterAll(() => prism?.stop());

describe("prism mock of the spec", () => {
  it("covers the seven gateway operations and send-message, each with a request body where it takes one", () => {
    expect(operations.map((o) => [o.operationId, o.body !== undefined])).toEqual([
      ["createIntegration", true],
      ["getIntegration", false],
      ["updateIntegration", true],
      ["deleteIntegration", false],
      ["startConversation", true],
      ["closeConversation", true],
      ["getConversation", false],
      ["sendMessage", true],
    ]);
  });

  it.each(named.map((e) => [e.operation.operationId, e.name, e] as const))(
    "%s: serves the named example %s with its status",
    async (_operationId, name, e) => {
      const response = await call(e.operation, { "x-api-key": "any-key", Prefer: `code=${e.status}, example=${name}` });
      expect(response.status).toBe(e.status);
      expect(await response.json()).toEqual(e.value);
    },
  );

  it.each([
    ["an x-api-key header", { "x-api-key": "any-key" }],
    ["HTTP Basic", { Authorization: `Basic ${Buffer.from("client:secret").toString("base64")}` }],
  ])("accepts %s as the only credential", async (_title, headers) => {
    for (const operation of operations) {
      const response = await call(operation, headers);
      expect(response.status, operation.operationId).toBe(200);
    }
  });

  it("answers 401 without credentials, and 422 to a send-message without its signature header", async () => {
    for (const operation of operations) {
      const response = await call(operation, {}, false);
      expect(response.status, operation.operationId).toBe(operation.signed ? 422 : 401);
    }
  });
});
