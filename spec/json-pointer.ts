/** Builds an RFC 6901 JSON pointer from path segments. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}

/** The value at an RFC 6901 JSON pointer, or undefined when the pointer leads nowhere. */
export function atPointer(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  let node: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    if (typeof node !== "object" || node === null) return undefined;
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (!Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
