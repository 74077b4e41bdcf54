// What npm would publish: only what runs, and a manifest that publint and "Are the types wrong?" find no fault with.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Runs a dev tool's command from node_modules/.bin, on the Node first on PATH (the one under test in CI). */
function runTool(bin: string, args: readonly string[]) {
  const result = spawnSync(join(ROOT, "node_modules/.bin", bin), args, {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the published package", () => {
  it("carries dist/, the spec beside it, README, LICENSE and package.json, and nothing else", () => {
    const files = inject("packedFiles");
    expect(files.filter((file) => !/^dist\/[^/]+\.(js|cjs|d\.ts|d\.cts|map)$/.test(file)).sort()).toEqual([
      "LICENSE",
      "README.md",
      "dist/jelou-external-support.openapi.yaml",
      "package.json",
    ]);
    for (const entry of ["index", "client", "spec"]) {
      expect(files).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.cjs`, `dist/${entry}.d.ts`]));
      expect(files).toContain(`dist/${entry}.d.cts`);
    }
    expect(files).toContain("dist/cli.js");
  });

  it("passes npm publish --dry-run with the same files", () => {
    const result = spawnSync("npm", ["publish", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(result.status, result.stderr).toBe(0);
    // npm drops a manifest field it finds invalid with only a warning (a bin of "./dist/cli.js" was dropped so).
    const warnings = result.stderr.split("\n").filter((line) => line.startsWith("npm warn publish"));
    expect(warnings.filter((line) => !/requires you to be logged in/.test(line))).toEqual([]);
    const report = JSON.parse(result.stdout) as Record<string, { files: { path: string }[] }>;
    const files = report["fake-jelou"]?.files.map((file) => file.path);
    expect(files?.sort()).toEqual([...inject("packedFiles")].sort());
  });

  it("is clean for publint, warnings and suggestions included", () => {
    const result = runTool("publint", ["run", inject("tarball"), "--strict", "--level", "suggestion"]);
    expect(result.output).toMatch(/All good!/);
    expect(result.status, result.output).toBe(0);
  });

  it("is clean for attw: every entry resolves to the right types under node10, node16 (CJS and ESM) and bundler", () => {
    const result = runTool("attw", [inject("tarball"), "--format", "ascii"]);
    expect(result.output).toMatch(/No problems found/);
    expect(result.status, result.output).toBe(0);
  });
});
