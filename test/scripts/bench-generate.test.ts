// npm run bench:generate: a table of bodies per second per language and state, and its flags.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = (args: readonly string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/bench/generate.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });

describe("npm run bench:generate", () => {
  it("prints one row per language and state, with the bodies and rounds asked for", () => {
    const result = run(["--bodies", "300", "--rounds", "1"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("300 bodies per round, median of 1 rounds");
    const rows = result.stdout
      .split("\n")
      .filter((line) => /^\| (es|pt) \| (active|closed) \| [\d.]+ \| [\d,]+ \|$/.test(line));
    expect(rows).toHaveLength(4);
  });

  it.each([["--bodies", "0"], ["--rounds", "x"], ["--fast"]])("refuses %s with usage and exit 2", (...args) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run bench:generate");
  });
});
