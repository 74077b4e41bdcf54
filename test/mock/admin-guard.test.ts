// The admin guard as a table: token, Host allow-list and JSON-only mutations, decided on plain objects.
import { describe, expect, it } from "vitest";
import {
  type AdminGuardConfig,
  type AdminRequestFacts,
  consoleCookie,
  consoleSession,
  cookieValue,
  hostName,
  isLoopbackAddress,
  judgeAdminRequest,
} from "../../mock/admin-guard.ts";

const JSON_TYPE = "application/json";
const facts = (extra: Partial<AdminRequestFacts> = {}): AdminRequestFacts => ({
  method: "GET",
  path: "/requests",
  host: "127.0.0.1:4010",
  ...extra,
});
const open: AdminGuardConfig = { allowedHosts: [] };
const allowing: AdminGuardConfig = { allowedHosts: ["fake-jelou", ".example.test"] };
const withToken: AdminGuardConfig = { token: "s3cret-admin-token", allowedHosts: [] };

describe("judgeAdminRequest", () => {
  it.each<[string, AdminRequestFacts, AdminGuardConfig, string | undefined]>([
    ["localhost with a port", facts({ host: "localhost:4010" }), open, undefined],
    ["127.0.0.1 without a port", facts({ host: "127.0.0.1" }), open, undefined],
    ["[::1] with a port", facts({ host: "[::1]:4010" }), open, undefined],
    ["LOCALHOST in capitals", facts({ host: "LOCALHOST:4010" }), open, undefined],
    ["a rebinding name", facts({ host: "attacker.example:4010" }), open, "ADMIN_HOST_NOT_ALLOWED"],
    // An address cannot be rebound: the page was served from it (the fake's own console URL on that binding).
    ["a LAN address", facts({ host: "192.168.1.20:4010" }), open, undefined],
    ["another loopback address", facts({ host: "127.0.0.2:4010" }), open, undefined],
    ["an IPv6 address", facts({ host: "[fe80::1]:4010" }), open, undefined],
    ["a loopback name as a prefix", facts({ host: "localhost.attacker.example" }), open, "ADMIN_HOST_NOT_ALLOWED"],
    ["no Host header", facts({ host: undefined }), open, "ADMIN_HOST_NOT_ALLOWED"],
    ["a malformed Host", facts({ host: "127.0.0.1:4010:1" }), open, "ADMIN_HOST_NOT_ALLOWED"],
    ["an allowed name", facts({ host: "fake-jelou:4010" }), allowing, undefined],
    ["a subdomain of an allowed .domain", facts({ host: "a.example.test" }), allowing, undefined],
    ["the .domain itself", facts({ host: "example.test" }), allowing, undefined],
    ["a name that only ends like the domain", facts({ host: "badexample.test" }), allowing, "ADMIN_HOST_NOT_ALLOWED"],
    ["the health check from any host", facts({ path: "/health", host: "anything" }), open, undefined],
    ["the health check without the token", facts({ path: "/health" }), withToken, undefined],
    ["no token when one is required", facts(), withToken, "ADMIN_UNAUTHORIZED"],
    ["a wrong token", facts({ authorization: "Bearer s3cret-admin-tokeN" }), withToken, "ADMIN_UNAUTHORIZED"],
    ["the token as Basic", facts({ authorization: "Basic s3cret-admin-token" }), withToken, "ADMIN_UNAUTHORIZED"],
    ["the right token", facts({ authorization: "Bearer s3cret-admin-token" }), withToken, undefined],
    [
      "the right token, scheme in any case",
      facts({ authorization: "bearer s3cret-admin-token" }),
      withToken,
      undefined,
    ],
    [
      "the right token from any host",
      facts({ host: "fake-jelou:4010", authorization: "Bearer s3cret-admin-token" }),
      withToken,
      undefined,
    ],
    ["a POST without Content-Type", facts({ method: "POST", path: "/reset" }), open, "UNSUPPORTED_MEDIA_TYPE"],
    [
      "a POST as text/plain (a simple cross-site request)",
      facts({ method: "POST", path: "/reset", contentType: "text/plain" }),
      open,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "a form post",
      facts({ method: "POST", path: "/reset", contentType: "application/x-www-form-urlencoded" }),
      open,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    ["a DELETE without Content-Type", facts({ method: "DELETE" }), open, "UNSUPPORTED_MEDIA_TYPE"],
    ["a POST as JSON", facts({ method: "POST", path: "/reset", contentType: JSON_TYPE }), open, undefined],
    [
      "a PUT as JSON with a charset",
      facts({ method: "PUT", path: "/scenario", contentType: "application/json; charset=utf-8" }),
      open,
      undefined,
    ],
    [
      "a POST as JSON from a foreign host",
      facts({ method: "POST", path: "/reset", host: "attacker.example", contentType: JSON_TYPE }),
      open,
      "ADMIN_HOST_NOT_ALLOWED",
    ],
  ])("%s", (_title, request, config, refusal) => {
    const verdict = judgeAdminRequest(request, config);
    expect(verdict.ok ? undefined : verdict.key).toBe(refusal);
  });

  const CONSOLE_COOKIE = consoleCookie("s3cret-admin-token");
  const session = `${CONSOLE_COOKIE}=${consoleSession("s3cret-admin-token")}`;
  const mutation = { method: "POST", path: "/reset", contentType: JSON_TYPE };
  it.each<[string, AdminRequestFacts, AdminGuardConfig, string | undefined]>([
    ["the console's cookie on loopback", facts({ cookie: session }), withToken, undefined],
    ["the console's cookie among others", facts({ cookie: `a=1; ${session}; b=2` }), withToken, undefined],
    ["the cookie for a mutation, as JSON", facts({ ...mutation, cookie: session }), withToken, undefined],
    [
      "the cookie for a mutation as a form post",
      facts({ ...mutation, contentType: "text/plain", cookie: session }),
      withToken,
      "UNSUPPORTED_MEDIA_TYPE",
    ],
    [
      "the cookie on a rebinding host",
      facts({ cookie: session, host: "attacker.example" }),
      withToken,
      "ADMIN_HOST_NOT_ALLOWED",
    ],
    [
      "the cookie on an allowed host",
      facts({ cookie: session, host: "fake-jelou" }),
      { ...withToken, allowedHosts: ["fake-jelou"] },
      undefined,
    ],
    [
      "a cookie of another token",
      facts({ cookie: `${CONSOLE_COOKIE}=${consoleSession("other")}` }),
      withToken,
      "ADMIN_UNAUTHORIZED",
    ],
    [
      "the token itself as the cookie",
      facts({ cookie: `${CONSOLE_COOKIE}=s3cret-admin-token` }),
      withToken,
      "ADMIN_UNAUTHORIZED",
    ],
    ["the console URL's token", facts({ path: "/console", consoleToken: "s3cret-admin-token" }), withToken, undefined],
    ["another site's script", facts({ fetchSite: "cross-site", fetchMode: "no-cors" }), open, "ADMIN_CROSS_SITE"],
    ["another port's script", facts({ fetchSite: "same-site", fetchMode: "cors" }), open, "ADMIN_CROSS_SITE"],
    [
      "another site's script, with the token",
      facts({ fetchSite: "cross-site", fetchMode: "cors", authorization: "Bearer s3cret-admin-token" }),
      withToken,
      "ADMIN_CROSS_SITE",
    ],
    [
      "a link from another site to the console",
      facts({ path: "/console", consoleToken: "s3cret-admin-token", fetchSite: "cross-site", fetchMode: "navigate" }),
      withToken,
      undefined,
    ],
    ["the console's own script", facts({ fetchSite: "same-origin", fetchMode: "cors" }), open, undefined],
    ["an address typed in the bar", facts({ fetchSite: "none", fetchMode: "navigate" }), open, undefined],
    ["a wrong console URL token", facts({ path: "/console", consoleToken: "s3cret" }), withToken, "ADMIN_UNAUTHORIZED"],
    [
      "the console URL's token on a rebinding host",
      facts({ path: "/console", consoleToken: "s3cret-admin-token", host: "attacker.example" }),
      withToken,
      "ADMIN_HOST_NOT_ALLOWED",
    ],
  ])("%s", (_title, request, config, refusal) => {
    const verdict = judgeAdminRequest(request, config);
    expect(verdict.ok ? undefined : verdict.key).toBe(refusal);
  });

  it("marks the verdict of a right console URL token, so that the console sets its cookie", () => {
    expect(judgeAdminRequest(facts({ path: "/console", consoleToken: "s3cret-admin-token" }), withToken)).toEqual({
      ok: true,
      session: true,
    });
    expect(judgeAdminRequest(facts({ authorization: "Bearer s3cret-admin-token" }), withToken)).toEqual({ ok: true });
    expect(consoleSession("s3cret-admin-token")).not.toContain("s3cret");
    // Cookies are shared by a host's ports: each fake's token names its own.
    expect(consoleCookie("s3cret-admin-token")).toMatch(/^fake_jelou_console_[0-9a-f]{12}$/);
    expect(consoleCookie("another-fake-token")).not.toBe(consoleCookie("s3cret-admin-token"));
  });

  it.each([
    [undefined, undefined],
    ["a=1", undefined],
    [`${CONSOLE_COOKIE}=v1`, "v1"],
    [` x=1 ;${CONSOLE_COOKIE}= v2 `, "v2"],
    [`${CONSOLE_COOKIE}x=v3`, undefined],
  ])("cookieValue(%j) is %j", (header, value) => {
    expect(cookieValue(header, CONSOLE_COOKIE)).toBe(value);
  });

  it("asks for a Bearer token with WWW-Authenticate, and never repeats the token", () => {
    const verdict = judgeAdminRequest(facts({ authorization: "Bearer wrong" }), withToken);
    expect(verdict).toMatchObject({ ok: false, headers: { "WWW-Authenticate": 'Bearer realm="fake-jelou admin"' } });
    expect(JSON.stringify(verdict)).not.toContain("s3cret-admin-token");
    expect(JSON.stringify(verdict)).not.toContain("wrong");
  });

  it("says how to allow a refused host", () => {
    const verdict = judgeAdminRequest(facts({ host: "fake-jelou:4010" }), open);
    expect(verdict.ok || verdict.message).toMatch(/"fake-jelou".*--allowed-host.*--admin-token/);
  });
});

describe("hostName", () => {
  it.each([
    ["localhost:4010", "localhost"],
    ["[::1]:4010", "::1"],
    ["[::1]", "::1"],
    ["Example.COM", "example.com"],
    ["", undefined],
    ["[::1", undefined],
    ["a:b:c", undefined],
    ["host:port", undefined],
  ])("reads %j as %j", (header, want) => {
    expect(hostName(header)).toBe(want);
  });
});

describe("isLoopbackAddress", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["::ffff:127.0.0.1", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.20", false],
    ["fake-jelou", false],
  ])("%s is loopback: %s", (host, want) => {
    expect(isLoopbackAddress(host)).toBe(want);
  });
});
