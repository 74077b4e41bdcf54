// Small tools shared by npm run bench, bench:webhooks and soak.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

/**
 * The V8 flags npm start runs the fake with (package.json): a 1 MB young generation and a slower-growing old one keep
 * its RSS flat under load. The bench gives them to every target alike; the soak runs the fake with them.
 */
export const NPM_START_V8_FLAGS = ["--max-semi-space-size=1", "--heap-growing-percent=100"] as const;

/** A flag value as a positive whole number, or an error naming the flag. */
export function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive whole number, not "${value}".`);
  return n;
}

/** Resident memory of a process in MB, from /proc (Linux); null where it cannot be read. */
export function rssMb(pid: number | undefined): number | null {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** A load of the fake: requests spread over that many conversation ids, or each to a new one. */
export type Load = number | "distinct";
export const loadLabel = (load: Load) => (load === "distinct" ? "distinct ids" : `${load} ids`);

/** The loads `--ids <list>` and `--distinct` ask for, in order, each once. */
export function loads(list: string, distinct: boolean): Load[] {
  const parsed = list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item): Load => (item === "distinct" ? "distinct" : positiveInteger("ids", item)));
  if (distinct && !parsed.includes("distinct")) parsed.push("distinct");
  if (parsed.length === 0) throw new Error("--ids must name at least one load.");
  return [...new Set(parsed)];
}

/** The loopback origin a spawned server prints once it listens; rejects if it exits first or takes over 30 s. */
export function originOf(child: ChildProcess, name: string): Promise<string> {
  let output = "";
  return new Promise<string>((resolveOrigin, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveOrigin(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
}
