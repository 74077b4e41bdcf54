// validate-webhook: the judgement as a library call (most cases, in-process), then the command as a process for what
// only a process shows: exit codes, stdin, input refused, and secrets absent from everything it prints.
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  MAX_DELIVERIES,
  MAX_INPUT_BYTES,
  readWebhookInput,
  type ValidateWebhookOptions,
  validateWebhooks,
  WebhookInputError,
} from "../../mock/validate-webhook.ts";
import { loadSpec } from "../../spec/load-spec.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const spec = loadSpec();
type Body = Record<string, unknown>;

/** The spec's own named examples of each event's body. */
const examples = Object.entries(spec.webhooks as Record<string, Body>).flatMap(([event, item]) => {
  const named = (item as { post: { requestBody: { content: Record<string, { examples: Body }> } } }).post.requestBody
    .content["application/json"]?.examples;
  return Object.entries(named ?? {}).map(([name, e]) => [event, name, (e as { value: Body }).value] as const);
});
const example = (event: string): Body => structuredClone(examples.find(([e]) => e === event)?.[2] ?? {});
const closeEvent = example("conversation.close");
const messageEvent = example("message");

const SECRET = "whsecZq9LmN3pXr7Tb2Kd";
const sign = (raw: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
const capture = (raw: string, headers: Record<string, string | string[]> = {}) =>
  JSON.stringify({
    headers: { "Content-Type": "application/json", "X-Jelou-Signature": sign(raw), ...headers },
    body: raw,
  });

const judge = (input: string, options: ValidateWebhookOptions = {}) =>
  validateWebhooks(Buffer.from(input), options).report;
const brief = (input: string, options: ValidateWebhookOptions = {}) =>
  judge(input, options).deliveries.flatMap((d) =>
    d.findings.map((f) => [f.severity, f.rule, f.header !== undefined ? `header ${f.header}` : f.pointer]),
  );

describe("validateWebhooks", () => {
  it.each(examples)("finds nothing in the spec's %s example %s", (event, _name, value) => {
    const report = judge(JSON.stringify(value));
    expect(report.deliveries).toEqual([
      expect.objectContaining({ event, format: "payload", outcome: "pass", findings: [] }),
    ]);
    expect([report.outcome, report.exitCode]).toEqual(["conformant", 0]);
  });

  it("reports a missing required field as breaking, at its pointer, and exits 1", () => {
    const { endAt: _, ...conversation } = closeEvent.conversation as Body;
    const report = judge(JSON.stringify({ ...closeEvent, conversation }));
    expect(report.deliveries[0]?.findings).toEqual([
      expect.objectContaining({
        severity: "breaking",
        rule: "missing-required-field",
        pointer: "/conversation/endAt",
        expected: "present",
        observed: "absent",
      }),
    ]);
    expect([report.outcome, report.exitCode, report.summary.breaking]).toEqual(["drift", 1, 1]);
  });

  it("reports a wrong type by its type, never its value", () => {
    const report = judge(JSON.stringify({ ...closeEvent, timestamp: "2026-01-15 10:45" }));
    expect(report.deliveries[0]?.findings).toEqual([
      expect.objectContaining({ rule: "type-changed", pointer: "/timestamp", expected: "integer", observed: "string" }),
    ]);
    expect(JSON.stringify(report)).not.toContain("10:45");
  });

  it("reports an undocumented field as info (the drift check's undocumented-field), which does not fail", () => {
    const value = { ...(messageEvent.value as Body), lastSeenAt: 1 };
    expect(brief(JSON.stringify({ ...messageEvent, value, JuanPerez: "x" }))).toEqual([
      ["info", "undocumented-field", "/value/lastSeenAt"],
      ["info", "undocumented-field", "/{9-char key}"],
    ]);
    expect(judge(JSON.stringify({ ...messageEvent, value })).exitCode).toBe(0);
  });

  it("reports a reason outside EndedReason's x-known-values as a warning: exit 0, or 1 under --strict", () => {
    const body = JSON.stringify({ ...closeEvent, reason: "closed_by_timeout" });
    const report = judge(body);
    expect(report.deliveries[0]?.findings).toEqual([
      expect.objectContaining({
        severity: "warning",
        rule: "new-open-enum-value",
        pointer: "/reason",
        expected: "one of closed_by_operator",
        observed: '"closed_by_timeout"',
      }),
    ]);
    expect(report.exitCode).toBe(0);
    expect(judge(body, { strict: true }).exitCode).toBe(1);
    // A value without a code's shape may be a person's words: its length only, unless values are asked for.
    expect(judge(JSON.stringify({ ...closeEvent, reason: "Juan Pérez" })).deliveries[0]?.findings[0]?.observed).toBe(
      "a 10-char string (not shown)",
    );
  });

  it("reports an event the spec does not declare, or none, as breaking, and judges nothing else", () => {
    expect(brief(JSON.stringify({ ...closeEvent, event: "conversation.transfer", timestamp: "x" }))).toEqual([
      ["breaking", "unknown-event", "/event"],
    ]);
    const none = judge(JSON.stringify({ hello: 1 })).deliveries[0];
    expect(none).toMatchObject({ event: null, outcome: "drift" });
    expect(none?.findings[0]).toMatchObject({ rule: "unknown-event", pointer: "", observed: "absent" });
    expect(none?.findings[0]?.message).toContain("--event");
  });

  it("judges every delivery as the event --event names, and refuses an event the spec does not declare", () => {
    expect(judge(JSON.stringify(messageEvent), { event: "conversation.close" }).deliveries[0]).toMatchObject({
      event: "conversation.close",
      outcome: "drift",
    });
    expect(() => judge("{}", { event: "conversation.transfer" })).toThrow(
      new WebhookInputError("--event must be one of conversation.start, conversation.close, message."),
    );
  });

  it("judges JSON Lines of captures and payloads, each with its line, headers and signature", () => {
    const closed = JSON.stringify(closeEvent);
    const lines = [
      capture(closed),
      "",
      capture(JSON.stringify(messageEvent), { "X-Jelou-Signature": sign("another body") }),
      JSON.stringify({ ...closeEvent, reason: "closed_by_timeout" }),
      JSON.stringify({ headers: { "content-type": "text/plain" }, body: "{not json" }),
      capture(closed, { "X-Jelou-Signature": "sha256=ABC" }),
    ];
    const report = judge(`${lines.join("\r\n")}\r\n`, { secret: SECRET });
    expect(report.deliveries.map((d) => [d.index, d.line, d.format, d.event, d.outcome, d.signature.outcome])).toEqual([
      [1, 1, "capture", "conversation.close", "pass", "matches"],
      [2, 3, "capture", "message", "drift", "mismatch"],
      [3, 4, "payload", "conversation.close", "pass", "not-checked"],
      [4, 5, "capture", null, "drift", "not-checked"],
      [5, 6, "capture", "conversation.close", "drift", "malformed"],
    ]);
    expect(brief(lines.join("\n"), { secret: SECRET })).toEqual([
      ["breaking", "signature-mismatch", "header X-Jelou-Signature"],
      ["warning", "new-open-enum-value", "/reason"],
      ["breaking", "invalid-json", ""],
      ["breaking", "schema-violation", "header X-Jelou-Signature"],
    ]);
    expect(report.summary).toEqual({ deliveries: 5, breaking: 3, warning: 1, info: 0 });
  });

  it("checks a capture's declared headers and media type, with or without a secret", () => {
    const raw = JSON.stringify(closeEvent);
    const unsigned = JSON.stringify({ headers: { "Content-Type": "text/plain; charset=utf-8" }, body: raw });
    expect(brief(unsigned)).toEqual([
      ["breaking", "missing-required-field", "header X-Jelou-Signature"],
      ["breaking", "undeclared-media-type", "header Content-Type"],
    ]);
    expect(judge(capture(raw, { "x-jelou-signature": [sign(raw), sign(raw)] })).deliveries[0]?.findings).toEqual([
      expect.objectContaining({ rule: "schema-violation", header: "X-Jelou-Signature", observed: "2 values" }),
    ]);
  });

  it("says when only the re-serialised JSON has the signature: the capture was re-serialised", () => {
    const pretty = JSON.stringify(closeEvent, null, 2);
    const signedCompact = sign(JSON.stringify(closeEvent));
    const report = judge(pretty, { secret: SECRET, signature: signedCompact });
    expect(report.deliveries[0]).toMatchObject({ outcome: "pass", signature: { outcome: "matches-reserialised" } });
    expect(brief(pretty, { secret: SECRET, signature: signedCompact })).toEqual([
      ["warning", "signature-reserialised", "header X-Jelou-Signature"],
    ]);
    expect(judge(pretty, { secret: SECRET, signature: sign(pretty) }).deliveries[0]?.signature.outcome).toBe("matches");
    expect(judge(pretty, { signature: sign(pretty) }).deliveries[0]?.signature).toEqual({
      outcome: "not-checked",
      reason: "JELOU_SIGNING_SECRET is not set",
    });
  });

  it("refuses --signature for more than one delivery, or of the wrong shape", () => {
    const two = `${JSON.stringify(closeEvent)}\n${JSON.stringify(closeEvent)}\n`;
    expect(() => judge(two, { signature: sign("x") })).toThrow(/--signature is the signature of one delivery/);
    expect(() => judge(JSON.stringify(closeEvent), { signature: "sha1=abc" })).toThrow(
      /--signature must be sha256= and 64 hex digits/,
    );
  });

  it("refuses input that is not one JSON document nor JSON Lines, or empty, or of too many deliveries", () => {
    expect(() => judge('{"event": "conversation.close", ')).toThrow(
      new WebhookInputError("the input is not valid JSON (content not shown)."),
    );
    expect(() => judge('{"a": 1}\n{"b": \n')).toThrow(/line 2 is not valid JSON \(content not shown\)/);
    expect(() => judge(" \n")).toThrow("the input is empty.");
    expect(() => judge("{}\n".repeat(MAX_DELIVERIES + 1))).toThrow(/more than 10000 deliveries/);
    expect(() => judge(JSON.stringify({ headers: { a: 1 }, body: "{}" }))).toThrow(/every header value must be/);
  });

  it("lists at most 1,000 findings of a delivery, most severe first, and counts them all", () => {
    const extra = Object.fromEntries(Array.from({ length: 1_001 }, (_, i) => [`extra${i}`, i]));
    const report = judge(JSON.stringify({ ...closeEvent, ...extra, timestamp: "x" }));
    const [delivery] = report.deliveries;
    expect([delivery?.findings.length, delivery?.omittedFindings, delivery?.findings[0]?.severity]).toEqual([
      1_000,
      2,
      "breaking",
    ]);
    expect(report.summary).toMatchObject({ breaking: 1, info: 1_001 });
  });

  it("redacts the credentials of a capture's headers wherever the body echoes them, even with values shown", () => {
    const body = { ...closeEvent, echoedToken: "tok_9f8e7d6c5b4a", reason: "id-1:pw_2b4d6f8h" };
    const raw = JSON.stringify(body);
    const basic = Buffer.from("id-1:pw_2b4d6f8h").toString("base64");
    const input = [
      capture(raw, { Authorization: "Bearer tok_9f8e7d6c5b4a" }),
      capture(raw, { Authorization: `Basic ${basic}` }),
    ].join("\n");
    const { report, redact } = validateWebhooks(Buffer.from(input), { showValues: true });
    const text = JSON.stringify(report);
    for (const credential of ["tok_9f8e7d6c5b4a", "pw_2b4d6f8h", basic]) expect(text).not.toContain(credential);
    expect(text).toContain("[redacted]");
    expect(redact("TOK_9F8E7D6C5B4A")).toBe("[redacted]");
  });

  it("reads a stream up to the budget, refuses more, and names a file it cannot read", async () => {
    expect(await readWebhookInput("-", Readable.from([Buffer.from("{}")]))).toEqual(Buffer.from("{}"));
    const big = Readable.from([Buffer.alloc(MAX_INPUT_BYTES), Buffer.from(" ")]);
    await expect(readWebhookInput("-", big)).rejects.toThrow(
      new WebhookInputError("stdin is larger than 5 MiB (5242880 bytes): split the captures into several files."),
    );
  });
});

describe("fake-jelou validate-webhook, the process", () => {
  const dir = mkdtempSync(join(tmpdir(), "fake-jelou-webhook-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the bundled CLI (as the package ships it) with `stdin` piped in; killed after 25 s. */
  const cli = (args: string[], stdin = "", env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const { JELOU_SIGNING_SECRET: _, ...clean } = process.env;
      const child = spawn(process.execPath, [inject("cliBundle"), "validate-webhook", ...args], {
        cwd: ROOT,
        env: { ...clean, NO_COLOR: "1", ...env },
        timeout: 25_000,
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      // A child that refuses the input early closes its stdin: that is not the test's failure.
      child.stdin.on("error", () => {});
      child.stdin.end(stdin);
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stdout, stderr }));
    });

  // The secret in every form, where findings would show it with --show-values: as values, keys and an open set's code.
  // The first capture is signed with it, the second with another secret, the third over its body re-serialised.
  const base64 = Buffer.from(SECRET).toString("base64");
  const hex = Buffer.from(SECRET).toString("hex");
  const leaky = JSON.stringify({
    ...closeEvent,
    reason: SECRET.toLowerCase(),
    [SECRET]: base64,
    echo: hex,
    upper: SECRET.toUpperCase(),
    timestamp: `${SECRET}/${base64}`,
  });
  const leakyFile = join(dir, "leaky.jsonl");
  const captures = [
    capture(leaky),
    capture(leaky, { "X-Jelou-Signature": sign(leaky, "other") }),
    capture(JSON.stringify(JSON.parse(leaky), null, 2), { "X-Jelou-Signature": sign(leaky) }),
  ];
  writeFileSync(leakyFile, `${captures.join("\n")}\n`);
  const withSecret = { JELOU_SIGNING_SECRET: SECRET };

  // Every process at once: each costs about half a second to start.
  const runs = {
    stdin: cli(["-", "--event", "message"], JSON.stringify(messageEvent)),
    malformed: cli(["-"], `{"event": "conversation.close", "token": "${SECRET}`, withSecret),
    oversized: cli(["-"], " ".repeat(MAX_INPUT_BYTES + 1)),
    text: cli([leakyFile, "--show-values"], "", withSecret),
    json: cli([leakyFile, "--show-values", "--json"], "", withSecret),
  };

  it("reads stdin for -, and exits 0 on a conformant delivery", async () => {
    const { code, stdout, stderr } = await runs.stdin;
    expect([code, stdout, stderr]).toEqual([
      0,
      "delivery 1 (payload) message: pass\nfake-jelou validate-webhook: conformant, 1 delivery: 0 breaking, 0 warning, 0 info (exit 0)\n",
      "",
    ]);
  });

  it("exits 1 on breaking drift, with each finding's severity, pointer, rule, expected and observed", async () => {
    const { code, stdout } = await runs.text;
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}breaking +\/timestamp +type-changed +expected integer; observed string; value "/m);
    expect(stdout).toContain("signature: matches the raw body\n");
    expect(stdout).toContain("signature: does not match the raw body nor its re-serialised JSON");
    expect(stdout).toContain("signature: matches only the re-serialised JSON, not the bytes captured\n");
    expect(stdout).toMatch(/drift, 3 deliveries: 4 breaking, 4 warning, 9 info \(exit 1\)\n$/);
  });

  it("refuses malformed JSON and oversized input: exit 2, one line on stderr, no stack trace", async () => {
    const refused = await Promise.all([runs.malformed, runs.oversized]);
    expect(refused.map((r) => [r.code, r.stdout, r.stderr])).toEqual([
      [2, "", "fake-jelou validate-webhook: the input is not valid JSON (content not shown).\n"],
      [
        2,
        "",
        "fake-jelou validate-webhook: stdin is larger than 5 MiB (5242880 bytes): split the captures into several files.\n",
      ],
    ]);
  });

  it("prints a JSON report with --json", async () => {
    const { code, stdout } = await runs.json;
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(Object.keys(report)).toEqual([
      "tool",
      "reportVersion",
      "outcome",
      "exitCode",
      "spec",
      "options",
      "summary",
      "deliveries",
    ]);
    expect(report).toMatchObject({
      tool: "fake-jelou validate-webhook",
      reportVersion: 1,
      outcome: "drift",
      exitCode: 1,
      spec: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      options: { strict: false, showValues: true, signaturesChecked: true },
      summary: { deliveries: 3, breaking: 4, warning: 4, info: 9 },
    });
    expect(Object.keys(report.deliveries[0])).toEqual([
      "index",
      "line",
      "format",
      "event",
      "outcome",
      "signature",
      "findings",
    ]);
    expect(report.deliveries.map((d: { signature: { outcome: string } }) => d.signature.outcome)).toEqual([
      "matches",
      "mismatch",
      "matches-reserialised",
    ]);
    expect(report.deliveries[1].findings.at(-1)).toEqual({
      severity: "breaking",
      rule: "signature-mismatch",
      pointer: "",
      header: "X-Jelou-Signature",
      expected: "the HMAC-SHA256 of the raw body with JELOU_SIGNING_SECRET",
      observed: "another signature",
      message: expect.stringContaining("is not the HMAC-SHA256 of the body"),
    });
  });

  it("never prints JELOU_SIGNING_SECRET, as is, in any letter case, base64 or hex, even with --show-values", async () => {
    const printed = await Promise.all([runs.text, runs.json, runs.malformed]);
    for (const run of printed) {
      const text = `${run.stdout}${run.stderr}`.toLowerCase();
      for (const form of [SECRET, base64, Buffer.from(SECRET).toString("base64url"), hex]) {
        expect(text).not.toContain(form.toLowerCase());
      }
    }
    expect(printed[0]?.stdout).toContain("[redacted]");
  });
});
