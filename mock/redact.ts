// What the fake shows watchers (the event stream, the console) of bodies that can hold secrets: secret values
// replaced, and URLs cut to their origin and path, as the deliveries log shows webhook URLs (a token in a query or in
// userinfo is a credential).

export const REDACTED = "[redacted]";

/** Keys whose values are secrets wherever they appear: Create integration answers with its `signingSecret`. */
const SECRET_KEYS = new Set(["signingSecret", "authorization"]);
/** Keys whose values are URLs a team may have put a credential in. */
const URL_KEYS = new Set(["webhookUrl"]);

/** Whether a JSON text names a key whose value is redacted: only those texts need parsing. */
export function mayHoldSecrets(text: string): boolean {
  for (const name of [...SECRET_KEYS, ...URL_KEYS]) if (text.includes(`"${name}"`)) return true;
  return false;
}

/** A URL as watchers see it: origin (without userinfo) and path; never its query or fragment. */
export function shownUrl(url: string): string {
  if (!URL.canParse(url)) return REDACTED;
  const { origin, pathname } = new URL(url);
  return origin === "null" ? REDACTED : `${origin}${pathname}`;
}

/** A copy of a JSON value with secret values redacted and URL values shown as {@link shownUrl}. */
export function redacted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redacted);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, child]) => [
      name,
      SECRET_KEYS.has(name)
        ? REDACTED
        : URL_KEYS.has(name) && typeof child === "string"
          ? shownUrl(child)
          : redacted(child),
    ]),
  );
}
