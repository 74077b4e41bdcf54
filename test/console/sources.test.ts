// The console's safety by construction, checked where it is written: text only through text nodes, nothing the CSP
// (script-src 'self', style-src 'self', Trusted Types) would refuse. The browser tests prove it at run time.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CONSOLE = fileURLToPath(new URL("../../console/", import.meta.url));
const sources = readdirSync(join(CONSOLE, "src"))
  .filter((file) => file.endsWith(".ts"))
  .map((file) => [file, readFileSync(join(CONSOLE, "src", file), "utf8")] as const);

describe("the console's sources", () => {
  it("are there", () => {
    expect(sources.map(([file]) => file)).toContain("main.ts");
  });

  it.each([
    ["innerHTML", /\binnerHTML\b/],
    ["outerHTML", /\bouterHTML\b/],
    ["insertAdjacentHTML", /\binsertAdjacentHTML\b/],
    ["document.write", /\bdocument\.write(ln)?\b/],
    ["DOMParser and createContextualFragment", /\bDOMParser\b|createContextualFragment/],
    ["eval and new Function", /\beval\s*\(|new\s+Function\s*\(/],
    ["a style attribute or property", /setAttribute\(\s*["'`]style|\.style\b/],
    ["an on* attribute", /setAttribute\(\s*["'`]on/i],
  ])("never use %s", (_name, pattern) => {
    const offending = sources.filter(([, text]) => pattern.test(text)).map(([file]) => file);
    expect(offending).toEqual([]);
  });
});

describe("console/index.html", () => {
  const html = readFileSync(join(CONSOLE, "index.html"), "utf8");

  it("has no inline script, inline style, style attribute or inline handler", () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle\s*=/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it("loads its assets from /__admin/console/ only", () => {
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(urls.filter((url) => !url?.startsWith("#") && url !== "data:,")).toEqual([
      "/__admin/console/console.css",
      "/__admin/console/console.js",
    ]);
  });
});
