// Packs the package once for the package suites, as `npm publish` would: the prepack script builds dist/ first, and its
// log precedes the JSON that --json prints.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let workDir: string | undefined;

export function setup(project: TestProject): void {
  workDir = mkdtempSync(join(tmpdir(), "fake-jelou-package-"));
  const output = execFileSync("npm", ["pack", "--json", "--pack-destination", workDir], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [packed] = JSON.parse(output.slice(output.search(/^\[/m))) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error("npm pack printed no package.");
  project.provide("packageWorkDir", workDir);
  project.provide("tarball", join(workDir, packed.filename));
  project.provide(
    "packedFiles",
    packed.files.map((file) => file.path),
  );
}

export function teardown(): void {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    packageWorkDir: string;
    tarball: string;
    packedFiles: string[];
  }
}
