// npm run bench:webhooks: the hot path with and without a dead webhook target, in alternating rounds, and its flags.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";

// biome-ignore lint/suspicious/noExplicitAny: the report is read loosely.
type Json = any;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OUT = mkdtempSync(join(tmpdir(), "bench-webhooks-"));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

// Asynchronous: the bench's fakes answer on this process's event loop only if it is not blocked.
function run(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/webhooks.ts", ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

// Concurrent: the usage check runs beside the measured run, whose figures are not asserted.
describe.concurrent("npm run bench:webhooks", () => {
  it("measures both modes, keeps deliveries to the dead target in flight, and writes the ratio", async () => {
    // The fake from the CLI bundled for the tests (test/helpers/cli-bundle.global-setup.ts): it starts sooner than tsx.
    const fast = ["--duration", "1", "--warmup", "0", "--rounds", "1", "--events", "10", "--cli", inject("cliBundle")];
    const result = await run([...fast, "--out", OUT]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/without webhooks, round 1: \d+ req\/s/);
    expect(result.stdout).toMatch(/with a dead webhook \/ without: [\d.]+ \(median of 1; target >= 0\.95\)/);
    const written = JSON.parse(readFileSync(join(OUT, "webhooks.json"), "utf8"));
    const [without, withHook] = ["without", "with"].map((mode) => written.runs.find((r: Json) => r.mode === mode));
    // Both modes start and close conversations alike; only "with" has a dead target for their events.
    expect([without.events > 0, withHook.events > 0]).toEqual([true, true]);
    expect([without.deliveriesPending, withHook.deliveriesPending > 0]).toEqual([null, true]);
    expect(written.runs.every((r: { errors: number; non2xx: number }) => r.errors + r.non2xx === 0)).toBe(true);
  }, 60_000);

  // One process for the usage path: the flags share one parser (parseArgs and positiveInteger, tested with the bench).
  it("refuses a bad flag value with usage and exit 2", async () => {
    const result = await run(["--events", "x"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run bench:webhooks");
  });
});
