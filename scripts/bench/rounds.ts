// The bench's plan and arithmetic, apart from processes and sockets: which target runs under which load in which
// round, and how the rounds become one ratio per load.
import type { Load } from "./measure.ts";

export const TARGETS = ["fake-active", "fake-closed", "prism", "express", "node-http"] as const;
export type TargetName = (typeof TARGETS)[number];

/** One measured run of a target. */
export interface Row {
  target: TargetName;
  /** The fake's load; null for the targets that answer one path. */
  load: Load | null;
  round: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  startupMs: number;
  rssBeforeMb: number | null;
  rssAfterMb: number | null;
}

export interface Step {
  round: number;
  target: TargetName;
  /** The fake's load; null for the targets that answer one path. */
  load: Load | null;
}

/**
 * The runs, in order. Express and each of the fake's loads alternate, round after round, so that a drift of the
 * machine's speed touches both alike; the other targets, and the closed scenario under the first load, run once.
 */
export function schedule(targets: readonly TargetName[], loads: readonly Load[], rounds: number): Step[] {
  const steps: Step[] = [];
  for (let round = 1; round <= rounds; round++) {
    if (targets.includes("express")) steps.push({ round, target: "express", load: null });
    if (targets.includes("fake-active")) {
      for (const load of loads) steps.push({ round, target: "fake-active", load });
    }
  }
  for (const target of targets) {
    if (target === "fake-closed") steps.push({ round: 1, target, load: loads[0] ?? null });
    else if (target !== "express" && target !== "fake-active") steps.push({ round: 1, target, load: null });
  }
  return steps;
}

const median = (values: readonly number[]): number | null =>
  values.length === 0 ? null : ([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number);

/** The rows of `target`, under `load` when one is given. */
export const rowsOf = (rows: readonly Row[], target: TargetName, load: Load | null = null): Row[] =>
  rows.filter((r) => r.target === target && (load === null || r.load === load));

/** The median, over rounds, of `target`'s req/s divided by Express's in the same round; to two decimals. */
export function ratioToExpress(rows: readonly Row[], target: TargetName, load: Load | null = null): number | null {
  const ratios = rowsOf(rows, target, load).flatMap((r) => {
    const express = rows.find((e) => e.target === "express" && e.round === r.round);
    return express && express.reqPerSec > 0 ? [r.reqPerSec / express.reqPerSec] : [];
  });
  const ratio = median(ratios);
  return ratio === null ? null : Math.round(ratio * 100) / 100;
}

/** The row of `target`'s median round by req/s (the upper middle of an even count). */
export function medianRow(rows: readonly Row[], target: TargetName, load: Load | null = null): Row | undefined {
  const own = rowsOf(rows, target, load).sort((a, b) => a.reqPerSec - b.reqPerSec);
  return own[Math.floor(own.length / 2)];
}
