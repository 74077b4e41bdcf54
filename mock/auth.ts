import { createHash, timingSafeEqual } from "node:crypto";

/** A Basic credential pair, as Jelou issues them. */
export interface BasicCredential {
  clientId: string;
  clientSecret: string;
}

/** Which credentials the fake accepts. Empty lists mean "any non-empty key or well-formed Basic pair". */
export interface AuthConfig {
  apiKeys: readonly string[];
  basic: readonly BasicCredential[];
}

/** The credential headers of a request, as sent. */
export interface CredentialHeaders {
  apiKey?: string | undefined;
  authorization?: string | undefined;
}

/** How a request authenticated, for the journal: never the credential itself. */
export type AuthKind = "api-key" | "basic";

export type AuthFailure = "missing" | "empty" | "malformed" | "rejected";

export type AuthResult = { ok: true; kind: AuthKind } | { ok: false; kind: AuthKind | "none"; reason: AuthFailure };

/** True when the fake accepts only the configured credentials. */
export function isStrict(config: AuthConfig): boolean {
  return config.apiKeys.length > 0 || config.basic.length > 0;
}

/**
 * Checks a request's credentials. Either scheme satisfies the operation (the spec lists them as alternatives), so
 * a request passes when any credential it presents is accepted; otherwise the first failure is reported.
 */
export function checkCredentials(headers: CredentialHeaders, config: AuthConfig): AuthResult {
  const failures: Extract<AuthResult, { ok: false }>[] = [];
  if (headers.apiKey !== undefined) {
    const result = checkApiKey(headers.apiKey, config);
    if (result.ok) return result;
    failures.push(result);
  }
  if (headers.authorization !== undefined) {
    const result = checkBasic(headers.authorization, config);
    if (result.ok) return result;
    failures.push(result);
  }
  return failures[0] ?? { ok: false, kind: "none", reason: "missing" };
}

function checkApiKey(value: string, config: AuthConfig): AuthResult {
  const key = value.trim();
  if (key === "") return { ok: false, kind: "api-key", reason: "empty" };
  if (!isStrict(config)) return { ok: true, kind: "api-key" };
  return config.apiKeys.some((accepted) => sameSecret(accepted, key))
    ? { ok: true, kind: "api-key" }
    : { ok: false, kind: "api-key", reason: "rejected" };
}

function checkBasic(value: string, config: AuthConfig): AuthResult {
  const trimmed = value.trim();
  if (trimmed === "") return { ok: false, kind: "basic", reason: "empty" };
  const pair = parseBasic(trimmed);
  if (!pair) return { ok: false, kind: "basic", reason: "malformed" };
  if (!isStrict(config)) return { ok: true, kind: "basic" };
  return config.basic.some(
    (c) => sameSecret(c.clientId, pair.clientId) && sameSecret(c.clientSecret, pair.clientSecret),
  )
    ? { ok: true, kind: "basic" }
    : { ok: false, kind: "basic", reason: "rejected" };
}

// RFC 7617: "Basic" (any case), one space, base64 of "id:secret". Strict base64 (Buffer.from silently skips bad
// characters) so that garbage is "malformed", not an accidental pair.
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2})$/i;

/** The clientId/clientSecret pair of an `Authorization: Basic` value, or undefined when it is not well-formed. */
export function parseBasic(value: string): BasicCredential | undefined {
  const encoded = BASIC.exec(value.trim())?.[1];
  if (!encoded || encoded.length % 4 !== 0) return undefined;
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0 || colon === decoded.length - 1) return undefined;
  return { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1) };
}

/** Parses `id:secret` as given to --basic / FAKE_JELOU_BASIC; undefined when either side is empty. */
export function parseBasicPair(value: string): BasicCredential | undefined {
  const colon = value.indexOf(":");
  if (colon <= 0 || colon === value.length - 1) return undefined;
  return { clientId: value.slice(0, colon), clientSecret: value.slice(colon + 1) };
}

/** Compares a secret in constant time: digests, so neither its length nor its content leaks through timing. */
export function sameSecret(expected: string, given: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(expected), digest(given));
}
