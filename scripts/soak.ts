// npm run soak: a bounded load run of the fake with mixed scenarios, the faults included. It fails when memory keeps
// growing, when any error appears that the scenarios did not ask for, or when SIGTERM drops in-flight requests.
import { type ChildProcess, spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { NPM_START_V8_FLAGS, positiveInteger, rssMb } from "./bench/measure.ts";
import { runShutdownLoad, type ShutdownOutcome, type ShutdownRequest } from "./shutdown-load.ts";

const ROOT = resolve(import.meta.dirname, "..");
const usage = `Usage: npm run soak [-- options]
  --duration <s>      total load time (default 60)
  --connections <n>   connections of the main load (default 100)
  --window <s>        p99 is reported per window of this length (default 60)
  --node <path>       run the fake on this Node binary (default: this one)
Exit codes: 0 passed, 1 failed (memory growth, unexpected errors, or requests dropped on SIGTERM), 2 usage.`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: "string", default: "60" },
        connections: { type: "string", default: "100" },
        window: { type: "string", default: "60" },
        node: { type: "string", default: process.execPath },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return {
      duration: positiveInteger("duration", values.duration),
      connections: positiveInteger("connections", values.connections),
      window: positiveInteger("window", values.window),
      node: resolve(values.node),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

async function startFake(node: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    node,
    [...NPM_START_V8_FLAGS, "--import", "tsx", join(ROOT, "mock/cli.ts"), "--port", "0", "--log-level", "silent"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the fake did not start:\n${output}`)), 30_000);
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      const match = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        done(match[1]);
      }
    });
    child.once("exit", (code) => fail(new Error(`the fake exited with ${code}:\n${output}`)));
  });
  return { child, url };
}

// The main load's mix: every answer here is a complete HTTP response; an error or timeout is unexpected.
const MIX: { path: string; headers: Record<string, string>; status: number }[] = [
  { path: "conv", headers: { "x-api-key": "soak" }, status: 200 },
  { path: "closed-", headers: { "x-api-key": "soak" }, status: 200 },
  { path: "missing-", headers: { "x-api-key": "soak" }, status: 404 },
  { path: "conv", headers: {}, status: 401 },
  { path: "conv", headers: { "x-api-key": "soak", "x-fake-jelou-scenario": "server-error" }, status: 500 },
];

/** Reset and timeout scenarios on their own loop, where a failure is the expected outcome. */
async function faults(url: string, stopped: () => boolean, killedAt: () => number | undefined) {
  const counts = { resets: 0, timeouts: 0, endedByShutdown: 0, unexpected: 0 };
  let n = 0;
  while (!stopped()) {
    const scenario = n++ % 2 === 0 ? "reset" : "timeout";
    try {
      await fetch(`${url}/jelouapi/v1/external-support/p/conversations/fault-${n}`, {
        headers: { "x-api-key": "soak", "x-fake-jelou-scenario": scenario },
        // A reset comes at once; a loaded machine may still take a while to deliver it, so only timeouts wait 200 ms.
        signal: AbortSignal.timeout(scenario === "timeout" ? 200 : 5_000),
      });
      counts.unexpected++;
    } catch (error) {
      const name = (error as Error).name;
      if (scenario === "timeout" && name === "TimeoutError") counts.timeouts++;
      else if (scenario === "reset" && name === "TypeError") counts.resets++;
      // Held requests are dropped at shutdown, and new ones are refused: both are the shutdown's doing.
      else if (killedAt() !== undefined && name === "TypeError") counts.endedByShutdown++;
      else counts.unexpected++;
    }
  }
  return counts;
}

const opts = options();
const fake = await startFake(opts.node);
const pid = fake.child.pid;
const started = Date.now();
const until = started + opts.duration * 1000;
const rss: { atS: number; mb: number }[] = [{ atS: 0, mb: rssMb(pid) ?? Number.NaN }];
const sampler = setInterval(
  () => rss.push({ atS: Math.round((Date.now() - started) / 100) / 10, mb: rssMb(pid) ?? Number.NaN }),
  1_000,
);
console.log(`soak: ${opts.duration} s, ${opts.connections} connections, p99 per ${opts.window} s, fake on ${fake.url}`);

let killedAt: number | undefined;
let exited = false;
const exit = new Promise<number | null>((done) =>
  fake.child.once("exit", (code) => {
    exited = true;
    done(code);
  }),
);
// Several fault loops at once, so resets and held requests overlap with each other, with the main load and with the
// shutdown.
const FAULT_LOOPS = 4;
const faultRun = Promise.all(
  Array.from({ length: FAULT_LOOPS }, () =>
    faults(
      fake.url,
      () => exited,
      () => killedAt,
    ),
  ),
).then((all) =>
  all.reduce((sum, c) => ({
    resets: sum.resets + c.resets,
    timeouts: sum.timeouts + c.timeouts,
    endedByShutdown: sum.endedByShutdown + c.endedByShutdown,
    unexpected: sum.unexpected + c.unexpected,
  })),
);
// The requests SIGTERM lands on: the main mix, one in five delayed 300 ms so that some are surely being served then.
const SHUTDOWN_MIX: ShutdownRequest[] = MIX.flatMap((m, i) => {
  const plain = { ...m, path: `/jelouapi/v1/external-support/p/conversations/${m.path}${i}-shutdown` };
  return [plain, plain, plain, plain, { ...plain, headers: { ...m.headers, "x-fake-jelou-delay": "300" } }];
});
const SHUTDOWN_LOOPS = 50;
let shutdownRun: Promise<ShutdownOutcome> | undefined;
const startShutdownLoad = () => {
  shutdownRun = runShutdownLoad(
    fake.url,
    SHUTDOWN_MIX,
    SHUTDOWN_LOOPS,
    () => exited,
    () => killedAt,
  );
};
// The shutdown load joins the main load for the last two seconds, and SIGTERM comes as the main load ends.
const shutdownTimer = setTimeout(startShutdownLoad, Math.max(0, until - Date.now() - 2_000));
const windows: { fromS: number; requests: number; p99: number; errors: number; unexpectedStatuses: string[] }[] = [];
let next = 0;
while (Date.now() < until) {
  const seconds = Math.max(1, Math.min(opts.window, Math.round((until - Date.now()) / 1000)));
  const fromS = Math.round((Date.now() - started) / 1000);
  const result = await autocannon({
    url: fake.url,
    connections: opts.connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => {
          const pick = MIX[next % MIX.length] ?? MIX[0];
          const i = next++;
          request.path = `/jelouapi/v1/external-support/p-${i % 7}/conversations/${pick?.path}${i % 5000}`;
          request.headers = { ...pick?.headers };
          return request;
        },
      },
    ],
  });
  const unexpectedStatuses = Object.keys(result.statusCodeStats ?? {}).filter(
    (code) => !["200", "401", "404", "500"].includes(code),
  );
  windows.push({
    fromS,
    requests: result.requests.total,
    p99: result.latency.p99,
    errors: result.errors,
    unexpectedStatuses,
  });
  console.log(
    `  window from ${fromS} s: ${result.requests.total} requests, p99 ${result.latency.p99} ms, errors ${result.errors} (timeouts ${result.timeouts} among them)`,
  );
}
clearInterval(sampler);
clearTimeout(shutdownTimer);
if (!shutdownRun) startShutdownLoad();
killedAt = performance.now();
fake.child.kill("SIGTERM");
const exitCode = await exit;
const shutdownMs = Math.round(performance.now() - killedAt);
const shutdown = (await shutdownRun) as ShutdownOutcome;
const faultCounts = await faultRun;

// Memory must level off: the last third of the run may not rise more than 20% (+10 MB) above the rest.
const third = Math.max(1, Math.floor(rss.length / 3));
const before = Math.max(...rss.slice(0, rss.length - third).map((s) => s.mb));
const after = Math.max(...rss.slice(rss.length - third).map((s) => s.mb));
// autocannon counts timeouts among its errors.
const mainErrors = windows.reduce((n, w) => n + w.errors, 0);
const strayStatuses = [...new Set(windows.flatMap((w) => w.unexpectedStatuses))];
const problems = [
  ...(after > before * 1.2 + 10 ? [`memory kept growing: ${before} MB before the last third, ${after} MB in it`] : []),
  ...(mainErrors > 0 ? [`${mainErrors} unexpected errors or timeouts in the main load`] : []),
  ...(strayStatuses.length > 0 ? [`statuses the mix never asks for: ${strayStatuses.join(", ")}`] : []),
  ...(rss.some((s) => Number.isNaN(s.mb)) ? ["RSS could not be read (/proc): memory growth was not checked"] : []),
  ...(faultCounts.unexpected > 0
    ? [`${faultCounts.unexpected} fault-scenario requests ended otherwise than asked`]
    : []),
  ...(shutdown.inFlight === 0 ? ["no request was in flight when SIGTERM came: the shutdown was not tested"] : []),
  ...shutdown.problems.slice(0, 10).map((p) => `shutdown under load: ${p}`),
  ...(shutdown.problems.length > 10 ? [`shutdown under load: ${shutdown.problems.length - 10} more problems`] : []),
  ...(exitCode !== 0 ? [`the fake exited with ${exitCode} after SIGTERM`] : []),
];

console.log(`
Errors by kind: main load ${mainErrors} (expected 0); reset scenario ${faultCounts.resets} resets (expected);
  timeout scenario ${faultCounts.timeouts} client timeouts (expected); fault requests ended by the shutdown ${faultCounts.endedByShutdown} (expected);
  fault requests ending otherwise ${faultCounts.unexpected}
p99 per window: ${windows.map((w) => `${w.fromS}s ${w.p99} ms`).join(", ")}
RSS over time (MB): ${rss
  .filter((_, i) => i % Math.max(1, Math.floor(rss.length / 12)) === 0 || i === rss.length - 1)
  .map((s) => `${s.atS}s ${s.mb}`)
  .join(", ")}
Shutdown under load (SIGTERM as the main load ended, ${SHUTDOWN_LOOPS} keep-alive clients and the fault loops running):
  ${shutdown.inFlightAnswered}/${shutdown.inFlight} requests in flight answered with their status; ${shutdown.answeredBefore} answered before SIGTERM;
  after SIGTERM: ${shutdown.answeredAfter} answered, ${shutdown.refusedAfter} refused (ECONNREFUSED), ${shutdown.unreadAfter} reset unread (on a connection the fake was closing);
  exit ${exitCode} ${shutdownMs} ms after SIGTERM
${problems.length === 0 ? "soak: passed" : `soak: FAILED\n${problems.map((p) => `  - ${p}`).join("\n")}`}`);
process.exitCode = problems.length === 0 ? 0 : 1;
