// Where the fake may deliver webhooks. The Jelou routes take "any key", and a web page can reach a loopback fake
// through DNS rebinding: without a list, anyone who reaches the fake could make it POST into the network it sits in.
import { isIP } from "node:net";
import { isAllowedHostName } from "../admin-guard.ts";

/** The hosts a loopback-bound fake delivers to besides those listed: this machine's. */
export const LOOPBACK_WEBHOOK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "::1"];

// Lower case, without IPv6 brackets or a root label's trailing dot: `[::1]` is `::1`, `Localhost.` is `localhost`.
const normal = (host: string) =>
  host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");

/** True for what an allow list may hold: a host name, `.domain` for it and its subdomains, or an IP address. */
export function isWebhookHost(entry: string): boolean {
  return isAllowedHostName(entry.replace(/\.$/, "")) || isIP(normal(entry)) !== 0;
}

/** True when `url` is http(s) and, with an allow list, its host is listed (`.example.com`: it and its subdomains). */
export function webhookHostAllowed(url: URL, allow: readonly string[] | undefined): boolean {
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (allow === undefined) return true;
  const host = normal(url.hostname);
  return allow.some((entry) => {
    const name = normal(entry);
    return name.startsWith(".") ? host === name.slice(1) || host.endsWith(name) : host === name;
  });
}
