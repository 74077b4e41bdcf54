// The drift check's judgement, pure: (what a check expected, what production answered) -> findings.
// Severity follows oasdiff's rules for responses: a consumer breaks on breaking findings, not on the others.
import { atPointer } from "../../spec/json-pointer.ts";
import type { SchemaViolation, SpecValidator } from "../../spec/schema-validator.ts";

export type Severity = "breaking" | "warning" | "info";

/** One way production differs from the spec: where, by which rule, and the expected and observed *type*. */
export interface Finding {
  severity: Severity;
  rule: FindingRule;
  /** JSON pointer into the response body; "" is the response itself (status, media type, whole body). */
  pointer: string;
  expected: string;
  /** A type (`string`, `null`, `absent`...), a status or media type, or the value of an enumerated field. */
  observed: string;
  message: string;
  /** The observed value itself: only filled when the user asked for values (--show-values). */
  value?: unknown;
}

export type FindingRule =
  | "undeclared-status"
  | "unexpected-status"
  | "undeclared-media-type"
  | "invalid-json"
  | "missing-required-field"
  | "type-changed"
  | "null-not-allowed"
  | "closed-enum-value"
  | "lifecycle"
  | "schema-violation"
  | "format"
  | "new-open-enum-value"
  | "unexpected-state"
  | "undocumented-field";

/** What one check sends and expects back. */
export interface Expectation {
  status: number;
  /** For the conversation checks that name a state: the state the conversation must be in. */
  state?: "active" | "closed";
}

/** What production answered, as the wire carried it. */
export interface Observed {
  status: number;
  contentType: string;
  bodyText: string;
}

export interface CompareContext {
  validator: SpecValidator;
  /** The same spec in strict mode: undocumented fields and new open-set values. */
  strictValidator: SpecValidator;
  showValues: boolean;
}

/** Compares one response with the spec and with its check's expectation. */
export function compareResponse(context: CompareContext, expected: Expectation, observed: Observed): Finding[] {
  const base = { operationId: "getConversation" as const, status: observed.status, contentType: observed.contentType };
  let body: unknown;
  try {
    body = JSON.parse(observed.bodyText);
  } catch {
    body = undefined;
  }
  const routing = context.validator.validateResponse({ ...base, body });
  if (routing.outcome === "undeclared-status") {
    return [
      finding(
        "breaking",
        "undeclared-status",
        "",
        `one of ${routing.declared.join(", ")}`,
        String(observed.status),
        `Status ${observed.status} is not declared by the spec.`,
      ),
    ];
  }
  if (routing.outcome === "undeclared-media-type") {
    return [
      finding(
        "breaking",
        "undeclared-media-type",
        "",
        routing.declared.join(", "),
        observed.contentType || "none",
        `Media type "${observed.contentType || "none"}" is not declared for status ${observed.status}.`,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (observed.status !== expected.status) {
    findings.push(
      finding(
        "breaking",
        "unexpected-status",
        "",
        String(expected.status),
        String(observed.status),
        `Expected ${expected.status}, got ${observed.status} (declared, but not what this check's request should get).`,
      ),
    );
  }
  if (body === undefined) {
    findings.push(finding("breaking", "invalid-json", "", "a JSON body", "not JSON", "The body is not valid JSON."));
    return findings;
  }
  const violations = routing.outcome === "invalid" ? routing.violations : [];
  findings.push(...merge(violations.map((v) => classify(v, body, context.showValues))));

  const strict = context.strictValidator.validateResponse({ ...base, body });
  if (strict.outcome === "invalid") {
    for (const v of strict.violations) {
      if (v.keyword === "unevaluatedProperties" || v.keyword === "x-known-values")
        findings.push(classify(v, body, context.showValues));
    }
  }
  const state = atPointer(body, "/data/state");
  if (expected.state && observed.status === 200 && typeof state === "string" && state !== expected.state) {
    findings.push(
      finding(
        "warning",
        "unexpected-state",
        "/data/state",
        expected.state,
        state,
        `The conversation configured as ${expected.state} is ${state} now: update the id, or check the lifecycle.`,
      ),
    );
  }
  return findings;
}

function classify(v: SchemaViolation, body: unknown, showValues: boolean): Finding {
  const at = (pointer: string) => atPointer(body, pointer);
  const withValue = (f: Finding, pointer: string): Finding => (showValues ? { ...f, value: at(pointer) } : f);
  const params = v.params;
  switch (v.keyword) {
    case "required": {
      const pointer = `${v.pointer}/${String(params.missingProperty)}`;
      return finding(
        "breaking",
        "missing-required-field",
        pointer,
        "present",
        "absent",
        `Required field ${pointer} is missing.`,
      );
    }
    case "type": {
      const observed = typeOf(at(v.pointer));
      const expected = [params.type].flat().join(" or ");
      return withValue(
        observed === "null"
          ? finding(
              "breaking",
              "null-not-allowed",
              v.pointer,
              expected,
              "null",
              `${v.pointer} is null; the spec does not allow null.`,
            )
          : finding(
              "breaking",
              "type-changed",
              v.pointer,
              expected,
              observed,
              `${v.pointer} is ${observed}, not ${expected}.`,
            ),
        v.pointer,
      );
    }
    case "enum":
    case "const": {
      const allowed = v.keyword === "enum" ? (params.allowedValues as unknown[]) : [params.allowedValue];
      // An enumerated field holds a code, not personal data: its value is the finding.
      return finding(
        "breaking",
        "closed-enum-value",
        v.pointer,
        `one of ${allowed.join(", ")}`,
        String(at(v.pointer)),
        `${v.pointer} is "${String(at(v.pointer))}", outside the closed set ${allowed.join(", ")}.`,
      );
    }
    case "discriminator": {
      const pointer = `${v.pointer}/${String(params.tag)}`;
      const tag = at(pointer);
      if (params.error === "mapping") {
        return finding(
          "breaking",
          "closed-enum-value",
          pointer,
          "one of active, closed",
          String(tag),
          `${pointer} is "${String(tag)}", outside the closed set of states.`,
        );
      }
      return tag === undefined
        ? finding(
            "breaking",
            "missing-required-field",
            pointer,
            "present",
            "absent",
            `Required field ${pointer} is missing.`,
          )
        : finding(
            "breaking",
            "type-changed",
            pointer,
            "string",
            typeOf(tag),
            `${pointer} is ${typeOf(tag)}, not string.`,
          );
    }
    case "false schema": {
      const state = String(atPointer(body, `${v.pointer.split("/").slice(0, -1).join("/")}/state`));
      return withValue(
        finding(
          "breaking",
          "lifecycle",
          v.pointer,
          "absent",
          typeOf(at(v.pointer)),
          `${v.pointer} is present on a conversation whose state is ${state}; the spec forbids it there.`,
        ),
        v.pointer,
      );
    }
    case "format":
      return withValue(
        finding(
          "warning",
          "format",
          v.pointer,
          String(params.format),
          typeOf(at(v.pointer)),
          `${v.pointer} is not a valid ${String(params.format)}.`,
        ),
        v.pointer,
      );
    case "x-known-values":
      return finding(
        "warning",
        "new-open-enum-value",
        v.pointer,
        `one of ${(params.knownValues as unknown[]).join(", ")}`,
        String(at(v.pointer)),
        `${v.pointer} has a value the spec does not list yet: "${String(at(v.pointer))}".`,
      );
    case "unevaluatedProperties": {
      const pointer = `${v.pointer}/${String(params.unevaluatedProperty)}`;
      return withValue(
        finding(
          "info",
          "undocumented-field",
          pointer,
          "absent",
          typeOf(at(pointer)),
          `${pointer} is not documented by the spec.`,
        ),
        pointer,
      );
    }
    default:
      return withValue(
        finding(
          "breaking",
          "schema-violation",
          v.pointer,
          `${v.keyword} ${JSON.stringify(params)}`,
          typeOf(at(v.pointer)),
          `${v.pointer || "The body"} ${v.message}.`,
        ),
        v.pointer,
      );
  }
}

// A oneOf reports once per failing branch plus once for itself: keep one finding per place and rule, joining what
// the branches expected ("string or array"), and drop the bare oneOf when a branch already said more.
function merge(findings: Finding[]): Finding[] {
  const byPlace = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.pointer}\u0000${f.rule}`;
    const seen = byPlace.get(key);
    if (!seen) byPlace.set(key, f);
    else if (!seen.expected.split(" or ").includes(f.expected))
      byPlace.set(key, { ...seen, expected: `${seen.expected} or ${f.expected}` });
  }
  const merged = [...byPlace.values()];
  return merged.filter(
    (f) =>
      !(
        f.rule === "schema-violation" &&
        f.expected.startsWith("oneOf") &&
        merged.some((o) => o !== f && o.pointer === f.pointer)
      ),
  );
}

function finding(
  severity: Severity,
  rule: FindingRule,
  pointer: string,
  expected: string,
  observed: string,
  message: string,
): Finding {
  return { severity, rule, pointer, expected, observed, message };
}

/** The JSON type of a value, as findings report it instead of the value. */
export function typeOf(value: unknown): string {
  if (value === undefined) return "absent";
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
