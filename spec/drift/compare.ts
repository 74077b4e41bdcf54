// The drift check's judgement, pure: (what a check expected, what production answered) -> findings.
// Severity follows oasdiff's rules for responses: a consumer breaks on breaking findings, not on the others.

import type { operations } from "../../generated/jelou-external-support.ts";
import { atPointer } from "../json-pointer.ts";
import type { OpenApiDocument } from "../load-spec.ts";
import type { SchemaViolation, SpecValidator } from "../schema-validator.ts";
import { mediaType, shown, shownPointer, typeOf } from "./mask.ts";
import { discriminatorValues } from "./spec-walk.ts";

export type Severity = "breaking" | "warning" | "info";

/** One way production differs from the spec: where, by which rule, and the expected and observed *type*. */
export interface Finding {
  severity: Severity;
  rule: FindingRule;
  /** JSON pointer into the response body; "" is the response itself (status, media type, whole body). */
  pointer: string;
  expected: string;
  /** A type (`string`, `null`, `absent`...), a status or media type, or an enumerated field's code. */
  observed: string;
  message: string;
  /** The observed value itself: only filled when the user asked for values (--show-values). */
  value?: unknown;
}

export type FindingRule =
  | "undeclared-status"
  | "unexpected-status"
  | "invalid-credential-accepted"
  | "undeclared-media-type"
  | "body-too-large"
  | "invalid-json"
  | "nesting-too-deep"
  | "missing-required-field"
  | "type-changed"
  | "null-not-allowed"
  | "closed-enum-value"
  | "lifecycle"
  | "forbidden-field"
  | "schema-violation"
  | "format"
  | "new-open-enum-value"
  | "unexpected-state"
  | "undocumented-field";

/** What one check sends and expects back. */
export interface Expectation {
  /** The operation the response answers (default `getConversation`). */
  operationId?: keyof operations;
  status: number;
  /** For the conversation checks that name a state: the state the conversation must be in. */
  state?: "active" | "closed";
  /** The request carries a credential the target must refuse (the wrong-credentials check). */
  invalidCredential?: boolean;
}

/** What production answered, as the wire carried it. */
export interface Observed {
  status: number;
  /** The Content-Type header as received: what the spec's media types are matched against. */
  contentType: string;
  /**
   * The media type as a finding shows it (default: `mediaType(contentType)`). run.ts masks the header once, after
   * redacting its credentials, and passes the result here, so a check and its finding never describe it differently.
   */
  shownContentType?: string;
  bodyText: string;
  /** The body went past the size cap and was cut: it is reported, not parsed. */
  truncated?: boolean;
}

export interface CompareContext {
  /** The spec both validators were built from: what a discriminator maps, which keys are a map's data. */
  spec: OpenApiDocument;
  validator: SpecValidator;
  /** The same spec in strict mode: undocumented fields and new open-set values. */
  strictValidator: SpecValidator;
  showValues: boolean;
}

/**
 * Deepest nesting compared. The spec's bodies nest 5 levels; past this a body is one finding, so that nothing
 * downstream (the reports' serialisation, a value shown with --show-values) ever recurses through a hostile depth.
 */
export const MAX_DEPTH = 64;

/** Compares one response with the spec and with its check's expectation. */
export function compareResponse(context: CompareContext, expected: Expectation, observed: Observed): Finding[] {
  const base = {
    operationId: expected.operationId ?? "getConversation",
    status: observed.status,
    contentType: observed.contentType,
  };
  const routing = context.validator.validateResponse({ ...base, body: undefined });
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
    const seen = observed.shownContentType ?? mediaType(observed.contentType);
    const f = finding(
      "breaking",
      "undeclared-media-type",
      "",
      routing.declared.join(", "),
      seen,
      `Media type ${seen} is not declared for status ${observed.status}.`,
    );
    return [context.showValues ? { ...f, value: observed.contentType } : f];
  }
  if (observed.truncated) {
    return [
      finding(
        "breaking",
        "body-too-large",
        "",
        "a body of at most 1 MiB",
        "larger",
        "The body is larger than 1 MiB, far beyond any answer of this API; it was not read further.",
      ),
    ];
  }
  const findings: Finding[] = [];
  if (expected.invalidCredential && observed.status >= 200 && observed.status < 300) {
    // The check cannot tell a permissive fake from a production hole; saying both keeps a fake's run from misleading.
    findings.push(
      finding(
        "breaking",
        "invalid-credential-accepted",
        "",
        String(expected.status),
        String(observed.status),
        `The target accepted an invalid credential with ${observed.status}: a fake in its default any-key mode, or a security hole in production.`,
      ),
    );
  } else if (observed.status !== expected.status) {
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
  // Status and media type were judged above: what is left is the body, against the schema they led to.
  const parsed = parseBody(observed.bodyText);
  if ("finding" in parsed) {
    findings.push(parsed.finding);
    return findings;
  }
  const body = parsed.body;
  // Not push(...spread): one finding per array item can exceed the engine's argument limit.
  for (const f of compareBody(context, routing.schemaPointer, body)) findings.push(f);

  const state = atPointer(body, "/data/state");
  if (
    expected.state &&
    observed.status === 200 &&
    (state === "active" || state === "closed") &&
    state !== expected.state
  ) {
    // Closed conversations do not reopen: that breaks the lifecycle. An active one may simply have been closed since.
    const reopened = expected.state === "closed";
    findings.push(
      finding(
        reopened ? "breaking" : "warning",
        "unexpected-state",
        "/data/state",
        expected.state,
        state,
        reopened
          ? "The conversation configured as closed is active again: closed conversations are not expected to reopen."
          : "The conversation configured as active is closed now: configure another active one.",
      ),
    );
  }
  return findings;
}

/**
 * A body's text parsed, or the finding that stops its comparison: not JSON, or nested deeper than MAX_DEPTH (so that
 * nothing downstream recurses through a hostile depth).
 */
export function parseBody(bodyText: string): { body: unknown } | { finding: Finding } {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return {
      finding: finding("breaking", "invalid-json", "", "a JSON body", "not JSON", "The body is not valid JSON."),
    };
  }
  if (nestedDeeperThan(body, MAX_DEPTH)) {
    return {
      finding: finding(
        "breaking",
        "nesting-too-deep",
        "",
        `at most ${MAX_DEPTH} levels of nesting`,
        "deeper",
        `The body nests arrays or objects more than ${MAX_DEPTH} levels deep, far beyond any answer of this API; it was not compared further.`,
      ),
    };
  }
  return { body };
}

/**
 * Compares a body (as parseBody returned it) with the schema at `schemaPointer` in the spec: what breaks it, then what
 * the strict pass adds (undocumented fields, new values of open sets), merged and masked.
 */
export function compareBody(context: CompareContext, schemaPointer: string, body: unknown): Finding[] {
  const findings: Finding[] = [];
  const shared = (validator: SpecValidator, violations: SchemaViolation[]) =>
    withSharedFields(context.spec, schemaPointer, body, violations, (value) =>
      validator.validateAt(schemaPointer, value),
    );
  // Findings are judged on the body's own pointers (two map keys stay two findings), then shown masked.
  const masked = (f: Finding): Finding => {
    const pointer = shownPointer(context.spec, schemaPointer, f.pointer, context.showValues);
    return pointer === f.pointer ? f : { ...f, pointer, message: f.message.replaceAll(f.pointer, pointer) };
  };
  const broken = merge(
    shared(context.validator, context.validator.validateAt(schemaPointer, body)).map((v) =>
      classify(v, body, schemaPointer, context),
    ),
  );
  // Not push(...broken): one finding per array item can exceed the engine's argument limit.
  for (const f of broken) findings.push(masked(f));
  // Where a rule already broke, a second, softer finding about the same place says nothing new.
  const brokenAt = new Set(broken.map((f) => f.pointer));
  for (const v of shared(context.strictValidator, context.strictValidator.validateAt(schemaPointer, body))) {
    if (v.keyword === "unevaluatedProperties" || (v.keyword === "x-known-values" && !brokenAt.has(v.pointer))) {
      findings.push(masked(classify(v, body, schemaPointer, context)));
    }
  }
  return findings;
}

// Ajv stops at a discriminator it cannot follow (a value no branch maps: "mapping"; a tag that is absent or not a
// string: "tag"), so the fields every branch shares go unchecked. Check the body again once per mapped value, and
// keep what breaks under every one of them: that drift is there whatever the state. What only one branch requires
// (a closed conversation's endAt) cannot be judged, and is not reported.
function withSharedFields(
  spec: OpenApiDocument,
  schemaPointer: string,
  body: unknown,
  violations: SchemaViolation[],
  validate: (value: unknown) => SchemaViolation[],
): SchemaViolation[] {
  const unfollowed = violations.filter((v) => v.keyword === "discriminator");
  if (unfollowed.length === 0) return violations;
  const byKey = new Map(violations.map((v) => [violationKey(v), v]));
  for (const v of unfollowed) {
    const tag = String(v.params.tag);
    const path = [...segments(v.pointer), tag];
    const runs = discriminatorValues(spec, schemaPointer, v.pointer, tag).flatMap((value) => {
      const mapped = withValueAt(body, path, value);
      // A copy that did not take the value would fail the same way again, forever.
      if (atPointer(mapped, `${v.pointer}/${escapeKey(tag)}`) !== value) return [];
      return [withSharedFields(spec, schemaPointer, mapped, validate(mapped), validate)];
    });
    const [firstRun = [], ...others] = runs;
    const otherKeys = others.map((run) => new Set(run.map(violationKey)));
    for (const w of firstRun) {
      const key = violationKey(w);
      if (otherKeys.every((keys) => keys.has(key)) && !byKey.has(key)) byKey.set(key, w);
    }
  }
  return [...byKey.values()];
}

function violationKey(v: SchemaViolation): string {
  return `${v.pointer}\u0000${v.keyword}\u0000${JSON.stringify(v.params)}`;
}

function segments(pointer: string): string[] {
  return pointer === ""
    ? []
    : pointer
        .slice(1)
        .split("/")
        .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

// A copy of `node` with `value` at `path`, sharing every part it does not change.
function withValueAt(node: unknown, path: readonly string[], value: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return value;
  if (typeof node !== "object" || node === null) return node;
  const copy: object = Array.isArray(node) ? [...node] : { ...node };
  // defineProperty, not assignment: a key such as "__proto__" must stay a plain field.
  Object.defineProperty(copy, key, {
    value: withValueAt((node as Record<string, unknown>)[key], rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

function classify(v: SchemaViolation, body: unknown, schemaPointer: string, context: CompareContext): Finding {
  const { showValues } = context;
  const at = (pointer: string) => atPointer(body, pointer);
  // A secret is never a value to show, --show-values or not: an integration's signing secret or credential.
  const secret = (pointer: string) => /\/(signingSecret|authorization)(\/|$)/i.test(pointer);
  const withValue = (f: Finding, pointer: string): Finding =>
    showValues && !secret(pointer) ? { ...f, value: at(pointer) } : f;
  const params = v.params;
  switch (v.keyword) {
    case "required": {
      const pointer = `${v.pointer}/${escapeKey(String(params.missingProperty))}`;
      return missingField(pointer);
    }
    case "type":
      return withValue(wrongType(v.pointer, [params.type].flat().join(" or "), at(v.pointer)), v.pointer);
    case "enum":
    case "const": {
      const allowed = v.keyword === "enum" ? (params.allowedValues as unknown[]) : [params.allowedValue];
      return withValue(closedSetValue(v.pointer, allowed, at(v.pointer), showValues), v.pointer);
    }
    case "discriminator": {
      const pointer = `${v.pointer}/${escapeKey(String(params.tag))}`;
      const tag = at(pointer);
      if (params.error === "mapping") {
        const mapped = discriminatorValues(context.spec, schemaPointer, v.pointer, String(params.tag));
        return withValue(closedSetValue(pointer, mapped, tag, showValues), pointer);
      }
      // "tag": the discriminator is absent or not a string; the other fields were still compared (withSharedFields).
      return tag === undefined ? missingField(pointer) : withValue(wrongType(pointer, "string", tag), pointer);
    }
    case "false schema": {
      const parentState = atPointer(body, `${v.pointer.split("/").slice(0, -1).join("/")}/state`);
      if (parentState === undefined) {
        // Not a conversation: a field the spec forbids outright, such as an integration's signing secret.
        return finding(
          "breaking",
          "forbidden-field",
          v.pointer,
          "absent",
          typeOf(at(v.pointer)),
          `${v.pointer} is present where the spec forbids it (Jelou must never return it here); its value is never shown.`,
        );
      }
      const state = shown(parentState, false);
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
    case "x-known-values": {
      const seen = shown(at(v.pointer), showValues);
      return withValue(
        finding(
          "warning",
          "new-open-enum-value",
          v.pointer,
          `one of ${(params.knownValues as unknown[]).join(", ")}`,
          seen,
          `${v.pointer} has a value the spec does not list yet: ${seen}.`,
        ),
        v.pointer,
      );
    }
    case "unevaluatedProperties": {
      const pointer = `${v.pointer}/${escapeKey(String(params.unevaluatedProperty))}`;
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
// the branches expected ("string or array"), and drop the bare oneOf when a branch already said more. A closed-set
// value whose type is already wrong says nothing more than the type.
function merge(findings: Finding[]): Finding[] {
  const byPlace = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.pointer}\u0000${f.rule}`;
    const seen = byPlace.get(key);
    if (!seen) byPlace.set(key, f);
    else if (!seen.expected.split(" or ").includes(f.expected)) {
      byPlace.set(key, { ...seen, expected: `${seen.expected} or ${f.expected}` });
    }
  }
  const merged = [...byPlace.values()];
  const typeBroken = new Set(
    merged.filter((f) => f.rule === "type-changed" || f.rule === "null-not-allowed").map((f) => f.pointer),
  );
  return merged.filter(
    (f) =>
      !(f.rule === "closed-enum-value" && typeBroken.has(f.pointer)) &&
      !(
        f.rule === "schema-violation" &&
        f.expected.startsWith("oneOf") &&
        merged.some((o) => o !== f && o.pointer === f.pointer)
      ),
  );
}

function closedSetValue(pointer: string, allowed: readonly unknown[], value: unknown, showValues: boolean): Finding {
  const seen = shown(value, showValues);
  const set = allowed.join(", ");
  return finding(
    "breaking",
    "closed-enum-value",
    pointer,
    `one of ${set}`,
    seen,
    `${pointer} is ${seen}, outside the closed set ${set}.`,
  );
}

function wrongType(pointer: string, expected: string, value: unknown): Finding {
  const observed = typeOf(value);
  return observed === "null"
    ? finding(
        "breaking",
        "null-not-allowed",
        pointer,
        expected,
        "null",
        `${pointer} is null; the spec does not allow null.`,
      )
    : finding("breaking", "type-changed", pointer, expected, observed, `${pointer} is ${observed}, not ${expected}.`);
}

function missingField(pointer: string): Finding {
  return finding(
    "breaking",
    "missing-required-field",
    pointer,
    "present",
    "absent",
    `Required field ${pointer} is missing.`,
  );
}

// Iterative, so that a body nested 100k deep (JSON.parse accepts it) cannot overflow the stack here either.
function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    if (typeof node !== "object" || node === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

function escapeKey(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
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
