// Limits that keep the fake standing: every refusal is a Jelou envelope, and no client can hold a socket forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_URL_LENGTH, type MockServer, startMockServer } from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator } from "../../spec/schema-validator.ts";
import { rawRequest } from "../helpers/raw-http.ts";

const validator = createSpecValidator(loadSpec());
const PATH = "/jelouapi/v1/external-support/p/conversations/c";

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, headersTimeoutMs: 500, requestTimeoutMs: 1_000 });
});
afterAll(() => server.close());

const envelopeKey = (body: string) => {
  const json = JSON.parse(body) as { error: { key: string } };
  expect(validator.validateSchema("ErrorEnvelope", json)).toEqual([]);
  return json.error.key;
};

describe("limits", () => {
  it("answers a URL longer than the limit with a 414 envelope", async () => {
    const response = await fetch(`${server.url}${PATH}?q=${"a".repeat(MAX_URL_LENGTH)}`, {
      headers: { "x-api-key": "k" },
    });
    expect(response.status).toBe(414);
    expect(envelopeKey(await response.text())).toBe("URI_TOO_LONG");
  });

  it("answers a URL too long even for Node's header limit with a 414 envelope too", async () => {
    const reply = await rawRequest(server.port, `GET ${PATH}?q=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply.status).toBe(414);
    expect(envelopeKey(reply.body)).toBe("URI_TOO_LONG");
  });

  it("answers oversized headers with a 431 envelope", async () => {
    const reply = await rawRequest(
      server.port,
      `GET ${PATH} HTTP/1.1\r\nHost: x\r\nx-api-key: ${"k".repeat(20_000)}\r\n\r\n`,
    );
    expect(reply.status).toBe(431);
    expect(envelopeKey(reply.body)).toBe("HEADERS_TOO_LARGE");
  });

  it("answers a request that is not HTTP with a 400 envelope", async () => {
    const reply = await rawRequest(server.port, "HELLO THERE\r\n\r\n");
    expect(reply.status).toBe(400);
    expect(envelopeKey(reply.body)).toBe("MALFORMED_REQUEST");
  });

  it("answers an HTTP/1.1 request without a Host header with a 400 envelope", async () => {
    const reply = await rawRequest(server.port, `GET ${PATH} HTTP/1.1\r\nx-api-key: k\r\n\r\n`);
    expect(reply.status).toBe(400);
    expect(envelopeKey(reply.body)).toBe("MALFORMED_REQUEST");
    expect(JSON.parse(reply.body).error.description).toMatch(/Host header/);
    expect(reply.headers.connection).toBe("close");
  });

  it("answers an Expect it cannot meet with a 417 envelope", async () => {
    const reply = await rawRequest(
      server.port,
      `GET ${PATH} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\nExpect: 999-x\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(417);
    expect(envelopeKey(reply.body)).toBe("EXPECTATION_FAILED");
  });

  it("still honours Expect: 100-continue", async () => {
    const reply = await rawRequest(
      server.port,
      `GET ${PATH} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    expect(reply.status).toBe(100);
    expect(reply.body).toContain("HTTP/1.1 200 OK");
  });

  it("cuts off a slow-loris client that never finishes its headers", async () => {
    const slow = `GET ${PATH} HTTP/1.1\r\nHost: x\r\nx-api-key: k\r\n${"x-pad: y\r\n".repeat(200)}`;
    const reply = await rawRequest(server.port, slow, { timeoutMs: 15_000, drip: { pieces: 200, everyMs: 50 } });
    expect(reply.closedByServer).toBe(true);
    expect(reply.status).toBe(408);
    expect(envelopeKey(reply.body)).toBe("REQUEST_TIMEOUT");
  });

  it("cuts off a client that never finishes its body", async () => {
    const head =
      "PUT /__admin/scenario HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n";
    const reply = await rawRequest(server.port, `${head}${" ".repeat(300)}`, {
      timeoutMs: 15_000,
      drip: { pieces: 60, everyMs: 50 },
    });
    expect(reply.closedByServer).toBe(true);
    expect(reply.status).toBe(408);
  });

  it("sets header and request timeouts by default", async () => {
    const defaults = await startMockServer({ port: 0 });
    expect(defaults.server.headersTimeout).toBe(10_000);
    expect(defaults.server.requestTimeout).toBe(30_000);
    await defaults.close();
  });

  it("still serves after all of that", async () => {
    const response = await fetch(`${server.url}${PATH}`, { headers: { "x-api-key": "k" } });
    expect(response.status).toBe(200);
  });
});
