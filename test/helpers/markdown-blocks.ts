// Reads the fenced code blocks of a Markdown page with the marker comment that says how each is checked, and the
// grammar of the command blocks (one command a line, its expected outcome in a trailing comment).
import { readdirSync } from "node:fs";
import { join } from "node:path";

/** The pages a user reads, relative to the clone: the README, the spec's decisions, and docs/. */
export function docPages(root: string): string[] {
  const docs = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", "spec/README.md", ...docs.map((name) => `docs/${name}`)];
}

/** `<!-- kind -->` or `<!-- kind: argument -->` on the line right before a fence. */
export interface Marker {
  kind: string;
  argument: string;
}

export interface CodeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's language, e.g. `sh` or `ts`; "" when it has none. */
  info: string;
  code: string;
  marker: Marker | undefined;
}

const MARKER = /^<!--\s*([a-z][a-z-]*)(?::\s*(.*?))?\s*-->$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/;

/** Every fenced code block of `markdown`, in order; an unclosed fence runs to the end of the page, as in CommonMark. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let open = 0; open < lines.length; open++) {
    const fence = FENCE.exec(lines[open] as string);
    if (!fence) continue;
    const [, ticks = "", info = ""] = fence;
    const closing = new RegExp(`^ {0,3}${ticks[0] === "`" ? "`" : "~"}{${ticks.length},}\\s*$`);
    let close = open + 1;
    while (close < lines.length && !closing.test(lines[close] as string)) close++;
    const marker = MARKER.exec((lines[open - 1] ?? "").trim());
    blocks.push({
      line: open + 1,
      info,
      code: lines.slice(open + 1, close).join("\n"),
      marker: marker ? { kind: marker[1] as string, argument: marker[2] ?? "" } : undefined,
    });
    open = close;
  }
  return blocks;
}

/** One command of a shell block, and the comment that ends its line ("" when none). */
export interface ShellCommand {
  command: string;
  comment: string;
}

/** The commands of a shell block: `\`-continued lines joined, blank and comment-only lines left out. */
export function shellCommands(code: string): ShellCommand[] {
  return code
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const at = commentStart(line);
      return at === -1
        ? { command: line, comment: "" }
        : { command: line.slice(0, at).trim(), comment: line.slice(at + 1).trim() };
    });
}

/** Index of the `#` that starts a trailing comment, or -1: a `#` inside quotes or inside a word is not one. */
function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "#" && /\s/.test(line[i - 1] ?? "")) {
      return i;
    }
  }
  return -1;
}

/** What a command's comment promises: `# 404 ...` a status, `exits 28` curl's exit code, `` `text` `` in the body. */
export interface Expectation {
  status: number | undefined;
  exitCode: number;
  bodyContains: string[];
}

export function expectation(comment: string): Expectation {
  const status = /^(\d{3})\b/.exec(comment)?.[1];
  const exitCode = /\bexits (\d+)\b/.exec(comment)?.[1];
  return {
    status: status === undefined ? undefined : Number(status),
    exitCode: exitCode === undefined ? 0 : Number(exitCode),
    bodyContains: [...comment.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string),
  };
}
