// npm run lint:package: packs the package (the prepack script builds dist/) and has publint and "Are the types
// wrong?" (attw) judge the tarball npm would publish. Any finding, a suggestion included, fails.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Runs a dev tool from node_modules/.bin on the tarball; true when it exits 0. */
function judge(bin: string, args: readonly string[]): boolean {
  const result = spawnSync(join(ROOT, "node_modules/.bin", bin), args, { cwd: ROOT, stdio: "inherit" });
  if (result.status !== 0) console.error(`lint:package: ${bin} found problems (exit ${result.status}).`);
  return result.status === 0;
}

const dir = mkdtempSync(join(tmpdir(), "fake-jelou-lint-package-"));
try {
  const filename = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .at(-1) as string;
  const tarball = join(dir, filename);
  const publint = judge("publint", ["run", tarball, "--strict", "--level", "suggestion"]);
  const attw = judge("attw", [tarball, "--format", "ascii"]);
  process.exitCode = publint && attw ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
