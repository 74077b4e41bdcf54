// `fake-jelou verify-pact` and verifyPact(): a consumer's own pact, written by hand for this test (not by the repo's
// client), verified against a fake, through the provider states a consumer names. One drifted copy proves it can fail.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { verifyPact } from "../mock/index.ts";
import { runProcess } from "../test/helpers/run-bin.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PACT = fileURLToPath(new URL("../test/fixtures/pacts/acme-support-panel.json", import.meta.url));
const DRIFTED = fileURLToPath(new URL("../test/fixtures/pacts/acme-support-panel-drifted.json", import.meta.url));
const cli = (...args: string[]) =>
  runProcess(process.execPath, ["--import", "tsx", "mock/cli.ts", "verify-pact", ...args], {
    cwd: ROOT,
    timeout: 60_000,
  });

describe("verifyPact", () => {
  it("passes a consumer's pact whose every interaction the fake answers, through its provider states", async () => {
    expect(await verifyPact({ pact: PACT })).toEqual({ ok: true, interactions: [] });
  });

  it("names the interaction and the field when the fake does not answer what the consumer expects", async () => {
    const result = await verifyPact({ pact: DRIFTED });
    expect(result.ok).toBe(false);
    expect(result.interactions).toEqual([
      {
        description: expect.stringContaining("a request to link project acme to the panel's webhook"),
        ok: false,
        mismatches: ["$.data Actual map is missing the following keys: status"],
      },
    ]);
  });
});

// Concurrent: each test runs the CLI in processes of its own, and the contract suites leave a core idle.
describe.concurrent("fake-jelou verify-pact", () => {
  it("exits 0 and says so when every interaction matched", async () => {
    const result = await cli(PACT);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`every interaction of ${PACT} matched the fake`);
  });

  it("exits 1 listing what did not match", async () => {
    const result = await cli(DRIFTED);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("1 interaction(s)");
    expect(result.stdout).toContain("$.data Actual map is missing the following keys: status");
  });

  it("exits 1 for a pact it cannot read, and 2 without a pact", async () => {
    const [missing, usage] = await Promise.all([cli("no-such-pact.json"), cli()]);
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain("could not verify no-such-pact.json");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'pact'");
  });
});
