// npm run bench: its loads, its rounds (Express and the fake's loads alternate, ratios come from the same rounds), and
// one short run. Speed itself is never asserted here (docs/performance.md has the measured figures).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { type Load, loads } from "../../scripts/bench/measure.ts";
import { medianRow, type Row, ratioToExpress, schedule, type TargetName } from "../../scripts/bench/rounds.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "fake-jelou-bench-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = (args: readonly string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/bench/bench.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 90_000,
  });

describe("--ids and --distinct", () => {
  it.each<[string, boolean, Load[]]>([
    ["1000,5000,distinct", false, [1000, 5000, "distinct"]],
    ["1000", true, [1000, "distinct"]],
    ["distinct, 20 ,distinct", true, ["distinct", 20]],
  ])("read %j (--distinct %s) as %j", (list, distinct, expected) => {
    expect(loads(list, distinct)).toEqual(expected);
  });

  it.each(["0", "-5", "many", ","])("refuse %j", (list) => {
    expect(() => loads(list, false)).toThrow(/--ids/);
  });
});

const row = (target: TargetName, load: Load | null, round: number, reqPerSec: number): Row => ({
  target,
  load,
  round,
  reqPerSec,
  p50: 1,
  p99: 2,
  errors: 0,
  non2xx: 0,
  startupMs: 400,
  rssBeforeMb: 90,
  rssAfterMb: 100,
});

describe("the rounds", () => {
  it("alternate Express and each load of the fake, round by round; the other targets run once", () => {
    const steps = schedule(["fake-active", "fake-closed", "prism", "express", "node-http"], [1000, "distinct"], 2);
    expect(steps.map((s) => [s.round, s.target, s.load])).toEqual([
      [1, "express", null],
      [1, "fake-active", 1000],
      [1, "fake-active", "distinct"],
      [2, "express", null],
      [2, "fake-active", 1000],
      [2, "fake-active", "distinct"],
      [1, "fake-closed", 1000],
      [1, "prism", null],
      [1, "node-http", null],
    ]);
  });

  it("give each load the median of its per-round ratios to Express, not a ratio of medians", () => {
    const rows = [
      row("express", null, 1, 100),
      row("fake-active", "distinct", 1, 90),
      row("express", null, 2, 50),
      row("fake-active", "distinct", 2, 40),
      row("express", null, 3, 200),
      row("fake-active", "distinct", 3, 100),
    ];
    // Per round: 0.9, 0.8, 0.5; their median is 0.8 (the medians' ratio would be 90 / 100 = 0.9).
    expect(ratioToExpress(rows, "fake-active", "distinct")).toBe(0.8);
    expect(medianRow(rows, "fake-active", "distinct")?.round).toBe(1);
    expect(ratioToExpress(rows, "fake-active", 1000)).toBeNull();
  });
});

describe("npm run bench", () => {
  it("writes the table and results.json of a short run, with a console's event stream connected", () => {
    const args = ["--duration", "1", "--warmup", "0", "--targets", "fake-active", "--skip-memory", "--events"];
    const result = run([...args, "--ids", "20", "--out", out]);
    expect(result.status, result.stderr).toBe(0);
    const streamed = Number(/, (\d+) request events streamed/.exec(result.stdout)?.[1]);
    expect(streamed).toBeGreaterThan(0);
    const report = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as { rows: Row[] };
    expect(report.rows.map((r) => [r.round, r.target, r.load, r.errors, r.non2xx])).toEqual([
      [1, "fake-active", 20, 0, 0],
    ]);
    expect(readFileSync(join(out, "results.md"), "utf8")).toMatch(/\| fake-active \| 20 ids \| \d+ \|/);
  });

  // A bad --ids is refused by loads(), above; these reach the script's own checks.
  it.each([
    ["--rounds", "0"],
    ["--targets", "wiremock"],
  ])("refuses %s %s with usage and exit 2", (...args) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run bench");
  });
});
