// The drift check's report, and its three renderings: JSON (machine), Markdown (people), JUnit XML (CI reporters).
// Pure builders; run.ts writes them. Values never enter a report unless --show-values put them in the findings.
import { XMLBuilder } from "fast-xml-parser";
import type { Finding } from "../../spec/drift/compare.ts";
import { MAX_FINDINGS_PER_CHECK } from "../../spec/drift/output.ts";

export type CheckId =
  | "known-conversation"
  | "closed-conversation"
  | "active-conversation"
  | "wrong-credentials"
  | "missing-conversation"
  | "integration"
  | "write-create-integration"
  | "write-get-integration"
  | "write-update-integration"
  | "write-start-conversation"
  | "write-get-active-conversation"
  | "write-close-conversation"
  | "write-get-closed-conversation"
  | "write-delete-integration";
/** `skipped`: the check had nothing to compare (the project has no integration), and what it saw was conformant. */
export type CheckOutcome = "pass" | "drift" | "outage" | "credentials-rejected" | "skipped";
export type RunOutcome = "conformant" | "drift" | "outage" | "credentials-rejected";

export interface CheckResult {
  id: CheckId;
  title: string;
  request: {
    method: "GET" | "POST" | "PATCH" | "DELETE";
    path: string;
    auth: "api-key" | "basic" | "wrong-credentials";
  };
  expectedStatus: number;
  status: number | null;
  contentType: string | null;
  attempts: number;
  durationMs: number;
  outcome: CheckOutcome;
  outageReason?: string;
  /** Why a skipped check compared nothing. */
  skipReason?: string;
  /** The first MAX_FINDINGS_PER_CHECK findings, most severe first. */
  findings: Finding[];
  /** Findings past the cap: counted in the summary, not listed. Absent when none were left out. */
  omittedFindings?: number;
}

/** drift-report.json: its shape is documented by drift-report.schema.json beside this file. */
export interface DriftReport {
  tool: "fake-jelou verify:live";
  reportVersion: 1;
  outcome: RunOutcome;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** `origin` is read from the URL before redaction: a redacted URL (`http://[redacted]-server:4010`) may not parse. */
  target: { baseUrl: string; origin: string; auth: "api-key" | "basic" };
  spec: { path: string; gitSha: string | null; sha256: string };
  options: { strict: boolean; showValues: boolean; timeoutMs: number; retries: number };
  summary: { checks: number; breaking: number; warning: number; info: number };
  checks: CheckResult[];
  /** With --allow-writes: what the write flow created, what it removed again, and what it left in place. */
  writes?: { created: string[]; removed: string[]; leftInPlace: string[] };
}

// One line on the write flow's traces in the sandbox, for every rendering.
function writesLine(report: DriftReport): string | undefined {
  const w = report.writes;
  if (!w) return undefined;
  const list = (items: string[]) => (items.length > 0 ? items.join(", ") : "nothing");
  return `Writes (--allow-writes): created ${list(w.created)}; removed ${list(w.removed)}; left in place ${list(w.leftInPlace)}.`;
}

// Named after the target, not "production": the check runs against fakes and staging too.
function headline(report: DriftReport): string {
  const api = `the API at ${report.target.origin}`;
  return {
    conformant: `${api} conforms to the spec`,
    drift: `${api} drifted from the spec`,
    outage: `${api} could not be reached: outage, not drift`,
    "credentials-rejected": `${api} rejected the configured credentials: configuration, not drift`,
  }[report.outcome];
}

/** The console summary: one line per check, then one per finding. */
export function consoleSummary(report: DriftReport): string {
  const lines = [`verify:live: ${headline(report)} (exit ${report.exitCode})`];
  const rows = report.checks.map((c) => [
    c.id,
    String(c.expectedStatus),
    String(c.status ?? "-"),
    c.outcome,
    String(c.findings.length),
  ]);
  lines.push(...table(["check", "expected", "got", "result", "findings"], rows));
  const findings = report.checks.flatMap((c) =>
    c.findings.map((f) => [f.severity, c.id, f.pointer || "(response)", f.rule, f.expected, f.observed]),
  );
  if (findings.length > 0)
    lines.push("", ...table(["severity", "check", "pointer", "rule", "expected", "observed"], findings));
  for (const c of report.checks) {
    if (c.omittedFindings) lines.push(omitted(c));
    if (c.outageReason) lines.push(`${c.id}: ${c.outageReason} after ${c.attempts} attempt(s)`);
    if (c.skipReason) lines.push(`${c.id}: skipped: ${c.skipReason}`);
  }
  const writes = writesLine(report);
  if (writes) lines.push(writes);
  return `${lines.join("\n")}\n`;
}

function omitted(c: CheckResult): string {
  return `${c.id}: ${c.omittedFindings} more finding(s) not listed (at most ${MAX_FINDINGS_PER_CHECK} per check)`;
}

function table(header: string[], rows: string[][]): string[] {
  // A loop, not Math.max(...spread): a spread of many rows exceeds the engine's argument limit.
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), h.length));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** drift-report.md, also appended to $GITHUB_STEP_SUMMARY. */
export function markdownReport(report: DriftReport): string {
  const cell = (s: string) => s.replaceAll("|", "\\|").replaceAll("\n", " ");
  const out = [
    `## Jelou drift check: ${headline(report)}`,
    "",
    `Target \`${report.target.baseUrl}\` (${report.target.auth}) · spec \`${report.spec.gitSha?.slice(0, 12) ?? "uncommitted"}\` · ${report.startedAt} · ${report.durationMs} ms · exit ${report.exitCode}`,
    "",
    `**${report.summary.breaking} breaking, ${report.summary.warning} warning, ${report.summary.info} info** over ${report.summary.checks} checks${report.options.strict ? " (strict: warnings fail)" : ""}.`,
    "",
    "| check | request | expected | got | result |",
    "|---|---|---|---|---|",
    ...report.checks.map(
      (c) =>
        `| ${c.id} | \`${cell(`${c.request.method} ${c.request.path}`)}\` (${c.request.auth}) | ${c.expectedStatus} | ${c.status ?? "-"} | ${c.outcome}${c.outageReason ? `: ${cell(c.outageReason)}` : ""}${c.skipReason ? `: ${cell(c.skipReason)}` : ""} |`,
    ),
  ];
  const findings = report.checks.flatMap((c) => c.findings.map((f) => ({ check: c.id, ...f })));
  if (findings.length > 0) {
    out.push("", "| severity | check | pointer | rule | expected | observed |", "|---|---|---|---|---|---|");
    for (const f of findings) {
      out.push(
        `| ${f.severity} | ${f.check} | \`${cell(f.pointer || "(response)")}\` | ${f.rule} | ${cell(f.expected)} | ${cell(f.observed)} |`,
      );
    }
  }
  const capped = report.checks.filter((c) => c.omittedFindings);
  if (capped.length > 0) out.push("", ...capped.map((c) => `- ${omitted(c)}`));
  const writes = writesLine(report);
  if (writes) out.push("", writes);
  return `${out.join("\n")}\n`;
}

/** junit.xml: one testcase per check; breaking findings (and warnings under --strict) fail it, an outage errors it. */
export function junitReport(report: DriftReport): string {
  const failing = (f: Finding) => f.severity === "breaking" || (report.options.strict && f.severity === "warning");
  const describe = (f: Finding) =>
    `${f.severity} ${f.rule} at ${f.pointer || "(response)"}: expected ${f.expected}, observed ${f.observed}. ${f.message}`;
  const testcases = report.checks.map((c) => {
    const failures = c.findings.filter(failing);
    const others = c.findings.filter((f) => !failing(f));
    return {
      "@_classname": "verify-live",
      "@_name": `${c.id}: ${c.title}`,
      "@_time": (c.durationMs / 1000).toFixed(3),
      ...(c.outcome === "outage" || c.outcome === "credentials-rejected"
        ? { error: { "@_type": c.outcome, "@_message": c.outageReason ?? c.outcome } }
        : {}),
      ...(c.outcome === "skipped" ? { skipped: { "@_message": c.skipReason ?? "skipped" } } : {}),
      ...(failures.length > 0
        ? {
            failure: {
              "@_type": "drift",
              "@_message": `${failures.length} finding(s)`,
              "#text": failures.map(describe).join("\n"),
            },
          }
        : {}),
      ...(others.length > 0 || c.omittedFindings
        ? { "system-out": [...others.map(describe), ...(c.omittedFindings ? [omitted(c)] : [])].join("\n") }
        : {}),
    };
  });
  const failures = testcases.filter((t) => "failure" in t).length;
  const errors = testcases.filter((t) => "error" in t).length;
  const skipped = testcases.filter((t) => "skipped" in t).length;
  const suite = {
    "@_name": "jelou-drift-check",
    "@_tests": testcases.length,
    "@_failures": failures,
    "@_errors": errors,
    "@_skipped": skipped,
    "@_time": (report.durationMs / 1000).toFixed(3),
    "@_timestamp": report.startedAt,
    testcase: testcases,
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    format: true,
    suppressEmptyNode: true,
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({
    testsuites: {
      "@_name": "verify:live",
      "@_tests": testcases.length,
      "@_failures": failures,
      "@_errors": errors,
      testsuite: suite,
    },
  })}`;
}
