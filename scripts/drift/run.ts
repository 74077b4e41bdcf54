// The drift check as a command: reads configuration, calls Jelou through an injectable fetch, compares, writes the
// reports and decides the exit code. The judgement itself is compare.ts; the renderings are report.ts.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, appendFileSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { compareResponse, type Finding } from "../../spec/drift/compare.ts";
import { mediaType } from "../../spec/drift/mask.ts";
import { EXIT, listFindings, redactDeep, redactor, secretForms } from "../../spec/drift/output.ts";
import { loadSpec, SPEC_PATH } from "../../spec/load-spec.ts";
import { createSpecValidator } from "../../spec/schema-validator.ts";
import type { Check, Judge } from "./check.ts";
import { ConfigError, type DriftConfig, readConfig, USAGE } from "./config.ts";
import { type CheckResult, consoleSummary, type DriftReport, junitReport, markdownReport } from "./report.ts";
import { getWithRetry, sendOnce } from "./request.ts";
import { runWriteFlow } from "./write-flow.ts";

export interface RunOptions {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** The network (default: globalThis.fetch); tests pass local servers' URLs instead, never production. */
  fetch?: typeof globalThis.fetch;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Relative report directories resolve against this (default: process.cwd()). */
  cwd?: string;
  /** Backoff bounds, shortened by tests. */
  backoff?: { minBackoffMs: number; maxBackoffMs: number };
}

const ROOT = resolve(import.meta.dirname, "../..");
const CONVERSATION_PATH = "/v1/external-support/{projectId}/conversations/{conversationId}";
const INTEGRATION_PATH = "/v1/external-support/{projectId}";

/** Runs the drift check; resolves with the process exit code. Never throws. */
export async function runVerifyLive(options: RunOptions): Promise<number> {
  const redact = redactor(secretsIn(options.env));
  const out = (text: string) => options.stdout(redact(text));
  const err = (text: string) => options.stderr(redact(text));
  try {
    let config: DriftConfig;
    try {
      config = readConfig(options.argv, options.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      err(`Failed to start the drift check: ${error.message}\n\n${USAGE}\n`);
      return EXIT.config;
    }
    const dir = resolve(options.cwd ?? process.cwd(), config.reportDir);
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      err(
        `Failed to start the drift check: the report directory ${dir} cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Pass another --report-dir.\n`,
      );
      return EXIT.config;
    }
    // Every string the report holds is redacted before any serialisation, so no escaped form of a secret survives.
    const report = redactDeep(await check(config, options, redact), redact);
    writeFileSync(join(dir, "drift-report.json"), redact(`${JSON.stringify(report, null, 2)}\n`));
    writeFileSync(join(dir, "drift-report.md"), redact(markdownReport(report)));
    writeFileSync(join(dir, "junit.xml"), redact(junitReport(report)));
    const summaryPath = options.env.GITHUB_STEP_SUMMARY;
    if (summaryPath) {
      // The reports are written and the outcome is known: a summary that cannot be written must not change it.
      try {
        appendFileSync(summaryPath, redact(markdownReport(report)));
      } catch (error) {
        err(
          `Failed to append the report to GITHUB_STEP_SUMMARY (${summaryPath}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. The reports in ${dir} are complete; point GITHUB_STEP_SUMMARY at a writable file or unset it.\n`,
        );
      }
    }
    out(consoleSummary(report));
    out(`Reports: ${dir}/drift-report.{json,md}, junit.xml\n`);
    if (report.outcome === "credentials-rejected") {
      err(
        `Jelou answered 401 to the configured credentials: check ${config.credentials.kind === "api-key" ? "JELOU_API_KEY" : "JELOU_CLIENT_ID/JELOU_CLIENT_SECRET"}.\n`,
      );
    }
    return report.exitCode;
  } catch (error) {
    err(`verify:live failed unexpectedly (a bug of fake-jelou): ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.internal;
  }
}

async function check(config: DriftConfig, options: RunOptions, redact: (text: string) => string): Promise<DriftReport> {
  const started = Date.now();
  const spec = loadSpec();
  const context = {
    spec,
    validator: createSpecValidator(spec),
    strictValidator: createSpecValidator(spec, { strict: true }),
    showValues: config.showValues,
  };
  const auth = config.credentials.kind;
  const project = `/v1/external-support/${encodeURIComponent(config.projectId)}`;
  const conversation = (id: string) => ({
    path: `${project}/conversations/${encodeURIComponent(id)}`,
    template: CONVERSATION_PATH,
  });
  const checks: Check[] = [
    {
      id: "known-conversation",
      title: "a known conversation answers 200 with a valid body",
      ...conversation(config.conversationId),
      auth,
      expect: { status: 200 },
    },
    ...(config.closedConversationId
      ? [
          {
            id: "closed-conversation" as const,
            title: "a closed conversation is closed",
            ...conversation(config.closedConversationId),
            auth,
            expect: { status: 200, state: "closed" as const },
          },
        ]
      : []),
    ...(config.activeConversationId
      ? [
          {
            id: "active-conversation" as const,
            title: "an active conversation is active",
            ...conversation(config.activeConversationId),
            auth,
            expect: { status: 200, state: "active" as const },
          },
        ]
      : []),
    {
      id: "wrong-credentials",
      title: "wrong credentials answer 401 with an error envelope",
      ...conversation(config.conversationId),
      auth: "wrong-credentials",
      expect: { status: 401, invalidCredential: true },
    },
    {
      id: "missing-conversation",
      title: "an unknown conversation answers 404 with an error envelope",
      ...conversation(config.missingConversationId),
      auth,
      expect: { status: 404 },
    },
    {
      id: "integration",
      title: "the project's integration answers 200, without its signing secret or credential",
      path: project,
      template: INTEGRATION_PATH,
      auth,
      expect: { status: 200, operationId: "getIntegration" },
      skipOn404:
        "the project has no integration (Jelou answered 404, in an envelope the spec accepts); give JELOU_PROJECT_ID a project that has one to compare its body",
    },
  ];

  const deadline = AbortSignal.timeout(config.maxDurationMs);
  const results: CheckResult[] = [];
  // Counted over every finding, listed or not, so the summary stays true when a check's list is capped.
  const counts = { breaking: 0, warning: 0, info: 0 };
  const tally = (findings: readonly Finding[]) => {
    for (const f of findings) counts[f.severity]++;
  };
  const judge: Judge = async (c, send) => {
    const begun = Date.now();
    const answer = await send();
    const base = {
      id: c.id,
      title: c.title,
      request: { method: c.method ?? "GET", path: config.showValues ? c.path : c.template, auth: c.auth },
      expectedStatus: c.expect.status,
      attempts: answer.attempts,
      durationMs: Date.now() - begun,
    };
    if (answer.kind === "outage") {
      const result: CheckResult = {
        ...base,
        status: answer.status ?? null,
        contentType: null,
        outcome: "outage",
        outageReason: answer.reason,
        findings: [],
      };
      return { result, body: undefined };
    }
    const body = parseBody(answer.bodyText);
    // Masked once, here, for the check and its findings alike, and after redaction: cutting the parameters off
    // first could leave part of a secret (one with a `;`) that no redaction recognises.
    const shownContentType = config.showValues ? redact(answer.contentType) : mediaType(redact(answer.contentType));
    const observed = {
      status: answer.status,
      contentType: answer.contentType,
      shownContentType,
      bodyText: answer.bodyText,
      truncated: answer.truncated,
    };
    if (c.auth !== "wrong-credentials" && answer.status === 401) {
      const result: CheckResult = {
        ...base,
        status: 401,
        contentType: shownContentType,
        outcome: "credentials-rejected",
        outageReason: "the configured credentials were rejected",
        findings: [],
      };
      return { result, body };
    }
    // A 404 the check may skip on, or another status it accepts, is still judged, as the spec declares it.
    const skipping = c.skipOn404 !== undefined && answer.status === 404;
    const other = skipping || (c.alsoAccepted !== undefined && answer.status === c.alsoAccepted);
    const findings = compareResponse(context, other ? { ...c.expect, status: answer.status } : c.expect, observed);
    const failing = findings.some((f) => f.severity === "breaking" || (config.strict && f.severity === "warning"));
    tally(findings);
    const result: CheckResult = {
      ...base,
      status: answer.status,
      contentType: shownContentType,
      outcome: failing ? "drift" : skipping ? "skipped" : "pass",
      ...(skipping && !failing && { skipReason: c.skipOn404 }),
      ...listFindings(findings),
    };
    return { result, body };
  };
  const headers = (wrong: boolean) => ({
    Accept: "application/json",
    "User-Agent": "fake-jelou-verify-live",
    ...credentialHeaders(config, wrong),
  });
  const policy = { retries: config.retries, timeoutMs: config.timeoutMs, deadline, ...options.backoff };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  for (const c of checks) {
    const { result } = await judge(c, () =>
      getWithRetry(`${config.baseUrl}${c.path}`, headers(c.auth === "wrong-credentials"), policy, fetchImpl),
    );
    results.push(result);
  }
  let writes: DriftReport["writes"];
  if (config.writes) {
    const flow = await runWriteFlow(config.writes, auth, judge, {
      get: (path) => getWithRetry(`${config.baseUrl}${path}`, headers(false), policy, fetchImpl),
      write: (method, path, body) =>
        sendOnce(method, `${config.baseUrl}${path}`, headers(false), body, policy, fetchImpl),
    });
    results.push(...flow.results);
    writes = flow.writes;
  }

  // Drift found is drift, whatever else happened: an unreachable check must not hide a broken one.
  const outcome = results.some((r) => r.outcome === "drift")
    ? "drift"
    : results.some((r) => r.outcome === "credentials-rejected")
      ? "credentials-rejected"
      : results.some((r) => r.outcome === "outage")
        ? "outage"
        : "conformant";
  const exitCode = {
    outage: EXIT.outage,
    "credentials-rejected": EXIT.config,
    drift: EXIT.drift,
    conformant: EXIT.conformant,
  }[outcome];
  const finished = Date.now();
  return {
    tool: "fake-jelou verify:live",
    reportVersion: 1,
    outcome,
    exitCode,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: finished - started,
    // Parsed here, before redaction: readConfig checked it is a URL, which its redacted text may no longer be.
    target: { baseUrl: config.baseUrl, origin: new URL(config.baseUrl).origin, auth },
    spec: {
      path: relative(ROOT, SPEC_PATH),
      gitSha: specGitSha(),
      sha256: createHash("sha256").update(readFileSync(SPEC_PATH)).digest("hex"),
    },
    options: {
      strict: config.strict,
      showValues: config.showValues,
      timeoutMs: config.timeoutMs,
      retries: config.retries,
    },
    summary: { checks: results.length, ...counts },
    checks: results,
    ...(writes && { writes }),
  };
}

function credentialHeaders(config: DriftConfig, wrong: boolean): Record<string, string> {
  const c = config.credentials;
  // A wrong credential of the configured kind: Jelou must refuse it whichever scheme it now prefers.
  if (c.kind === "api-key") return { "x-api-key": wrong ? "fake-jelou-verify-live-invalid-key" : c.apiKey };
  const secret = wrong ? "fake-jelou-verify-live-invalid-secret" : c.clientSecret;
  return { Authorization: `Basic ${Buffer.from(`${c.clientId}:${secret}`).toString("base64")}` };
}

// Every credential of the configuration, and the Basic header made of it, in every form an output may carry.
function secretsIn(env: RunOptions["env"]): string[] {
  const key = env.JELOU_API_KEY?.trim();
  const id = env.JELOU_CLIENT_ID?.trim();
  const secret = env.JELOU_CLIENT_SECRET;
  return secretForms([key, secret, id && secret ? Buffer.from(`${id}:${secret}`).toString("base64") : undefined]);
}

function specGitSha(): string | null {
  try {
    const sha = execFileSync("git", ["log", "-1", "--format=%H", "--", relative(ROOT, SPEC_PATH)], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    return sha || null;
  } catch {
    return null;
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
