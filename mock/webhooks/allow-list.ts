// Where the fake may deliver webhooks: bound beyond loopback, a network client with "any key" credentials must not be
// able to turn it into a forwarder into the network it sits in.

/** True when `url` is http(s) and, with an allow list, its host is listed (`.example.com`: it and its subdomains). */
export function webhookHostAllowed(url: URL, allow: readonly string[] | undefined): boolean {
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (allow === undefined) return true;
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return allow.some((entry) => {
    const name = entry.toLowerCase();
    return name.startsWith(".") ? host === name.slice(1) || host.endsWith(name) : host === name;
  });
}
