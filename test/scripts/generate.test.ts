import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runBin } from "../helpers/run-bin.ts";

const GENERATED = fileURLToPath(new URL("../../generated/jelou-external-support.ts", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-gen-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const generate = (...args: string[]) => runBin("tsx", "tsx", ["scripts/generate.ts", ...args]);

describe("npm run generate / generate:check", () => {
  it("passes when generated/ matches the committed spec", () => {
    const run = generate("--check");
    expect(run.stdout).toContain("generated/jelou-external-support.ts is up to date");
    expect(run.status).toBe(0);
  });

  it("fails, naming the fix, when a schema changes without regenerating", () => {
    const spec = join(scratch, "spec.yaml");
    writeFileSync(
      spec,
      readFileSync(SPEC_PATH, "utf8").replace(
        "        name:\n          description: Bot name.",
        "        avatarUrl:\n          type: string\n        name:\n          description: Bot name.",
      ),
    );
    const run = generate("--check", "--spec", spec);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("generated/jelou-external-support.ts is stale");
    expect(run.stderr).toContain("run `npm run generate` and commit the result");
    expect(run.stderr).toMatch(/expected: +avatarUrl\?: string;/);
  });

  it("regenerates exactly the committed file over a hand-edited one", () => {
    const out = join(scratch, "types.ts");
    writeFileSync(out, "// edited by hand\n");
    expect(generate("--out", out).status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(GENERATED, "utf8"));
  });

  it("rejects an unknown flag with usage and exit 2", () => {
    const run = generate("--chek");
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Usage: tsx scripts/generate.ts");
  });
});
