// Bundles the CLI once per test run, as the package ships it (ESM, dependencies external, split into chunks), for the
// suites that spawn it many times: it starts in about 0.5 s where `node --import tsx mock/cli.ts` takes 0.85 s, and the
// chunks it imports only to serve stay out of --help, --version and usage errors. Builds the console too, where each
// kind of fake serves it from: ./console/ beside the bundle, .console-build/ from the source.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";
import type { TestProject } from "vitest/node";
import { buildConsole } from "../../scripts/build/console.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// A folder of the clone, so that the bundle finds ../package.json (its version) as dist/cli.js does.
const OUT = join(ROOT, ".test-build");

export async function setup(project: TestProject): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT);
  copyFileSync(
    join(ROOT, "spec/jelou-external-support.openapi.yaml"),
    join(OUT, "jelou-external-support.openapi.yaml"),
  );
  await Promise.all([
    build({
      entry: { cli: join(ROOT, "mock/cli.ts") },
      format: "esm",
      platform: "node",
      target: "node20.19",
      outDir: OUT,
      splitting: true,
      silent: true,
      config: false,
    }),
    buildConsole(join(OUT, "console")),
    buildConsole(join(ROOT, ".console-build")),
  ]);
  project.provide("cliBundle", join(OUT, "cli.js"));
}

declare module "vitest" {
  export interface ProvidedContext {
    cliBundle: string;
  }
}
