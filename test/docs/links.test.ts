// Every relative link in the README and the docs must lead to a file that exists: moved docs leave no dead links.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { docPages } from "../helpers/markdown-blocks.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAGES = docPages(ROOT);

/** The relative targets of a Markdown page's inline links, without their #fragment. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target))
    .map((target) => target.split("#")[0] as string);
}

describe("relative links", () => {
  it("finds inline links and leaves out URLs and anchors", () => {
    expect(relativeLinks("[a](docs/x.md) [`b`](../y.ts#L3) [c](https://e.example) [d](#top) [e](mailto:x@y)")).toEqual([
      "docs/x.md",
      "../y.ts",
    ]);
  });

  it.each(PAGES)("in %s all lead to files that exist", (page) => {
    const links = relativeLinks(readFileSync(join(ROOT, page), "utf8"));
    const missing = links.filter((target) => !existsSync(join(ROOT, dirname(page), target)));
    expect(
      missing,
      `${page} links to files that do not exist (paths relative to ${relative(ROOT, dirname(join(ROOT, page))) || "."})`,
    ).toEqual([]);
  });
});
