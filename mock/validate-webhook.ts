// Judges webhook deliveries captured from Jelou against the spec's `webhooks`, with the drift check's judge
// (spec/drift/): the same rules, severities, masking and redaction. Deliveries cannot be polled in production, so a
// team captures them and checks them here; `fake-jelou validate-webhook` (validate-webhook-cli.ts) is the command.
import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { type CompareContext, compareBody, type Finding, type FindingRule, parseBody } from "../spec/drift/compare.ts";
import { mediaType, shown } from "../spec/drift/mask.ts";
import { EXIT, listFindings, MAX_FINDINGS_PER_CHECK, redactDeep, redactor, secretForms } from "../spec/drift/output.ts";
import { atPointer, toPointer } from "../spec/json-pointer.ts";
import { loadSpec, type OpenApiDocument, SPEC_PATH } from "../spec/load-spec.ts";
import { createSpecValidator, type SpecValidator } from "../spec/schema-validator.ts";
import { verifyJelouSignature } from "./webhooks/signature.ts";

/** The most input read: thousands of deliveries (they weigh about a kilobyte each), and a bound on memory and time. */
export const MAX_INPUT_BYTES = 5 * 1024 * 1024;
/** The most deliveries one input may hold. */
export const MAX_DELIVERIES = 10_000;

const SIGNATURE_HEADER = "X-Jelou-Signature";
// What verifyJelouSignature accepts; the spec's own pattern (lower-case hex) is judged as a finding.
const SIGNATURE_SHAPE = /^sha256=[0-9a-fA-F]{64}$/;

/** Input that cannot be judged (unreadable, too large, not JSON, not a capture): a usage error. Never quotes it. */
export class WebhookInputError extends Error {
  override name = "WebhookInputError";
}

/** Options of {@link validateWebhooks}. */
export interface ValidateWebhookOptions {
  /** Judge every delivery as this event, whatever its body names. */
  event?: string;
  /** The `X-Jelou-Signature` of the one delivery of the input, instead of its capture's header. */
  signature?: string;
  /** The integration's signing secret: the signatures are checked only when it is given (and not empty). */
  secret?: string;
  /** Warnings fail too (default false). */
  strict?: boolean;
  /** Put the observed values in the findings (default false); secrets stay redacted. */
  showValues?: boolean;
}

/** The drift check's rules, and what only a delivery can break. */
export type WebhookRule = FindingRule | "unknown-event" | "signature-mismatch" | "signature-reserialised";

/** A finding about a delivery: in its body (`pointer`), or in one of its headers (`header`, with pointer ""). */
export interface WebhookFinding extends Omit<Finding, "rule"> {
  rule: WebhookRule;
  header?: string;
}

/**
 * What the signature check found. `matches-reserialised`: only `JSON.stringify(JSON.parse(body))` has this signature,
 * not the bytes captured (the capture was re-serialised). `malformed`: not `sha256=` and 64 hex digits.
 */
export type SignatureOutcome = "matches" | "matches-reserialised" | "mismatch" | "malformed" | "not-checked";

/** One delivery's verdict. */
export interface DeliveryResult {
  /** 1-based position in the input. */
  index: number;
  /** The line of a JSON Lines input. */
  line?: number;
  format: "payload" | "capture";
  /** The event it was judged as; null when it names none the spec declares. */
  event: string | null;
  outcome: "pass" | "drift";
  signature: { outcome: SignatureOutcome; reason?: string };
  /** The first MAX_FINDINGS_PER_CHECK findings, most severe first. */
  findings: WebhookFinding[];
  omittedFindings?: number;
}

/** The report of a run, as `--json` prints it. */
export interface WebhookReport {
  tool: "fake-jelou validate-webhook";
  reportVersion: 1;
  outcome: "conformant" | "drift";
  exitCode: number;
  spec: { sha256: string };
  options: { strict: boolean; showValues: boolean; signaturesChecked: boolean };
  summary: { deliveries: number; breaking: number; warning: number; info: number };
  deliveries: DeliveryResult[];
}

/** A delivery as the input holds it: the exact body and, in a capture, the headers (names in lower case). */
interface Delivery {
  format: "payload" | "capture";
  line?: number;
  raw: Buffer;
  headers?: Map<string, string | string[]>;
}

/** Reads a file, or stdin for `-`, refusing more than MAX_INPUT_BYTES. */
export async function readWebhookInput(source: string, stdin: Readable = process.stdin): Promise<Buffer> {
  const name = source === "-" ? "stdin" : source;
  const stream = source === "-" ? stdin : createReadStream(source);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += bytes.length;
      if (size > MAX_INPUT_BYTES) {
        stream.destroy();
        throw new WebhookInputError(
          `${name} is larger than ${MAX_INPUT_BYTES / 1024 / 1024} MiB (${MAX_INPUT_BYTES} bytes): split the captures into several files.`,
        );
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof WebhookInputError) throw error;
    throw new WebhookInputError(`cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? "read error"}).`);
  }
  return Buffer.concat(chunks);
}

/**
 * Judges every delivery of `input` (one JSON payload, one capture, or JSON Lines of either) against the spec. Every
 * string of the report is redacted; `redact` is the same redaction, for any text made from the report.
 */
export function validateWebhooks(
  input: Uint8Array,
  options: ValidateWebhookOptions = {},
): { report: WebhookReport; redact: (text: string) => string } {
  if (options.signature !== undefined && !SIGNATURE_SHAPE.test(options.signature.trim())) {
    throw new WebhookInputError(
      `--signature must be sha256= and 64 hex digits, as ${SIGNATURE_HEADER} carries it (value not shown).`,
    );
  }
  // The input first: what cannot be judged is refused before the spec is loaded.
  const deliveries = deliveriesIn(Buffer.from(input));
  if (options.signature !== undefined && deliveries.length > 1) {
    throw new WebhookInputError(
      `--signature is the signature of one delivery, and the input holds ${deliveries.length}: put each in its capture's ${SIGNATURE_HEADER} header.`,
    );
  }
  const { spec, validator, strictValidator, sha256 } = loaded();
  const events = eventsOf(spec);
  if (options.event !== undefined && !events.includes(options.event)) {
    throw new WebhookInputError(`--event must be one of ${events.join(", ")}.`);
  }
  const strict = options.strict ?? false;
  const showValues = options.showValues ?? false;
  const secret = options.secret || undefined;
  const context: CompareContext = { spec, validator, strictValidator, showValues };
  const redact = redactor(secretForms([...secretVariants(secret), ...deliveries.flatMap(credentialsIn)]));
  const counts = { breaking: 0, warning: 0, info: 0 };
  const results = deliveries.map((delivery, i) => {
    const { event, findings, signature } = judge(delivery, context, events, { ...options, secret });
    for (const f of findings) counts[f.severity]++;
    const failing = findings.some((f) => f.severity === "breaking" || (strict && f.severity === "warning"));
    const result: DeliveryResult = {
      index: i + 1,
      ...(delivery.line !== undefined && { line: delivery.line }),
      format: delivery.format,
      event,
      outcome: failing ? "drift" : "pass",
      signature,
      ...listFindings(findings),
    };
    return result;
  });
  const drift = results.some((r) => r.outcome === "drift");
  const report: WebhookReport = {
    tool: "fake-jelou validate-webhook",
    reportVersion: 1,
    outcome: drift ? "drift" : "conformant",
    exitCode: drift ? EXIT.drift : EXIT.conformant,
    spec: { sha256 },
    options: { strict, showValues, signaturesChecked: secret !== undefined },
    summary: { deliveries: results.length, ...counts },
    deliveries: results,
  };
  return { report: redactDeep(report, redact), redact };
}

interface Loaded {
  spec: OpenApiDocument;
  validator: SpecValidator;
  strictValidator: SpecValidator;
  sha256: string;
}
// Built once per process, on first use: the spec and its two validators take about a second, and never change.
let cache: Loaded | undefined;
function loaded(): Loaded {
  cache ??= (() => {
    const spec = loadSpec();
    return {
      spec,
      validator: createSpecValidator(spec),
      strictValidator: createSpecValidator(spec, { strict: true }),
      sha256: createHash("sha256").update(readFileSync(SPEC_PATH)).digest("hex"),
    };
  })();
  return cache;
}

/** The report as people read it: each delivery and its findings, then the verdict. */
export function webhookReportText(report: WebhookReport): string {
  const lines: string[] = [];
  for (const d of report.deliveries) {
    const where = [d.line !== undefined && `line ${d.line}`, d.format].filter(Boolean).join(", ");
    lines.push(`delivery ${d.index} (${where}) ${d.event ?? "unknown event"}: ${d.outcome}`);
    const rows = d.findings.map((f) => [
      f.severity,
      f.header !== undefined ? `header ${f.header}` : f.pointer || "(body)",
      f.rule,
      `expected ${f.expected}; observed ${f.observed}${"value" in f ? `; value ${JSON.stringify(f.value)}` : ""}`,
    ]);
    // A loop, not Math.max(...spread): a spread of many rows exceeds the engine's argument limit.
    const widths = [0, 1, 2].map((i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? "").length), 0));
    for (const r of rows) lines.push(`  ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")}`.trimEnd());
    if (d.omittedFindings) {
      lines.push(`  ${d.omittedFindings} more finding(s) not listed (at most ${MAX_FINDINGS_PER_CHECK} per delivery)`);
    }
    if (report.options.signaturesChecked) lines.push(`  signature: ${signatureText(d.signature)}`);
  }
  if (!report.options.signaturesChecked && report.deliveries.some((d) => d.signature.reason !== undefined)) {
    lines.push("signatures: not checked (set JELOU_SIGNING_SECRET to the integration's signingSecret to check them)");
  }
  const s = report.summary;
  lines.push(
    `fake-jelou validate-webhook: ${report.outcome}${report.options.strict ? " (strict: warnings fail)" : ""}, ${s.deliveries} deliver${s.deliveries === 1 ? "y" : "ies"}: ${s.breaking} breaking, ${s.warning} warning, ${s.info} info (exit ${report.exitCode})`,
  );
  return `${lines.join("\n")}\n`;
}

function signatureText(signature: DeliveryResult["signature"]): string {
  const text = {
    matches: "matches the raw body",
    "matches-reserialised": "matches only the re-serialised JSON, not the bytes captured",
    mismatch:
      "does not match the raw body nor its re-serialised JSON: is JELOU_SIGNING_SECRET this integration's signingSecret?",
    malformed: "malformed",
    "not-checked": "not checked",
  }[signature.outcome];
  return signature.reason ? `${text} (${signature.reason})` : text;
}

// The events the spec declares a JSON body for, by name.
function eventsOf(spec: OpenApiDocument): string[] {
  const webhooks = (spec.webhooks ?? {}) as Record<string, unknown>;
  return Object.keys(webhooks).filter((name) => atPointer(spec, bodySchemaPointer(name)) !== undefined);
}

function bodySchemaPointer(event: string): string {
  return toPointer(["webhooks", event, "post", "requestBody", "content", "application/json", "schema"]);
}

// One JSON document (a payload or a capture), else JSON Lines of them: a file that is neither is refused whole.
function deliveriesIn(input: Buffer): Delivery[] {
  const text = input.toString("utf8");
  if (text.trim() === "") throw new WebhookInputError("the input is empty.");
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) return [deliveryOf(whole, input, undefined)];
  const lines = text.split("\n");
  const filled = lines.filter((line) => line.trim() !== "").length;
  const deliveries: Delivery[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    // JSON.parse's own message is not repeated: it quotes the input, which may hold a secret.
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new WebhookInputError(
        filled === 1
          ? "the input is not valid JSON (content not shown)."
          : `the input is neither one JSON document nor JSON Lines: line ${i + 1} is not valid JSON (content not shown).`,
      );
    }
    if (deliveries.length === MAX_DELIVERIES) {
      throw new WebhookInputError(
        `the input holds more than ${MAX_DELIVERIES} deliveries: split it into several files.`,
      );
    }
    // A line's bytes without the CR of a CRLF file: the body as Jelou sent it never ended with one.
    deliveries.push(deliveryOf(value, Buffer.from(line.replace(/\r$/, ""), "utf8"), i + 1));
  }
  return deliveries;
}

// A capture is an object with a string `body` and a `headers` object; anything else is a payload as delivered.
function deliveryOf(value: unknown, raw: Buffer, line: number | undefined): Delivery {
  const at = line === undefined ? "the capture" : `the capture on line ${line}`;
  if (!isObject(value) || typeof value.body !== "string" || !isObject(value.headers)) {
    return { format: "payload", raw, ...(line !== undefined && { line }) };
  }
  const headers = new Map<string, string | string[]>();
  for (const [name, v] of Object.entries(value.headers)) {
    if (typeof v !== "string" && !(Array.isArray(v) && v.every((item) => typeof item === "string"))) {
      throw new WebhookInputError(`${at}: every header value must be a string or an array of strings.`);
    }
    headers.set(name.toLowerCase(), v);
  }
  return { format: "capture", raw: Buffer.from(value.body, "utf8"), headers, ...(line !== undefined && { line }) };
}

function judge(
  delivery: Delivery,
  context: CompareContext,
  events: readonly string[],
  options: ValidateWebhookOptions,
): { event: string | null; findings: WebhookFinding[]; signature: DeliveryResult["signature"] } {
  const findings: WebhookFinding[] = [];
  const text = delivery.raw.toString("utf8");
  const parsed = parseBody(text);
  const body = "body" in parsed ? parsed.body : undefined;
  const named = options.event ?? nameOf(body);
  const event = named !== undefined && events.includes(named) ? named : null;
  // The headers an event declares are judged once the event is known; an unknown one is the finding.
  if (delivery.headers && event !== null) findings.push(...headerFindings(delivery.headers, context, event));
  if ("finding" in parsed) findings.push(parsed.finding);
  else if (event === null) findings.push(unknownEvent(body, events, context.showValues));
  else {
    // Not push(...spread): one finding per array item can exceed the engine's argument limit.
    for (const f of compareBody(context, bodySchemaPointer(event), body)) findings.push(f);
  }
  const signature = checkSignature(delivery, "body" in parsed, body, options);
  if (signature.finding) findings.push(signature.finding);
  return { event, findings, signature: signature.result };
}

// The event a body names: `event` for the conversation events, `event_type` for `message`.
function nameOf(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (typeof body.event === "string") return body.event;
  return typeof body.event_type === "string" ? body.event_type : undefined;
}

function unknownEvent(body: unknown, events: readonly string[], showValues: boolean): WebhookFinding {
  const key = isObject(body) && Object.hasOwn(body, "event") ? "event" : "event_type";
  const value = isObject(body) ? body[key] : undefined;
  const seen = value === undefined ? "absent" : shown(value, showValues);
  return {
    severity: "breaking",
    rule: "unknown-event",
    pointer: value === undefined ? "" : `/${key}`,
    expected: `one of ${events.join(", ")}`,
    observed: seen,
    message:
      value === undefined
        ? "The body names no event (`event`, or `event_type` for message): pass --event to judge it as one."
        : `The body names the event ${seen}, which the spec does not declare; it was not compared further.`,
  };
}

// The headers the spec declares for the event (its X-Jelou-Signature), and the media type of its body.
function headerFindings(
  headers: Map<string, string | string[]>,
  context: CompareContext,
  event: string,
): WebhookFinding[] {
  const findings: WebhookFinding[] = [];
  const breaking = (header: string, rule: FindingRule, expected: string, observed: string, message: string) =>
    findings.push({ severity: "breaking", rule, pointer: "", header, expected, observed, message });
  const operation = `/webhooks${toPointer([event, "post"])}`;
  const parameters = atPointer(context.spec, `${operation}/parameters`);
  for (const [i, p] of (Array.isArray(parameters) ? parameters : []).entries()) {
    const ref = isObject(p) && typeof p.$ref === "string" ? p.$ref.slice(1) : `${operation}/parameters/${i}`;
    const parameter = atPointer(context.spec, ref);
    if (!isObject(parameter) || parameter.in !== "header" || typeof parameter.name !== "string") continue;
    const name = parameter.name;
    const value = headers.get(name.toLowerCase());
    if (value === undefined) {
      if (parameter.required === true) {
        breaking(name, "missing-required-field", "present", "absent", `Required header ${name} is missing.`);
      }
    } else if (Array.isArray(value)) {
      breaking(name, "schema-violation", "one value", `${value.length} values`, `Header ${name} is repeated.`);
    } else {
      const violations = context.validator.validateAt(`${ref}/schema`, value);
      if (violations.length > 0) {
        breaking(
          name,
          "schema-violation",
          violations.map((v) => `${v.keyword} ${JSON.stringify(v.params)}`).join(", "),
          shown(value, false),
          `Header ${name} ${violations.map((v) => v.message).join(", ")}.`,
        );
      }
    }
  }
  const contentType = headers.get("content-type");
  const declared = Object.keys(
    (atPointer(context.spec, `${operation}/requestBody/content`) ?? {}) as Record<string, unknown>,
  );
  if (typeof contentType === "string") {
    const essence = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!declared.some((m) => m.toLowerCase() === essence)) {
      const seen = context.showValues ? contentType : mediaType(contentType);
      breaking(
        "Content-Type",
        "undeclared-media-type",
        declared.join(", "),
        seen,
        `Media type ${seen} is not declared for this event.`,
      );
    }
  }
  return findings;
}

function checkSignature(
  delivery: Delivery,
  parsed: boolean,
  body: unknown,
  options: ValidateWebhookOptions,
): { result: DeliveryResult["signature"]; finding?: WebhookFinding } {
  const header = delivery.headers?.get(SIGNATURE_HEADER.toLowerCase());
  const signature = options.signature ?? header;
  if (options.secret === undefined) {
    return {
      result: {
        outcome: "not-checked",
        ...(signature !== undefined && { reason: "JELOU_SIGNING_SECRET is not set" }),
      },
    };
  }
  if (signature === undefined) {
    return {
      result: { outcome: "not-checked", reason: `no ${SIGNATURE_HEADER} header in the capture, and no --signature` },
    };
  }
  if (typeof signature !== "string" || !SIGNATURE_SHAPE.test(signature.trim())) {
    return { result: { outcome: "malformed" } };
  }
  const source = options.signature !== undefined ? "--signature" : SIGNATURE_HEADER;
  if (verifyJelouSignature(delivery.raw, signature, options.secret)) return { result: { outcome: "matches" } };
  // What Jelou's sample verifier signs; only a body within MAX_DEPTH is serialised again (parseBody checked it).
  if (parsed && verifyJelouSignature(JSON.stringify(body), signature, options.secret)) {
    return {
      result: { outcome: "matches-reserialised" },
      finding: {
        severity: "warning",
        rule: "signature-reserialised",
        pointer: "",
        header: SIGNATURE_HEADER,
        expected: "the HMAC-SHA256 of the raw body",
        observed: "the HMAC-SHA256 of JSON.stringify(JSON.parse(body))",
        message: `The signature (${source}) matches the body re-serialised, not the bytes captured: the capture was re-serialised (pretty-printed, keys reordered, escapes changed), so a receiver checking the raw bytes would refuse it. Capture the body as received.`,
      },
    };
  }
  return {
    result: { outcome: "mismatch" },
    finding: {
      severity: "breaking",
      rule: "signature-mismatch",
      pointer: "",
      header: SIGNATURE_HEADER,
      expected: "the HMAC-SHA256 of the raw body with JELOU_SIGNING_SECRET",
      observed: "another signature",
      message: `The signature (${source}) is not the HMAC-SHA256 of the body, raw or re-serialised, with JELOU_SIGNING_SECRET: the secret is not this integration's signingSecret, or the body changed after Jelou signed it.`,
    },
  };
}

// The signing secret in every encoding an output could carry it: as is, base64 (also URL-safe) and hex.
function secretVariants(secret: string | undefined): string[] {
  if (secret === undefined) return [];
  const bytes = Buffer.from(secret, "utf8");
  return [secret, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
}

// The credentials a capture's headers carry (the receiver's view of the integration's authType): never shown.
function credentialsIn(delivery: Delivery): string[] {
  const found: string[] = [];
  for (const name of ["authorization", "x-api-key"]) {
    for (const value of [delivery.headers?.get(name) ?? []].flat()) {
      found.push(value.trim());
      const [scheme, credential] = value.trim().split(/\s+/, 2);
      if (name !== "authorization" || credential === undefined) continue;
      found.push(credential);
      if (scheme?.toLowerCase() === "basic") {
        const pair = Buffer.from(credential, "base64").toString("utf8");
        found.push(pair, pair.slice(pair.indexOf(":") + 1));
      }
    }
  }
  return found;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
