import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Absolute path of a package's CLI entry, read from its package.json `bin`. */
export function binPath(pkg: string, bin: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const bins = (JSON.parse(readFileSync(manifest, "utf8")) as { bin: string | Record<string, string> }).bin;
  const entry = typeof bins === "string" ? bins : bins[bin];
  if (!entry) throw new Error(`Failed to find the ${bin} bin of ${pkg}.`);
  return join(dirname(manifest), entry);
}

/** Runs a package's CLI on the Node running the tests, so a Node 24 run tests Node 24 end to end. */
export function runBin(
  pkg: string,
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [binPath(pkg, bin), ...args], {
    encoding: "utf8",
    timeout: 60_000,
    env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
}

/** A finished process: its exit code and everything it printed. */
export interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking the event loop, collecting its output; killed after `timeout` ms. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Like runBin, without blocking the event loop: for CLIs that talk to a server living in the test process. */
export function runBinAsync(
  pkg: string,
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finished> {
  return runProcess(process.execPath, [binPath(pkg, bin), ...args], {
    env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  });
}

/**
 * Runs a script of the clone as package.json's `node --import tsx <script>` does, without blocking the event loop: one
 * process, where the tsx CLI starts two.
 */
export function runScriptAsync(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<Finished> {
  return runProcess(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...env, NO_COLOR: "1", FORCE_COLOR: "0" },
    timeout: 60_000,
  });
}
