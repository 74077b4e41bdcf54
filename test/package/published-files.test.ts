// What npm would publish: only what runs (publint and attw check the manifest in npm test: npm run lint:package).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("the published package", () => {
  it("carries dist/, the spec and the console beside it, README, LICENSE and package.json, and nothing else", () => {
    const files = inject("packedFiles");
    expect(files.filter((file) => !/^dist\/[^/]+\.(js|cjs|d\.ts|d\.cts|map)$/.test(file)).sort()).toEqual([
      "LICENSE",
      "README.md",
      // Built ahead of time, without a source map: users never build the console.
      "dist/console/console.css",
      "dist/console/console.js",
      "dist/console/index.html",
      "dist/jelou-external-support.openapi.yaml",
      "package.json",
    ]);
    for (const entry of ["index", "client", "spec"]) {
      expect(files).toEqual(expect.arrayContaining([`dist/${entry}.js`, `dist/${entry}.cjs`, `dist/${entry}.d.ts`]));
      expect(files).toContain(`dist/${entry}.d.cts`);
    }
    expect(files).toContain("dist/cli.js");
    // The command is ESM only: no CommonJS copy of it to ship.
    expect(files.filter((file) => file.startsWith("dist/cli.") && !file.startsWith("dist/cli.js"))).toEqual([]);
  });

  it("passes npm publish --dry-run with the same files", () => {
    const result = spawnSync("npm", ["publish", "--dry-run", "--offline", "--json", "--ignore-scripts"], {
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
});
