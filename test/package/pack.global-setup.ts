// Packs the package once for the package suites with the Dockerfile's own build step (`npm pack`, whose prepack
// script builds dist/), its /pkg folder mapped to a temporary one: the tarball the image installs is the one tested.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser } from "dockerfile-ast";
import type { TestProject } from "vitest/node";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let workDir: string | undefined;

/** The build stage's RUN line that packs the tarball into /pkg. */
function dockerPackStep(): string {
  const instructions = DockerfileParser.parse(readFileSync(join(ROOT, "Dockerfile"), "utf8")).getInstructions();
  const runtimeFrom = instructions.findLastIndex((instruction) => instruction.getKeyword() === "FROM");
  const build = instructions.slice(0, runtimeFrom);
  const pack = build.find((i) => i.getKeyword() === "RUN" && /\bnpm pack\b/.test(i.getArgumentsContent() ?? ""));
  if (!pack) throw new Error("The Dockerfile's build stage has no RUN with npm pack.");
  return pack.getArgumentsContent() as string;
}

export function setup(project: TestProject): void {
  workDir = mkdtempSync(join(tmpdir(), "fake-jelou-package-"));
  const step = dockerPackStep().replaceAll(/\/pkg\b/g, workDir);
  execFileSync("sh", ["-c", step], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const tarball = join(workDir, "fake-jelou.tgz");
  if (!existsSync(tarball)) throw new Error(`The Dockerfile's pack step made no ${tarball}.`);
  const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" })
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, ""));
  project.provide("packageWorkDir", workDir);
  project.provide("tarball", tarball);
  project.provide("packedFiles", files);
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
