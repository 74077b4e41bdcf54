// Writes generated/ from the spec with openapi-typescript's own CLI (so the output is byte for byte what a user
// gets from `npx openapi-typescript`), or with --check proves the committed file is not stale.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";

const root = resolve(import.meta.dirname, "..");
const defaults = {
  spec: join(root, "spec/jelou-external-support.openapi.yaml"),
  out: join(root, "generated/jelou-external-support.ts"),
};
// Root-level aliases (SchemaConversation, ...) spare consumers the components["schemas"][...] lookups.
const GENERATOR_FLAGS = ["--root-types"];

const usage = `Usage: tsx scripts/generate.ts [--check] [--spec <file>] [--out <file>]
  --check        do not write; exit 1 when <out> differs from what the spec generates
  --spec <file>  the OpenAPI document (default: ${relative(root, defaults.spec)})
  --out <file>   the generated TypeScript file (default: ${relative(root, defaults.out)})`;

let args: { check: boolean; spec: string; out: string };
try {
  const { values } = parseArgs({
    options: {
      check: { type: "boolean", default: false },
      spec: { type: "string", default: defaults.spec },
      out: { type: "string", default: defaults.out },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  args = { check: values.check, spec: resolve(values.spec), out: resolve(values.out) };
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}

// The package's exports map rewrites `*.js` to `*.mjs`, so locate the CLI through its package.json `bin`.
const pkgJson = createRequire(import.meta.url).resolve("openapi-typescript/package.json");
const bin = join(
  dirname(pkgJson),
  (JSON.parse(readFileSync(pkgJson, "utf8")) as { bin: Record<string, string> }).bin["openapi-typescript"] ??
    "bin/cli.js",
);

function generate(spec: string, out: string): void {
  const run = spawnSync(process.execPath, [bin, spec, ...GENERATOR_FLAGS, "--output", out], { encoding: "utf8" });
  if (run.status !== 0) {
    console.error(`Failed to generate types from ${relative(root, spec)}:\n${run.stderr || run.stdout}`);
    process.exit(1);
  }
}

if (!args.check) {
  generate(args.spec, args.out);
  console.log(`Wrote ${relative(root, args.out)} from ${relative(root, args.spec)}.`);
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-generate-"));
try {
  const fresh = join(scratch, "fresh.ts");
  generate(args.spec, fresh);
  const expected = readFileSync(fresh, "utf8");
  let committed: string | undefined;
  try {
    committed = readFileSync(args.out, "utf8");
  } catch {
    committed = undefined;
  }
  if (committed === expected) {
    console.log(`${relative(root, args.out)} is up to date with ${relative(root, args.spec)}.`);
    process.exit(0);
  }
  console.error(
    `${relative(root, args.out)} is stale: it is not what ${relative(root, args.spec)} generates.\n` +
      `Fix: run \`npm run generate\` and commit the result (never edit or format generated/ by hand).\n` +
      (committed === undefined ? "The generated file does not exist." : firstDifference(committed, expected)),
  );
  process.exit(1);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function firstDifference(actual: string, expected: string): string {
  const a = actual.split("\n");
  const e = expected.split("\n");
  const line = e.findIndex((text, i) => text !== a[i]);
  const at = line === -1 ? e.length : line;
  return `First difference at line ${at + 1}:\n  committed: ${a[at] ?? "<end of file>"}\n  expected:  ${e[at] ?? "<end of file>"}`;
}
