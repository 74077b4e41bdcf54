// What every command that reports findings shares, the drift check and `fake-jelou validate-webhook` alike: its exit
// codes, a bounded list of findings, and the redaction of secrets from anything it prints or writes.
import type { Finding } from "./compare.ts";

/** Exit codes: conformant, drift (breaking, or a warning under --strict), bad configuration or usage, outage, a bug. */
export const EXIT = { conformant: 0, drift: 1, config: 2, outage: 3, internal: 4 } as const;

/** Findings listed per check; a hostile body can break the spec once per array item, hundreds of thousands of times. */
export const MAX_FINDINGS_PER_CHECK = 1_000;

/** At most MAX_FINDINGS_PER_CHECK findings, the most severe first, so a capped list still holds what breaks consumers. */
export function listFindings<F extends Pick<Finding, "severity">>(
  findings: F[],
): { findings: F[]; omittedFindings?: number } {
  if (findings.length <= MAX_FINDINGS_PER_CHECK) return { findings };
  const rank = { breaking: 0, warning: 1, info: 2 };
  const sorted = findings.toSorted((a, b) => rank[a.severity] - rank[b.severity]);
  return {
    findings: sorted.slice(0, MAX_FINDINGS_PER_CHECK),
    omittedFindings: findings.length - MAX_FINDINGS_PER_CHECK,
  };
}

/**
 * Every form in which an output may carry each secret: as is, as a JSON pointer segment (a key echoed back),
 * URL-encoded, JSON-escaped. Secrets shorter than 4 characters are left out (they would mask ordinary words). Longest
 * first, so that no shorter form leaves part of a longer one behind.
 */
export function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = secrets
    .filter((s): s is string => Boolean(s && s.length >= 4))
    .flatMap((s) => [
      s,
      s.replaceAll("~", "~0").replaceAll("/", "~1"),
      encodeURIComponent(s),
      JSON.stringify(s).slice(1, -1),
    ]);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/** Replaces every form of `forms` (secretForms) with `[redacted]`, in one pass, ignoring letter case. */
export function redactor(forms: readonly string[]): (text: string) => string {
  if (forms.length === 0) return (text) => text;
  // Case-insensitive: a server may echo a secret upper- or lowercased.
  const pattern = new RegExp(forms.map((s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&")).join("|"), "giu");
  return (text) => text.replace(pattern, "[redacted]");
}

/**
 * A copy of `value` with every string, keys included, redacted: done before any serialisation, so that no escaped form
 * (JSON, XML, Markdown) of a secret survives. Bounded recursion: compare.ts never puts a value nested deeper than
 * MAX_DEPTH into a finding.
 */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact)) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [redact(k), redactDeep(v, redact)])) as T;
  }
  return value;
}
