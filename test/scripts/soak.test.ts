// The short soak: a few seconds of mixed load with faults, then SIGTERM under load. `npm run soak` is the long one.
import { describe, expect, it } from "vitest";
import { runScriptAsync } from "../helpers/run-bin.ts";

describe("npm run soak (short)", () => {
  it("passes: no unexpected error, memory levels off, requests in flight survive SIGTERM under load", async () => {
    const run = await runScriptAsync("scripts/soak.ts", ["--duration", "3", "--connections", "20", "--window", "3"]);
    expect(run.stdout).toContain("soak: passed");
    expect(run.stdout).toMatch(/main load 0 \(expected 0\)/);
    expect(run.stdout).toMatch(/reset scenario [1-9]\d* resets/);
    expect(run.stdout).toMatch(/timeout scenario [1-9]\d* client timeouts/);
    // Every request open when SIGTERM came was answered, and there were some.
    const [, answered, inFlight] = /(\d+)\/(\d+) requests in flight answered with their status/.exec(run.stdout) ?? [];
    expect(Number(inFlight)).toBeGreaterThan(0);
    expect(answered).toBe(inFlight);
    expect(run.stdout).toMatch(/exit 0 \d+ ms after SIGTERM/);
    expect(run.status).toBe(0);
  }, 60_000);

  it("refuses a bad flag with usage and exit 2", async () => {
    const run = await runScriptAsync("scripts/soak.ts", ["--duration", "soon"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--duration must be a positive whole number");
  });
});
