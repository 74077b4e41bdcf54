// How deeply a JSON value nests, measured without recursion: a hostile body 30000 levels deep must be refused, not
// overflow the stack of whatever walks it next (the validator, the byte count, JSON.stringify).

/** The nesting depth of `value` (a scalar is 0, `{}` is 1), counted up to `cap + 1` at most. */
export function nestingDepth(value: unknown, cap: number): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [node, level] = pending.pop() as [unknown, number];
    if (typeof node !== "object" || node === null) continue;
    deepest = Math.max(deepest, level + 1);
    if (deepest > cap) return deepest;
    for (const child of Object.values(node)) pending.push([child, level + 1]);
  }
  return deepest;
}
