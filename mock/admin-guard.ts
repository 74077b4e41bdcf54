// Who may use the admin API: a pure verdict over a request's method, path and headers. The guards follow the dev
// servers that closed the same holes: an admin token (Jupyter), a Host allow-list against DNS rebinding (Vite's and
// webpack-dev-server's allowedHosts), and JSON-only mutations, which no web page can send without a preflight.
import { createHash, createHmac } from "node:crypto";
import { isIP } from "node:net";
import { sameSecret } from "./auth.ts";
import type { FakeErrorKey } from "./error-bodies.ts";

/** How the admin API is guarded. */
export interface AdminGuardConfig {
  /** When set, every admin request but the health check must carry `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Host names accepted besides loopback ones when there is no token; `.example.com` also accepts its subdomains. */
  allowedHosts: readonly string[];
}

/** The parts of an admin request the guard reads. */
export interface AdminRequestFacts {
  method: string;
  /** The path under /__admin, e.g. `/health`. */
  path: string;
  host?: string | undefined;
  authorization?: string | undefined;
  contentType?: string | undefined;
  /** The Cookie header: the console's session cookie stands for the token. */
  cookie?: string | undefined;
  /** The `token` query parameter of `GET /console`: the console URL the ready line prints. */
  consoleToken?: string | undefined;
  /** `Sec-Fetch-Site` and `Sec-Fetch-Mode`, which browsers send: who asked, and whether to navigate. */
  fetchSite?: string | undefined;
  fetchMode?: string | undefined;
}

export type AdminVerdict =
  /** `session`: the console URL's token was right; the console trades it for its session cookie. */
  { ok: true; session?: true } | { ok: false; key: FakeErrorKey; message: string; headers?: Record<string, string> };

/** True for a usable admin token: 1 to 1024 visible ASCII characters, as an HTTP header value carries them whole. */
export function isAdminToken(token: string): boolean {
  return /^[\x21-\x7e]{1,1024}$/.test(token);
}

/** True for an allowed host: a name without scheme or port, or `.domain` for it and its subdomains. */
export function isAllowedHostName(name: string): boolean {
  return /^\.?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(name);
}

/**
 * The console's session cookie for a token: HttpOnly, SameSite=Strict, scoped to /__admin. Browsers share cookies
 * between the ports of a host, so each token has its own name: two fakes on one machine do not log each other out.
 */
export function consoleCookie(token: string): string {
  return `fake_jelou_console_${createHash("sha256").update(token).digest("hex").slice(0, 12)}`;
}

/** The session cookie's value for a token: derived, so that the cookie never holds the token itself. */
export function consoleSession(token: string): string {
  return createHmac("sha256", token).update("fake-jelou console session").digest("base64url");
}

/** Host names that reach only this machine: a page elsewhere cannot rebind them. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Decides whether an admin request may go on, and if not, the refusal to answer with. */
export function judgeAdminRequest(facts: AdminRequestFacts, config: AdminGuardConfig): AdminVerdict {
  // Readiness probes (Docker, compose, Kubernetes) call it from other hosts, and it tells nothing.
  if ((facts.method === "GET" || facts.method === "HEAD") && facts.path === "/health") return { ok: true };
  // Another site's page may link to the admin API (a navigation shows its JSON, and the console URL is such a link),
  // but its scripts may not call it, even blind (no-cors): they would hold the event streams' slots, or worse.
  if ((facts.fetchSite === "cross-site" || facts.fetchSite === "same-site") && facts.fetchMode !== "navigate") {
    return {
      ok: false,
      key: "ADMIN_CROSS_SITE",
      message: "The admin API does not answer scripts of other sites' pages (Sec-Fetch-Site: cross-site or same-site).",
    };
  }
  let session = false;
  if (config.token !== undefined) {
    const given = /^bearer +(\S+)\s*$/i.exec(facts.authorization ?? "")?.[1];
    if (given === undefined || !sameSecret(config.token, given)) {
      // The console's cookie and its URL's token are sent by a browser, which a page elsewhere can aim at this fake
      // through DNS rebinding: they count only on a host the allowed-hosts rule accepts.
      const cookie = cookieValue(facts.cookie, consoleCookie(config.token));
      const byCookie = cookie !== undefined && sameSecret(consoleSession(config.token), cookie);
      session = facts.consoleToken !== undefined && sameSecret(config.token, facts.consoleToken);
      if (!byCookie && !session) {
        return {
          ok: false,
          key: "ADMIN_UNAUTHORIZED",
          message:
            "The admin API needs Authorization: Bearer <admin token>: the token given with --admin-token (FAKE_JELOU_ADMIN_TOKEN), or the one the fake printed in its ready line. In a browser, open the console URL the ready line prints (/__admin/console?token=...).",
          headers: { "WWW-Authenticate": 'Bearer realm="fake-jelou admin"' },
        };
      }
      const refused = hostRefusal(facts, config);
      if (refused) return refused;
    }
  } else {
    const refused = hostRefusal(facts, config);
    if (refused) return refused;
  }
  if (!SAFE_METHODS.has(facts.method) && !isJson(facts.contentType)) {
    return {
      ok: false,
      key: "UNSUPPORTED_MEDIA_TYPE",
      message: `Send ${facts.method} /__admin${facts.path} with Content-Type: application/json (a body is optional): no web page can send that without the browser asking first, and the fake never says yes.`,
    };
  }
  return session ? { ok: true, session: true } : { ok: true };
}

function hostRefusal(facts: AdminRequestFacts, config: AdminGuardConfig): AdminVerdict | undefined {
  const host = hostName(facts.host);
  if (host !== undefined && hostAllowed(host, config.allowedHosts)) return undefined;
  return {
    ok: false,
    key: "ADMIN_HOST_NOT_ALLOWED",
    message: `The admin API answers only requests to localhost or an IP address${config.allowedHosts.length > 0 ? ` or an allowed host (${config.allowedHosts.join(", ")})` : ""}${config.token !== undefined ? " when they authenticate with the console's cookie or URL" : ""}, and this one's Host header names ${host === undefined ? "no valid host" : `"${host.slice(0, 255)}"`}. Allow that name with --allowed-host <name> (FAKE_JELOU_ALLOWED_HOSTS)${config.token !== undefined ? ", or send Authorization: Bearer <admin token>" : ", or set --admin-token"}.`,
  };
}

/** A cookie's value in a Cookie header (`a=1; b=2`); undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(";")) {
    const at = pair.indexOf("=");
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower-case; undefined when absent or malformed. */
export function hostName(header: string | undefined): string | undefined {
  const value = header?.trim().toLowerCase();
  if (!value) return undefined;
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    return end > 1 && /^(:\d*)?$/.test(value.slice(end + 1)) ? value.slice(1, end) : undefined;
  }
  const [name, port, ...rest] = value.split(":");
  return name && rest.length === 0 && (port === undefined || /^\d*$/.test(port)) ? name : undefined;
}

function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  // DNS rebinding needs a name to point elsewhere: a page whose Host is an address was served from that address, the
  // fake's own (the console URL of a fake bound to 192.0.2.2 or 127.0.0.2).
  if (LOOPBACK_HOSTS.has(host) || isIP(host) !== 0) return true;
  return allowedHosts.some((allowed) => {
    const name = allowed.trim().toLowerCase();
    return name.startsWith(".") ? host === name.slice(1) || host.endsWith(name) : host === name;
  });
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** True when an address to bind reaches only this machine: loopback names, 127.0.0.0/8 and ::1. */
export function isLoopbackAddress(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost") return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  if (isIP(name) === 6) return name === "::1" || /^::ffff:127\./.test(name);
  return false;
}
