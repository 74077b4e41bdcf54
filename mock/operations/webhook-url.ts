// Which webhook URLs an integration accepts: any absolute http(s) URL by default, so that a team can point the fake
// at a local server; only public HTTPS ones with requireHttpsWebhooks, as Jelou documents.
import { isIP } from "node:net";
import type { FieldErrors } from "./operation.ts";

// Not public: this network, private, loopback, shared (CGN), link-local, and multicast, reserved and broadcast.
const PRIVATE_V4 = [
  /^0\./,
  /^10\./,
  /^127\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^(22[4-9]|2[3-5]\d)\./,
];

/** Why `url` cannot be an integration's webhook, as Jelou's validationError; undefined when it can. */
export function webhookUrlErrors(url: string, requireHttps: boolean): FieldErrors | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail("no es una URL absoluta", "is not an absolute URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return fail("debe usar http o https", "must use http or https");
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return fail("no debe llevar credenciales", "must not carry credentials (use authType and authorization)");
  }
  if (!requireHttps) return undefined;
  if (parsed.protocol !== "https:") return fail("debe usar https", "must use https (--require-https-webhooks)");
  if (!isPublicHost(parsed.hostname)) {
    return fail(
      "debe apuntar a un host público",
      "must point to a public host, not localhost or a private address (--require-https-webhooks)",
    );
  }
  return undefined;
}

function isPublicHost(hostname: string): boolean {
  // One trailing dot names the same host (`localhost.` is localhost).
  const host = hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal"))
    return false;
  if (isIP(host) === 4) return !PRIVATE_V4.some((range) => range.test(host));
  // IPv6: unspecified, loopback, IPv4-mapped or -compatible (::a.b.c.d), unique local, link- and site-local, multicast.
  if (isIP(host) === 6)
    return !/^(::|::1|::ffff:.*|::[0-9a-f]{1,4}(:[0-9a-f]{1,4})?|f[cd].*|fe[89a-f].*|ff.*)$/.test(host);
  return host.includes(".");
}

function fail(es: string, en: string): FieldErrors {
  return { webhookUrl: [{ es: `webhookUrl ${es}.`, en: `webhookUrl ${en}.` }] };
}
