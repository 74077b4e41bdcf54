// Property-based tests: whatever a client sends, the fake answers with a spec-valid success or a Jelou error
// envelope, never a 500 it was not asked for, and keeps answering. Requests go out on raw sockets so that nothing
// is sanitised on the way.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, SCENARIOS, startMockServer } from "../../mock/index.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, formatViolations } from "../../spec/schema-validator.ts";
import { BUILTIN_NAMES } from "../helpers/builtin-names.ts";
import { type RawReply, rawRequest } from "../helpers/raw-http.ts";

const validator = createSpecValidator(loadSpec());
const RUNS = 120;
const CONVERSATION = "/jelouapi/v1/external-support/p/conversations/c9";

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, headersTimeoutMs: 2_000 });
});
afterAll(() => server.close());

interface Sent {
  /** The Host header; the Jelou routes answer any, the admin API only loopback names. */
  host?: string;
  method: string;
  target: string;
  headers: [string, string][];
  body: string;
}

const send = (r: Sent) =>
  rawRequest(
    server.port,
    Buffer.from(
      `${r.method} ${r.target} HTTP/1.1\r\nHost: ${r.host ?? "fake"}\r\nConnection: close\r\n` +
        r.headers.map(([k, v]) => `${k}: ${v}\r\n`).join("") +
        (r.body ? `Content-Length: ${Buffer.byteLength(r.body)}\r\n` : "") +
        `\r\n${r.body}`,
      "utf8",
    ),
  );

/** The invariant: a reply, and one the spec (or Jelou's envelope) allows; a 500 only when asked for. */
function expectSound(sent: Sent, reply: RawReply, askedFor500 = false): void {
  const where = `${sent.method} ${sent.target.slice(0, 120)} -> ${reply.status}`;
  expect(reply.status, where).not.toBeNull();
  if (!askedFor500) expect(reply.status, where).not.toBe(500);
  if (sent.method === "HEAD") return;
  const body: unknown = JSON.parse(reply.body);
  const result =
    reply.status === 200
      ? validator.validateResponse({
          operationId: "getConversation",
          status: 200,
          contentType: reply.headers["content-type"] ?? "",
          body,
        })
      : {
          outcome: validator.validateSchema("ErrorEnvelope", body).length === 0 ? "valid" : "invalid",
          violations: validator.validateSchema("ErrorEnvelope", body),
        };
  expect(result.outcome, `${where}\n${"violations" in result ? formatViolations(result.violations) : ""}`).toBe(
    "valid",
  );
}

const segment = fc.oneof(
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  // Unencoded: raw UTF-8, spaces, slashes and control characters go out as they are.
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 20 }),
  fc.constantFrom("..", ".", "%2F", "%2e%2e", "%00", "%", "%zz", "a%2Fb", ";", "closed-1", "missing-1"),
  fc.integer({ min: 1, max: 8_300 }).map((n) => "x".repeat(n)),
);
const asksForFault = (value: string) => /^\s*(timeout|reset)\s*$/i.test(value);
const asksFor500 = (headers: [string, string][]) =>
  headers.some(
    ([k, v]) =>
      (k === "x-fake-jelou-scenario" && /^\s*(server-error|500)\s*$/i.test(v)) ||
      (k === "prefer" && /code=500|example=serverError/.test(v)),
  );
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom(
    "Basic",
    "Basic ",
    "Basic ====",
    "Basic !!!!",
    `Basic ${Buffer.from("a:").toString("base64")}`,
    "Bearer x",
    "\t",
  ),
  fc.constantFrom(...BUILTIN_NAMES).chain((name) => fc.constantFrom(name, `code=${name}`, `example=${name}`)),
  fc.integer({ min: 1, max: 12_000 }).map((n) => "k".repeat(n)),
);
const headers = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "x-api-key",
          "authorization",
          "x-fake-jelou-scenario",
          "prefer",
          "x-fake-jelou-delay",
          "accept",
        ),
        // Any printable name, legal token or not; framing headers stay out, their values would only desynchronise.
        fc
          .stringMatching(/^[!-~]{1,40}$/)
          .filter((name) => !/^(content-length|transfer-encoding|host|connection|expect)$/i.test(name)),
      ),
      headerValue,
    ),
    { maxLength: 4 },
  )
  .map((list) =>
    list
      // A delay of seconds or the fault scenarios would only make the run slow, not teach anything new.
      .filter(([k, v]) => !(k === "x-fake-jelou-delay" && /^\s*\d+\s*$/.test(v) && Number(v) > 20))
      .filter(([k, v]) => !(k === "x-fake-jelou-scenario" && asksForFault(v)))
      .map(([k, v]) => [k, v.replace(/[\r\n]/g, "")] as [string, string]),
  );

describe("the fake under arbitrary input", () => {
  it("answers any path segments soundly", async () => {
    await fc.assert(
      fc.asyncProperty(
        segment,
        segment,
        fc.constantFrom("/jelouapi", "/platform", ""),
        async (projectId, conversationId, prefix) => {
          const sent = {
            method: "GET",
            target: `${prefix}/v1/external-support/${projectId}/conversations/${conversationId}`,
            headers: [["x-api-key", "k"]] as [string, string][],
            body: "",
          };
          expectSound(sent, await send(sent));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("answers any header values soundly", async () => {
    await fc.assert(
      fc.asyncProperty(headers, async (hs) => {
        const sent = {
          method: "GET",
          target: "/jelouapi/v1/external-support/p/conversations/c",
          headers: hs,
          body: "",
        };
        expectSound(sent, await send(sent), asksFor500(hs));
      }),
      { numRuns: RUNS },
    );
  });

  it("answers any method, body and query string soundly", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
          fc.stringMatching(/^[A-Z]{1,10}$/),
        ),
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 100 }).map((q) => (q ? `?${encodeURIComponent(q)}&${q.replace(/[\s#]/g, "")}` : "")),
        async (method, body, query) => {
          const sent = {
            method,
            target: `/jelouapi/v1/external-support/p/conversations/c${query}`,
            headers: [["x-api-key", "k"]] as [string, string][],
            body,
          };
          expectSound(sent, await send(sent));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("answers any scenario in an admin body with that scenario or 400 UNKNOWN_SCENARIO", async () => {
    const scenarioName = fc
      .oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...BUILTIN_NAMES, "closed", "404"))
      .filter((name) => !asksForFault(name));
    await fc.assert(
      fc.asyncProperty(scenarioName, fc.constantFrom("/scenario", "/conversations/p/c9"), async (name, route) => {
        const body = JSON.stringify({ scenario: name });
        const reply = await send({
          method: "PUT",
          host: "127.0.0.1",
          target: `/__admin${route}`,
          headers: [["content-type", "application/json"]],
          body,
        });
        expect(reply.status, `${route} ${body}`).toBeOneOf([200, 400]);
        const parsed = JSON.parse(reply.body) as { scenario?: string; error?: { key: string } };
        if (reply.status === 200) expect(SCENARIOS).toContain(parsed.scenario);
        else expect(parsed.error?.key).toBe("UNKNOWN_SCENARIO");
        // Whatever was stored, the conversation still answers as one of the scenarios says, never with a 500.
        const get = await send({ method: "GET", target: CONVERSATION, headers: [["x-api-key", "k"]], body: "" });
        if (parsed.scenario !== "server-error") expect(get.status).not.toBe(500);
        server.reset();
      }),
      { numRuns: RUNS },
    );
  });

  it("still answers its health check afterwards", async () => {
    const response = await fetch(`${server.url}/__admin/health`);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});
