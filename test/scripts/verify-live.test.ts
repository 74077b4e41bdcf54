import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { startMockServer } from "../../mock/index.ts";
import { USAGE } from "../../scripts/drift/config.ts";
import { runVerifyLive } from "../../scripts/drift/run.ts";
import { EXIT } from "../../spec/drift/output.ts";
import { type Drift, type Json, startDriftedJelou } from "../helpers/drifted-jelou.ts";
import { runScriptAsync } from "../helpers/run-bin.ts";
import { answer, startScriptedServer } from "../helpers/scripted-server.ts";

const API_KEY = "sk-SECRET-live-key-3b7e";
const CLIENT_SECRET = "SECRET-client-secret-77aa";
const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-verify-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  dir: string;
  report: Json;
  files: { json: string; md: string; junit: string };
}

let runs = 0;
/** Runs the drift check in-process against `baseUrl`, with reports in a fresh folder. */
async function verify(baseUrl: string, env: Record<string, string> = {}, argv: string[] = []): Promise<Run> {
  const dir = join(scratch, `run-${++runs}`);
  let stdout = "";
  let stderr = "";
  const code = await runVerifyLive({
    argv: ["--report-dir", dir, "--retries", "2", "--timeout", "2000", ...argv],
    env: {
      JELOU_BASE_URL: baseUrl,
      JELOU_PROJECT_ID: "project-1",
      JELOU_CONVERSATION_ID: "conv-1",
      JELOU_API_KEY: API_KEY,
      ...env,
    },
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    backoff: { minBackoffMs: 5, maxBackoffMs: 20 },
  });
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  const files = { json: read("drift-report.json"), md: read("drift-report.md"), junit: read("junit.xml") };
  return { code, stdout, stderr, dir, files, report: files.json ? (JSON.parse(files.json) as Json) : {} };
}

/** Asserts a report matches its documented schema, drift-report.schema.json. */
function expectValidReport(report: Json): void {
  const schema = JSON.parse(readFileSync("scripts/drift/drift-report.schema.json", "utf8"));
  const ajv = new Ajv2020({ allErrors: true });
  addFormatsModule.default(ajv);
  const valid = ajv.validate(schema, report);
  expect(ajv.errors ?? [], JSON.stringify(ajv.errors)).toEqual([]);
  expect(valid).toBe(true);
}

/**
 * A Jelou that is unwell for its first requests, then recovers: `failure(n)` answers request n itself (returning true)
 * or lets it through to the fake; `arrivals` records when each request came in.
 */
async function recovering(failure: (n: number, res: ServerResponse) => boolean) {
  const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
  const arrivals: number[] = [];
  const server = await startScriptedServer((req, res) => {
    arrivals.push(Date.now());
    if (failure(arrivals.length, res)) return;
    fetch(`${fake.url}${req.url}`, { headers: req.headers as Record<string, string> }).then(async (r) => {
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "" }).end(await r.text());
    });
  });
  return {
    baseUrl: `${server.url}/jelouapi`,
    arrivals,
    close: async () => {
      await server.close();
      await fake.close();
    },
  };
}

const findingsOf = (run: Run) =>
  (run.report.checks as Json[]).flatMap((c) =>
    (c.findings as Json[]).map((f) => ({ check: c.id, severity: f.severity, rule: f.rule, pointer: f.pointer })),
  );

/** A drifted Jelou that accepts only API_KEY, so that wrong credentials really are refused. */
const drifted = (drift: Drift) => startDriftedJelou(drift, { apiKeys: [API_KEY] });
const onData =
  (edit: (data: Json) => void): Drift =>
  (body) => {
    if (body.data) edit(body.data);
  };

describe("verify:live against a conformant Jelou (the fake, with --api-key)", () => {
  it("passes every check and exits 0", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    fake.setProviderState("project {projectId} has an integration", { projectId: "project-1", authType: "bearer" });
    const run = await verify(fake.baseUrl, {
      JELOU_CLOSED_CONVERSATION_ID: "closed-7",
      JELOU_ACTIVE_CONVERSATION_ID: "conv-2",
    });
    await fake.close();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.conformant);
    expect(run.report.checks.map((c: Json) => [c.id, c.status, c.outcome])).toEqual([
      ["known-conversation", 200, "pass"],
      ["closed-conversation", 200, "pass"],
      ["active-conversation", 200, "pass"],
      ["wrong-credentials", 401, "pass"],
      ["missing-conversation", 404, "pass"],
      ["integration", 200, "pass"],
    ]);
    expect(run.stdout).toContain(`the API at ${new URL(fake.url).origin} conforms to the spec (exit 0)`);
  });

  it("skips the integration check, saying why, for a project without one, and judges its 404 all the same", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    const run = await verify(fake.baseUrl);
    await fake.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(run.report.checks.at(-1)).toMatchObject({
      id: "integration",
      status: 404,
      outcome: "skipped",
      skipReason: expect.stringContaining("the project has no integration"),
      findings: [],
    });
    expect(run.stdout).toContain("integration: skipped: the project has no integration");
    expect(run.files.junit).toContain("<skipped");
    expectValidReport(run.report);
  });

  it("authenticates with Basic when JELOU_CLIENT_ID and JELOU_CLIENT_SECRET are set", async () => {
    const fake = await startMockServer({ port: 0, basic: [{ clientId: "client-1", clientSecret: CLIENT_SECRET }] });
    const run = await verify(fake.baseUrl, {
      JELOU_API_KEY: "",
      JELOU_CLIENT_ID: "client-1",
      JELOU_CLIENT_SECRET: CLIENT_SECRET,
    });
    await fake.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(run.report.target.auth).toBe("basic");
  });
});

describe('verify:live against a fake in its default "any key" mode', () => {
  it("says the target accepted an invalid credential, and names the target, not production, in the headline", async () => {
    const fake = await startMockServer({ port: 0 });
    const run = await verify(fake.baseUrl);
    await fake.close();
    expect(run.code).toBe(EXIT.drift);
    expect(findingsOf(run)).toEqual([
      { check: "wrong-credentials", severity: "breaking", rule: "invalid-credential-accepted", pointer: "" },
    ]);
    expect(run.report.checks[1].findings[0].message).toBe(
      "The target accepted an invalid credential with 200: a fake in its default any-key mode, or a security hole in production.",
    );
    expect(run.stdout).toContain(`verify:live: the API at ${new URL(fake.url).origin} drifted from the spec (exit 1)`);
    expect(run.files.md).toContain(
      `## Jelou drift check: the API at ${new URL(fake.url).origin} drifted from the spec`,
    );
    expectValidReport(run.report);
  });
});

describe("verify:live against a drifted Jelou", () => {
  it.each<[string, Drift, string[], { check: string; severity: string; rule: string; pointer: string }[], number]>([
    [
      "an undeclared status",
      (_b, reply) => {
        if (reply.status === 200) reply.status = 418;
      },
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "undeclared-status", pointer: "" }],
      EXIT.drift,
    ],
    [
      "an undeclared content type",
      (body, reply) => {
        if (reply.status !== 200) return;
        reply.contentType = "text/html";
        reply.raw = `<pre>${JSON.stringify(body)}</pre>`;
      },
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "undeclared-media-type", pointer: "" }],
      EXIT.drift,
    ],
    [
      "a missing required field",
      onData((d) => delete d.roomId),
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "missing-required-field", pointer: "/data/roomId" }],
      EXIT.drift,
    ],
    [
      "a changed type",
      onData((d) => (d.User.id = 5521987)),
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "type-changed", pointer: "/data/User/id" }],
      EXIT.drift,
    ],
    [
      "null where the spec does not allow it",
      onData((d) => (d.User.names = null)),
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "null-not-allowed", pointer: "/data/User/names" }],
      EXIT.drift,
    ],
    [
      "a state outside the closed enum",
      onData((d) => (d.state = "archived")),
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "closed-enum-value", pointer: "/data/state" }],
      EXIT.drift,
    ],
    [
      "an unknown state, and still the drift of the fields every state shares",
      onData((d) => {
        d.state = "archived";
        delete d.Bot.type;
        d.User.id = 5521987;
      }),
      [],
      [
        { check: "known-conversation", severity: "breaking", rule: "closed-enum-value", pointer: "/data/state" },
        { check: "known-conversation", severity: "breaking", rule: "type-changed", pointer: "/data/User/id" },
        {
          check: "known-conversation",
          severity: "breaking",
          rule: "missing-required-field",
          pointer: "/data/Bot/type",
        },
      ],
      EXIT.drift,
    ],
    [
      "a broken lifecycle rule",
      onData((d) => (d.endAt = "2026-11-24T10:00:00.000Z")),
      [],
      [{ check: "known-conversation", severity: "breaking", rule: "lifecycle", pointer: "/data/endAt" }],
      EXIT.drift,
    ],
    [
      "a broken error envelope",
      (body) => {
        if (body.error) delete body.error.key;
      },
      [],
      [
        { check: "wrong-credentials", severity: "breaking", rule: "missing-required-field", pointer: "/error/key" },
        { check: "missing-conversation", severity: "breaking", rule: "missing-required-field", pointer: "/error/key" },
        // The project has no integration: its 404 is judged too, and is drift here, not a skip.
        { check: "integration", severity: "breaking", rule: "missing-required-field", pointer: "/error/key" },
      ],
      EXIT.drift,
    ],
    [
      "a new channel in an open set",
      onData((d) => (d.Bot.type = "Telegram")),
      [],
      [{ check: "known-conversation", severity: "warning", rule: "new-open-enum-value", pointer: "/data/Bot/type" }],
      EXIT.conformant,
    ],
    [
      "a new channel under --strict",
      onData((d) => (d.Bot.type = "Telegram")),
      ["--strict"],
      [{ check: "known-conversation", severity: "warning", rule: "new-open-enum-value", pointer: "/data/Bot/type" }],
      EXIT.drift,
    ],
    [
      "a date that is not ISO 8601",
      onData((d) => (d.startAt = "24/11/2026 10:00")),
      [],
      [{ check: "known-conversation", severity: "warning", rule: "format", pointer: "/data/startAt" }],
      EXIT.conformant,
    ],
    [
      "a field the spec does not document",
      onData((d) => (d.priority = "high")),
      [],
      [{ check: "known-conversation", severity: "info", rule: "undocumented-field", pointer: "/data/priority" }],
      EXIT.conformant,
    ],
  ])("reports %s precisely", async (_title, drift, argv, expected, exitCode) => {
    const jelou = await drifted(drift);
    const run = await verify(jelou.baseUrl, {}, argv);
    await jelou.close();
    expect(findingsOf(run)).toEqual(expected);
    expect(run.code).toBe(exitCode);
  });

  it("breaks when a conversation configured as closed is active again, and warns when an active one closed", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    const reopened = await verify(fake.baseUrl, { JELOU_CLOSED_CONVERSATION_ID: "still-open" });
    const closedSince = await verify(fake.baseUrl, { JELOU_ACTIVE_CONVERSATION_ID: "closed-9" });
    await fake.close();
    expect(findingsOf(reopened)).toEqual([
      { check: "closed-conversation", severity: "breaking", rule: "unexpected-state", pointer: "/data/state" },
    ]);
    expect(reopened.code).toBe(EXIT.drift);
    expect(findingsOf(closedSince)).toEqual([
      { check: "active-conversation", severity: "warning", rule: "unexpected-state", pointer: "/data/state" },
    ]);
    expect(closedSince.code).toBe(EXIT.conformant);
  });

  it("reports a redirect instead of following it, so the key never reaches another host", async () => {
    const elsewhere = await startScriptedServer(answer(200, {}));
    const redirecting = await startScriptedServer((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/jelouapi/v1/external-support/p/conversations/c` }).end();
    });
    const run = await verify(`${redirecting.url}/jelouapi`);
    await redirecting.close();
    await elsewhere.close();
    expect(elsewhere.requests).toEqual([]);
    expect(findingsOf(run)[0]).toEqual({
      check: "known-conversation",
      severity: "breaking",
      rule: "undeclared-status",
      pointer: "",
    });
    expect(run.code).toBe(EXIT.drift);
  });

  it("stops reading an endless body at 1 MiB and reports it", async () => {
    const chunk = "x".repeat(64 * 1024);
    const endless = await startScriptedServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const pump = () => {
        while (res.write(chunk)) {
          if (res.destroyed) return;
        }
        res.once("drain", pump);
      };
      res.on("close", () => res.removeAllListeners("drain"));
      pump();
    });
    const run = await verify(`${endless.url}/jelouapi`);
    await endless.close();
    expect(findingsOf(run)[0]).toEqual({
      check: "known-conversation",
      severity: "breaking",
      rule: "body-too-large",
      pointer: "",
    });
  });

  it.each<[string, Drift, { check: string; severity: string; rule: string; pointer: string }]>([
    [
      "shows the signing secret",
      onData((d) => {
        if (d.brainId) d.signingSecret = "5b8a4598c2822a4c7a29c99d8e08087d1d75e015ad7a8538bf40a21d5960b4d3";
      }),
      { check: "integration", severity: "breaking", rule: "forbidden-field", pointer: "/data/signingSecret" },
    ],
    [
      "drops authType",
      onData((d) => {
        if (d.brainId) delete d.authType;
      }),
      { check: "integration", severity: "breaking", rule: "missing-required-field", pointer: "/data/authType" },
    ],
  ])("reports an integration that %s", async (_title, drift, want) => {
    const jelou = await drifted(drift);
    jelou.fake.setProviderState("project {projectId} has an integration", { projectId: "project-1" });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    expect(run.code).toBe(EXIT.drift);
    expect(findingsOf(run)).toEqual([want]);
  });

  it("keeps drift visible when another check is unreachable", async () => {
    const jelou = await drifted((body, reply) => {
      if (body.data) delete body.data.roomId;
      if (reply.status === 404) reply.status = 503;
    });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    expect(run.code).toBe(EXIT.drift);
    expect(run.report.outcome).toBe("drift");
    expect(run.report.checks.map((c: Json) => c.outcome)).toEqual(["drift", "pass", "outage", "outage"]);
  });
});

// Concurrent: most of these tests wait on timeouts, retries and Retry-After, each against servers of its own.
describe.concurrent("verify:live when Jelou is unreachable: an outage, never drift", () => {
  it("exits 3 for a closed port, after the configured retries", async () => {
    const gone = await startScriptedServer(answer(200, {}));
    await gone.close();
    const run = await verify(`${gone.url}/jelouapi`);
    expect(run.code).toBe(EXIT.outage);
    expect(run.report.outcome).toBe("outage");
    expect(run.report.checks[0]).toMatchObject({ outcome: "outage", attempts: 3, outageReason: "ECONNREFUSED" });
    expect(run.report.summary).toMatchObject({ breaking: 0, warning: 0, info: 0 });
    expectValidReport(run.report);
  });

  it("exits 3 for a Jelou that always answers 503, after the configured retries", async () => {
    const busy = await startScriptedServer(answer(503, "busy", "text/plain"));
    const run = await verify(`${busy.url}/jelouapi`);
    await busy.close();
    expect(run.code).toBe(EXIT.outage);
    expect(busy.requests).toHaveLength(12);
    expect(run.report.checks.map((c: Json) => c.outageReason)).toEqual([
      "HTTP 503",
      "HTTP 503",
      "HTTP 503",
      "HTTP 503",
    ]);
  });

  it("exits 3 for a Jelou that never answers, after the per-request timeout", async () => {
    const silent = await startScriptedServer(() => {});
    const run = await verify(`${silent.url}/jelouapi`, {}, ["--timeout", "100", "--retries", "1"]);
    await silent.close();
    expect(run.code).toBe(EXIT.outage);
    expect(run.report.checks[0]).toMatchObject({ attempts: 2, outageReason: "no answer within 100 ms" });
  });

  it("stops at the run's time cap, whatever the retries", async () => {
    const silent = await startScriptedServer(() => {});
    const run = await verify(`${silent.url}/jelouapi`, {}, [
      "--timeout",
      "5000",
      "--retries",
      "10",
      "--max-duration",
      "1000",
    ]);
    await silent.close();
    expect(run.code).toBe(EXIT.outage);
    expect(run.report.checks.every((c: Json) => c.outageReason === "the run's time cap was reached")).toBe(true);
  });

  it("honours Retry-After before trying again", async () => {
    const limited = await recovering((n, res) => n === 1 && Boolean(res.writeHead(429, { "retry-after": "1" }).end()));
    const run = await verify(limited.baseUrl);
    await limited.close();
    expect(run.code).toBe(EXIT.conformant);
    expect((limited.arrivals[1] ?? 0) - (limited.arrivals[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("retries a 500 like any 5xx, and goes on when Jelou recovers", async () => {
    const failing = await recovering(
      (n, res) => n <= 2 && Boolean(res.writeHead(500, { "content-type": "application/json" }).end("{}")),
    );
    const run = await verify(failing.baseUrl);
    await failing.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(run.report.checks[0].attempts).toBe(3);
  });

  it("keeps to --max-duration even when Jelou asks to wait longer, and still writes a valid report", async () => {
    const slow = await startScriptedServer((_req, res) => {
      res.writeHead(429, { "retry-after": "30" }).end();
    });
    const started = Date.now();
    const run = await verify(`${slow.url}/jelouapi`, {}, ["--max-duration", "1500"]);
    await slow.close();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(run.code).toBe(EXIT.outage);
    expectValidReport(run.report);
  });

  it("retries a 429 and goes on when Jelou recovers", async () => {
    const limited = await recovering((n, res) => n === 1 && Boolean(res.writeHead(429, { "retry-after": "0" }).end()));
    const run = await verify(limited.baseUrl);
    await limited.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(run.report.checks[0].attempts).toBe(2);
  });
});

describe("verify:live configuration", () => {
  it.each([
    ["no project", { JELOU_PROJECT_ID: "" }, "JELOU_PROJECT_ID is not set"],
    ["no conversation", { JELOU_CONVERSATION_ID: "" }, "JELOU_CONVERSATION_ID is not set"],
    ["no credentials", { JELOU_API_KEY: "" }, "JELOU_API_KEY is not set"],
    ["half a Basic pair", { JELOU_API_KEY: "", JELOU_CLIENT_ID: "c" }, "JELOU_CLIENT_SECRET is not set"],
    ["both kinds of credentials", { JELOU_CLIENT_ID: "c", JELOU_CLIENT_SECRET: CLIENT_SECRET }, "not both"],
    ["a relative base URL", { JELOU_BASE_URL: "gateway.jelou.ai" }, "JELOU_BASE_URL must be an absolute"],
  ])("exits 2 for %s, naming the variable", async (_title, env, message) => {
    const run = await verify("http://127.0.0.1:9/jelouapi", env);
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toContain(API_KEY);
    expect(run.files.json).toBe("");
  });

  it("exits 2 for a bad flag value", async () => {
    const run = await verify("http://127.0.0.1:9/jelouapi", {}, ["--timeout", "soon"]);
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain("--timeout must be a whole number");
  });

  it("--help says what docs/drift-check.md says: retries on every 5xx, and every exit code from 0 to 4", () => {
    expect(USAGE).toContain("429 and every 5xx");
    for (const code of [
      "0 conformant",
      "1 breaking drift",
      "2 configuration",
      "3 Jelou unreachable",
      "4 verify:live",
    ]) {
      expect(USAGE).toContain(code);
    }
    const page = readFileSync(new URL("../../docs/drift-check.md", import.meta.url), "utf8");
    expect(page).toContain("every 5xx");
    expect(page).toMatch(/`4` means verify:live itself crashed/);
  });

  it("exits 2, not 1, when Jelou rejects the configured credentials", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: ["another-key"] });
    const run = await verify(fake.baseUrl);
    await fake.close();
    expect(run.code).toBe(EXIT.config);
    expect(run.report.outcome).toBe("credentials-rejected");
    expect(run.stderr).toContain("check JELOU_API_KEY");
  });
});

describe("verify:live secrets, privacy and report files", () => {
  it("never writes a credential to stdout, stderr or any report, even when Jelou echoes it", async () => {
    const echoing = await startDriftedJelou(
      (body) => {
        if (body.data) body.data.User.names = `${API_KEY} ${CLIENT_SECRET}`;
        if (body.error) body.error.description = `bad key ${API_KEY}`;
      },
      { basic: [{ clientId: "client-1", clientSecret: CLIENT_SECRET }] },
    );
    const basicEnv = { JELOU_API_KEY: "", JELOU_CLIENT_ID: "client-1", JELOU_CLIENT_SECRET: CLIENT_SECRET };
    const runs = [
      await verify(echoing.baseUrl, basicEnv, ["--show-values"]),
      await verify(echoing.baseUrl, {}, ["--show-values"]),
    ];
    await echoing.close();
    const summary = join(scratch, "summary.md");
    writeFileSync(summary, "");
    runs.push(await verify("http://127.0.0.1:9/jelouapi", { GITHUB_STEP_SUMMARY: summary }));
    const basicHeader = Buffer.from(`client-1:${CLIENT_SECRET}`).toString("base64");
    for (const run of runs) {
      const everything = [run.stdout, run.stderr, run.files.json, run.files.md, run.files.junit].join("\n");
      for (const secret of [API_KEY, CLIENT_SECRET, basicHeader]) expect(everything).not.toContain(secret);
    }
    expect(readFileSync(summary, "utf8")).toContain("## Jelou drift check");
  });

  it("never writes a secret in any escaped form, even through a closed-set field", async () => {
    const key = 'sk"SECRET&<key>\\9';
    const echoing = await startDriftedJelou(
      (body) => {
        if (body.data) body.data.state = key;
        body.statusMessage = key;
      },
      { apiKeys: [key] },
    );
    const run = await verify(echoing.baseUrl, { JELOU_API_KEY: key }, ["--show-values"]);
    await echoing.close();
    const everything = [run.stdout, run.stderr, run.files.json, run.files.md, run.files.junit].join("\n");
    expect(everything).not.toContain("SECRET");
    expect(run.code).toBe(EXIT.drift);
  });

  it("never writes a secret that Jelou echoes as a key, in any encoding an output uses", async () => {
    const key = "sk/zq7~key";
    const echoing = await startDriftedJelou(
      (body, reply) => {
        if (!body.error) return;
        body.error.developerMessages = { [key]: 5 };
        body.validationError = { [`${key} %`]: 1 };
        reply.contentType = `application/json; key="${key}"`;
      },
      { apiKeys: [key] },
    );
    const run = await verify(echoing.baseUrl, { JELOU_API_KEY: key }, ["--show-values"]);
    await echoing.close();
    const everything = [run.stdout, run.stderr, run.files.json, run.files.md, run.files.junit].join("\n");
    expect(findingsOf(run)).toContainEqual({
      check: "wrong-credentials",
      severity: "breaking",
      rule: "type-changed",
      pointer: "/error/developerMessages/[redacted]",
    });
    expect(everything).not.toContain("zq7");
  });

  it.each([
    ["as sent", (key: string) => key],
    ["lowercased", (key: string) => key.toLowerCase()],
  ])(
    "never writes a secret that Jelou echoes %s as a media type's subtype, in any letter case",
    async (_title, echo) => {
      const key = "SK_LIVE_AbCdEf123456";
      const echoing = await startDriftedJelou(
        (_body, reply) => {
          reply.contentType = `application/x-${echo(key)}`;
        },
        { apiKeys: [key] },
      );
      const runs = [
        await verify(echoing.baseUrl, { JELOU_API_KEY: key }),
        await verify(echoing.baseUrl, { JELOU_API_KEY: key }, ["--show-values"]),
      ];
      await echoing.close();
      for (const run of runs) {
        const everything = [run.stdout, run.stderr, run.files.json, run.files.md, run.files.junit].join("\n");
        expect(run.code).toBe(EXIT.drift);
        expect(everything.toLowerCase()).not.toContain(key.toLowerCase());
      }
    },
  );

  it("keeps names used as map keys and media type parameters out of every output", async () => {
    const jelou = await drifted((body, reply) => {
      if (!body.error) return;
      body.error.developerMessages = { "Juan Pérez": 5 };
      body.validationError = { "+525512345678": 1 };
      reply.contentType = 'text/plain; user="Juan Pérez"';
      reply.raw = "no";
    });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    const everything = [run.stdout, run.stderr, run.files.json, run.files.md, run.files.junit].join("\n");
    expect(everything).not.toMatch(/Juan|525512345678/);
    expect(run.report.checks[1]).toMatchObject({ contentType: "text/plain" });
    expect(run.report.checks[1].findings[0]).toMatchObject({ rule: "undeclared-media-type", observed: "text/plain" });
  });

  it("describes a masked media type the same way in the check and in its finding", async () => {
    const jelou = await drifted((_body, reply) => {
      if (reply.status === 200) reply.contentType = "application/x-Juan Pérez; charset=utf-8";
    });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    const [known] = run.report.checks as Json[];
    expect(known?.contentType).toBe("a 24-char media type (not shown)");
    expect(known?.findings).toEqual([
      expect.objectContaining({ rule: "undeclared-media-type", observed: known?.contentType }),
    ]);
  });

  it("shows an enumerated field's value only when it looks like a code, and hides key names that are data", async () => {
    const jelou = await drifted((body) => {
      body.statusMessage = "Hola Ana Souza";
      if (body.data) body.data.User["+525512345678"] = "x";
    });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    const everything = [run.stdout, run.files.json, run.files.md, run.files.junit].join("\n");
    expect(everything).not.toContain("Ana Souza");
    expect(everything).not.toContain("525512345678");
    expect(findingsOf(run)).toContainEqual({
      check: "known-conversation",
      severity: "info",
      rule: "undocumented-field",
      pointer: "/data/User/{13-char key}",
    });
  });

  it("exits 2 before calling Jelou when the report directory cannot be written", async () => {
    const notADir = join(scratch, "a-file");
    writeFileSync(notADir, "");
    let calls = 0;
    const jelou = await startScriptedServer((_req, res) => {
      calls++;
      res.end();
    });
    const run = await verify(`${jelou.url}/jelouapi`, {}, ["--report-dir", join(notADir, "reports")]);
    await jelou.close();
    expect(run.code).toBe(EXIT.config);
    expect(run.stderr).toContain("cannot be written");
    expect(calls).toBe(0);
  });

  it("keeps end users' names and ids out of reports unless --show-values", async () => {
    const jelou = await drifted(onData((d) => (d.User.names = 42)));
    const quiet = await verify(jelou.baseUrl, { JELOU_CONVERSATION_ID: "conv-private-77" });
    const loud = await verify(jelou.baseUrl, { JELOU_CONVERSATION_ID: "conv-private-77" }, ["--show-values"]);
    await jelou.close();
    for (const text of [quiet.files.json, quiet.files.md, quiet.files.junit, quiet.stdout])
      expect(text).not.toContain("conv-private-77");
    expect(quiet.report.checks[0].findings[0]).toMatchObject({
      pointer: "/data/User/names",
      expected: "string",
      observed: "integer",
    });
    expect(quiet.report.checks[0].findings[0]).not.toHaveProperty("value");
    expect(loud.report.checks[0].findings[0].value).toBe(42);
    expect(loud.files.json).toContain("conv-private-77");
  });

  it("writes a JSON report that matches its documented schema and a JUnit file that parses", async () => {
    const jelou = await drifted(onData((d) => delete d.roomId));
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    expectValidReport(run.report);
    expect(run.report.spec).toMatchObject({
      path: "spec/jelou-external-support.openapi.yaml",
      gitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });

    expect(XMLValidator.validate(run.files.junit)).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(run.files.junit);
    const cases = junit.testsuites.testsuite.testcase as Json[];
    expect(cases).toHaveLength(4);
    expect(cases[0]?.failure.message).toBe("1 finding(s)");
    expect(cases[0]?.failure["#text"]).toContain("missing-required-field at /data/roomId");
    expect(junit.testsuites).toMatchObject({ tests: "4", failures: "1", errors: "0" });
    expect(junit.testsuites.testsuite).toMatchObject({ skipped: "1" });
    expect(cases[3]?.skipped.message).toContain("the project has no integration");
    expect(run.files.md).toContain(
      "| breaking | known-conversation | `/data/roomId` | missing-required-field | present | absent |",
    );
  });
});

describe("verify:live on hostile input: never a crash, always the outcome's exit code", () => {
  it("keeps 1,000 findings per check and counts the rest when a body breaks the spec 180,000 times", async () => {
    const jelou = await drifted((body, reply) => {
      if (reply.status === 200) body.message = Array(180_000).fill(0);
    });
    const run = await verify(jelou.baseUrl);
    await jelou.close();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.drift);
    expectValidReport(run.report);
    const [known] = run.report.checks as Json[];
    expect(known?.findings).toHaveLength(1_000);
    expect(run.report.summary.breaking).toBeGreaterThanOrEqual(180_000);
    expect(known?.omittedFindings).toBe(run.report.summary.breaking - 1_000);
    expect(run.stdout).toContain(
      `known-conversation: ${known?.omittedFindings} more finding(s) not listed (at most 1000 per check)`,
    );
  });

  it("reports a body nested past the depth limit as one finding, even with --show-values", async () => {
    const depth = 100_000;
    const jelou = await drifted((body, reply) => {
      if (reply.status !== 200) return;
      reply.raw = JSON.stringify({ ...body, data: { ...body.data, User: 0 } }).replace(
        '"User":0',
        `"User":${"[".repeat(depth)}${"]".repeat(depth)}`,
      );
    });
    const run = await verify(jelou.baseUrl, {}, ["--show-values"]);
    await jelou.close();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.drift);
    expectValidReport(run.report);
    expect(findingsOf(run)).toEqual([
      { check: "known-conversation", severity: "breaking", rule: "nesting-too-deep", pointer: "" },
    ]);
  });

  it("names the target in the headline even when a secret is part of its host", async () => {
    // A short key that the host happens to contain (JELOU_API_KEY=demo, JELOU_BASE_URL=http://demo-server:4010).
    const key = "0.0.1";
    const fake = await startMockServer({ port: 0, apiKeys: [key] });
    const run = await verify(fake.baseUrl, { JELOU_API_KEY: key });
    await fake.close();
    const origin = new URL(fake.url).origin.replace(key, "[redacted]");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.conformant);
    expect(run.stdout).toContain(`verify:live: the API at ${origin} conforms to the spec (exit 0)`);
    expect(run.files.md).toContain(`## Jelou drift check: the API at ${origin} conforms to the spec`);
    expect(run.files.junit).toContain("<testsuites");
    expectValidReport(run.report);
    expect([run.stdout, run.files.json, run.files.md, run.files.junit].join("\n")).not.toContain(key);
  });

  it("warns on stderr when $GITHUB_STEP_SUMMARY cannot be written, and keeps the outcome's exit code", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    const run = await verify(fake.baseUrl, { GITHUB_STEP_SUMMARY: scratch });
    await fake.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(run.stderr).toMatch(/^Failed to append the report to GITHUB_STEP_SUMMARY .*: EISDIR\. /);
    expect(run.stderr).not.toContain("    at ");
    expectValidReport(run.report);
    expect(run.files.md).toContain("## Jelou drift check");
  });
});

describe("npm run verify:live (the command)", () => {
  it("runs as a process and exits with the check's code", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    const dir = join(scratch, "cli");
    const env = {
      ...process.env,
      JELOU_BASE_URL: fake.baseUrl,
      JELOU_PROJECT_ID: "p",
      JELOU_CONVERSATION_ID: "c",
      JELOU_API_KEY: API_KEY,
    };
    const [ok, bad] = await Promise.all([
      runScriptAsync("scripts/verify-live.ts", ["--report-dir", dir], env),
      runScriptAsync("scripts/verify-live.ts", [], { ...env, JELOU_PROJECT_ID: "" }),
    ]);
    await fake.close();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`the API at ${new URL(fake.url).origin} conforms to the spec`);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("JELOU_PROJECT_ID is not set");
  });
});

describe("verify:live --allow-writes: the write flow in a sandbox project", () => {
  const SANDBOX = {
    JELOU_SANDBOX_PROJECT_ID: "sandbox-1",
    JELOU_SANDBOX_BOT_ID: "bot-1",
    JELOU_SANDBOX_USER_ID: "+5215512345678",
    JELOU_SANDBOX_WEBHOOK_URL: "https://panel.example.com/jelou",
  };
  const WRITE_IDS = [
    "write-create-integration",
    "write-get-integration",
    "write-update-integration",
    "write-start-conversation",
    "write-get-active-conversation",
    "write-close-conversation",
    "write-get-closed-conversation",
    "write-delete-integration",
  ];
  const writeChecks = (run: Run) =>
    (run.report.checks as Json[])
      .filter((c) => c.id.startsWith("write-"))
      .map((c) => [c.id, c.request.method, c.status, c.outcome]);

  it("creates, reads, patches, starts, closes and deletes, each judged, and removes all it created", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    fake.setProviderState("project {projectId} has an integration", { projectId: "project-1" });
    const run = await verify(fake.baseUrl, SANDBOX, ["--allow-writes"]);
    const after = fake.state();
    await fake.close();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(EXIT.conformant);
    expect(writeChecks(run)).toEqual([
      ["write-create-integration", "POST", 200, "pass"],
      ["write-get-integration", "GET", 200, "pass"],
      ["write-update-integration", "PATCH", 200, "pass"],
      ["write-start-conversation", "POST", 200, "pass"],
      ["write-get-active-conversation", "GET", 200, "pass"],
      ["write-close-conversation", "POST", 200, "pass"],
      ["write-get-closed-conversation", "GET", 200, "pass"],
      ["write-delete-integration", "DELETE", 200, "pass"],
    ]);
    const id = after.conversations[0]?.conversation._id;
    expect(run.report.writes).toEqual({
      created: ["integration", `conversation ${id}`],
      removed: [`conversation ${id} (closed)`, "integration"],
      leftInPlace: [],
    });
    expect(after.integrations.map((i) => i.projectId)).toEqual(["project-1"]);
    expect(after.conversations.map((c) => c.conversation.state)).toEqual(["closed"]);
    expect(run.stdout).toContain(`Writes (--allow-writes): created integration, conversation ${id}`);
    expect(run.files.md).toContain(
      "| write-update-integration | `PATCH /v1/external-support/{projectId}` (api-key) | 200 | 200 | pass |",
    );
    expectValidReport(run.report);
  });

  it("reuses an integration that exists (a 409), patches it with its own URL, and leaves it in place", async () => {
    const fake = await startMockServer({ port: 0, apiKeys: [API_KEY] });
    fake.setProviderState("project {projectId} has an integration", {
      projectId: "sandbox-1",
      webhookUrl: "https://keep.example.com/hook",
    });
    const run = await verify(fake.baseUrl, SANDBOX, ["--allow-writes"]);
    const after = fake.state();
    await fake.close();
    expect(run.code).toBe(EXIT.conformant);
    expect(writeChecks(run)[0]).toEqual(["write-create-integration", "POST", 409, "pass"]);
    expect(writeChecks(run).map(([id]) => id)).toEqual(WRITE_IDS.slice(0, -1));
    expect(run.report.writes.leftInPlace).toEqual(["integration (it existed before the run)"]);
    expect(after.integrations.map((i) => [i.projectId, i.integration.webhookUrl])).toEqual([
      ["sandbox-1", "https://keep.example.com/hook"],
    ]);
  });

  it("still closes what the start opened and deletes the integration it created when the flow fails half-way, and says so", async () => {
    const jelou = await drifted((body, reply) => {
      if (body.message?.[0] === "Conversation started successfully") reply.status = 503;
    });
    const run = await verify(jelou.baseUrl, SANDBOX, ["--allow-writes"]);
    const after = jelou.fake.state();
    await jelou.close();
    expect(run.code).toBe(EXIT.outage);
    expect(writeChecks(run)).toEqual([
      ["write-create-integration", "POST", 200, "pass"],
      ["write-get-integration", "GET", 200, "pass"],
      ["write-update-integration", "PATCH", 200, "pass"],
      ["write-start-conversation", "POST", 503, "outage"],
      ["write-delete-integration", "DELETE", 200, "pass"],
    ]);
    // The 503 came after Jelou (the fake) had started it: the flow closes it by bot and user all the same.
    expect(run.report.writes).toEqual({
      created: ["integration"],
      removed: ["a conversation the start may have opened (closed)", "integration"],
      leftInPlace: [],
    });
    expect(after.integrations).toEqual([]);
    expect(after.conversations.map((c) => c.conversation.state)).toEqual(["closed"]);
  });

  it("judges every write: a create that does not show the signing secret is breaking drift", async () => {
    const jelou = await drifted(
      onData((d) => {
        if (d.signingSecret) delete d.signingSecret;
      }),
    );
    const run = await verify(jelou.baseUrl, SANDBOX, ["--allow-writes"]);
    await jelou.close();
    expect(run.code).toBe(EXIT.drift);
    expect(findingsOf(run)).toEqual([
      {
        check: "write-create-integration",
        severity: "breaking",
        rule: "missing-required-field",
        pointer: "/data/signingSecret",
      },
    ]);
    expect(run.report.writes.removed).toContain("integration");
  });

  it("closes by bot and user a conversation whose start answered without an id, and says a create without an answer may have left one", async () => {
    const noId = await drifted((body) => {
      if (body.message?.[0] === "Conversation started successfully") delete body.data._id;
    });
    const run = await verify(noId.baseUrl, SANDBOX, ["--allow-writes"]);
    const after = noId.fake.state();
    await noId.close();
    expect(run.report.writes.removed).toEqual(["a conversation the start may have opened (closed)", "integration"]);
    expect(after.conversations.map((c) => c.conversation.state)).toEqual(["closed"]);

    const lost = await drifted((body, reply) => {
      if (body.message?.[0] === "Integration created successfully") reply.status = 503;
    });
    const second = await verify(lost.baseUrl, SANDBOX, ["--allow-writes"]);
    await lost.close();
    expect(second.report.writes).toEqual({
      created: [],
      removed: [],
      leftInPlace: ["integration (may exist: the create got no clear answer)"],
    });
  });

  it("does not patch an integration it did not create when it could not read its URL", async () => {
    const jelou = await drifted((body, reply) => {
      if (body.message?.[0] === "Integration retrieved successfully") reply.status = 503;
    });
    jelou.fake.setProviderState("project {projectId} has an integration", {
      projectId: "sandbox-1",
      webhookUrl: "https://owner.example.com/theirs",
    });
    const run = await verify(jelou.baseUrl, SANDBOX, ["--allow-writes"]);
    const after = jelou.fake.state();
    await jelou.close();
    expect(writeChecks(run).map(([id]) => id)).not.toContain("write-update-integration");
    expect(after.integrations[0]?.integration.webhookUrl).toBe("https://owner.example.com/theirs");
  });

  it("never shows a signing secret with --show-values, even one that breaks the spec", async () => {
    const jelou = await drifted(
      onData((d) => {
        if (d.signingSecret) d.signingSecret = "3C341EE4AAAA";
      }),
    );
    const run = await verify(jelou.baseUrl, SANDBOX, ["--allow-writes", "--show-values"]);
    await jelou.close();
    expect(findingsOf(run)).toContainEqual({
      check: "write-create-integration",
      severity: "breaking",
      rule: "schema-violation",
      pointer: "/data/signingSecret",
    });
    for (const text of [run.files.json, run.files.md, run.files.junit, run.stdout])
      expect(text).not.toContain("3C341EE4");
  });

  it.each(["JELOU_SANDBOX_PROJECT_ID", "JELOU_SANDBOX_BOT_ID", "JELOU_SANDBOX_USER_ID", "JELOU_SANDBOX_WEBHOOK_URL"])(
    "refuses --allow-writes without %s, with exit 2 and no request sent",
    async (variable) => {
      const jelou = await startScriptedServer(answer(200, {}));
      const run = await verify(`${jelou.url}/jelouapi`, { ...SANDBOX, [variable]: "" }, ["--allow-writes"]);
      await jelou.close();
      expect(run.code).toBe(EXIT.config);
      expect(run.stderr).toContain(`--allow-writes needs ${variable}`);
      expect(jelou.requests).toEqual([]);
    },
  );
});
