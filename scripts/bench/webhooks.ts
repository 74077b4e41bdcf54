// npm run bench:webhooks: does a dead webhook target slow the fake's hot path? Get Conversation's throughput while
// conversations start and close beside the load, with and without integrations whose webhook never answers (so that
// deliveries to it are always in flight), in alternating rounds on the same Node; the ratio is the median. Both modes
// start and close alike: the only difference is the dead target and the deliveries waiting on it.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { NPM_START_V8_FLAGS, originOf, positiveInteger } from "./measure.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const PROJECTS = 7;

const usage = `Usage: npm run bench:webhooks [-- options]
  --duration <s>       measured seconds per run (default 10)
  --warmup <s>         unmeasured seconds before each (default 3)
  --connections <n>    concurrent connections of the Get Conversation load (default 50)
  --rounds <n>         alternate "without" and "with a dead webhook" n times (default 3)
  --events <n>         conversations started and closed per second beside the load, in both modes (default 20)
  --cli <file>         run the fake from this bundled CLI, e.g. dist/cli.js (default: mock/cli.ts through tsx, as
                       npm start runs it)
  --out <dir>          where webhooks.json goes (default bench/)`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: "string", default: "10" },
        warmup: { type: "string", default: "3" },
        connections: { type: "string", default: "50" },
        rounds: { type: "string", default: "3" },
        events: { type: "string", default: "20" },
        cli: { type: "string" },
        out: { type: "string", default: join(ROOT, "bench") },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return {
      duration: positiveInteger("duration", values.duration),
      warmup: values.warmup === "0" ? 0 : positiveInteger("warmup", values.warmup),
      connections: positiveInteger("connections", values.connections),
      rounds: positiveInteger("rounds", values.rounds),
      events: positiveInteger("events", values.events),
      cli: values.cli === undefined ? undefined : resolve(values.cli),
      out: resolve(values.out),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

/** A webhook target that accepts connections and never answers: every delivery waits for its whole timeout. */
async function blackHole(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

async function startFake(): Promise<{ child: ChildProcess; origin: string }> {
  const cli = opts.cli === undefined ? ["--import", "tsx", join(ROOT, "mock/cli.ts")] : [opts.cli];
  const args = [...NPM_START_V8_FLAGS, ...cli];
  const child = spawn(process.execPath, [...args, "--port", "0", "--log-level", "silent", "--shutdown-grace", "200"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const origin = await originOf(child, "the fake");
  return { child, origin };
}

const post = (origin: string, path: string, body: unknown) =>
  fetch(`${origin}/jelouapi/v1/external-support/${path}`, {
    method: "POST",
    headers: { "x-api-key": "bench", "content-type": "application/json" },
    body: JSON.stringify(body),
  }).then((res) => res.arrayBuffer());

/** Starts and closes conversations of the loaded projects, `perSecond` of each, until stopped; counts them. */
function churn(origin: string, perSecond: number): { stop(): Promise<number> } {
  let running = true;
  let events = 0;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const pair = { botId: "bench-bot", userId: `user-${i}` };
      const project = `project-${i % PROJECTS}`;
      await post(origin, `${project}/conversations/start`, pair);
      await post(origin, `${project}/conversations/close`, pair);
      events += 2;
      await new Promise((r) => setTimeout(r, 1_000 / perSecond));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return events;
    },
  };
}

function load(origin: string, seconds: number, connections: number) {
  let next = 0;
  return autocannon({
    url: origin,
    connections,
    duration: seconds,
    headers: { "x-api-key": "bench-key" },
    requests: [
      {
        setupRequest: (request) => {
          const i = next++;
          request.path = `/jelouapi/v1/external-support/project-${i % PROJECTS}/conversations/conv-${i % 1000}`;
          return request;
        },
      },
    ],
  });
}

interface Run {
  mode: "without" | "with";
  round: number;
  reqPerSec: number;
  p99: number;
  errors: number;
  non2xx: number;
  events: number;
  deliveriesPending: number | null;
}

async function measure(mode: Run["mode"], round: number, hook: string): Promise<Run> {
  const fake = await startFake();
  try {
    if (mode === "with") {
      for (let p = 0; p < PROJECTS; p++) await post(fake.origin, `project-${p}`, { webhookUrl: hook });
    }
    const events = churn(fake.origin, opts.events);
    if (opts.warmup > 0) await load(fake.origin, opts.warmup, opts.connections);
    const result = await load(fake.origin, opts.duration, opts.connections);
    const fired = await events.stop();
    const deliveries = await fetch(`${fake.origin}/__admin/deliveries?outcome=pending`)
      .then((res) => res.json() as Promise<{ deliveries: unknown[] }>)
      .then((body) => body.deliveries.length)
      .catch(() => null);
    const run: Run = {
      mode,
      round,
      reqPerSec: Math.round(result.requests.average),
      p99: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
      events: fired,
      deliveriesPending: mode === "with" ? deliveries : null,
    };
    console.log(
      `  ${mode === "with" ? "with a dead webhook" : "without webhooks"}, round ${round}: ${run.reqPerSec} req/s, p99 ${run.p99} ms, ${fired} starts and closes${mode === "with" ? `, ${deliveries} deliveries in flight at the end` : ""}`,
    );
    return run;
  } finally {
    fake.child.kill("SIGTERM");
    await new Promise((r) => fake.child.once("exit", r));
  }
}

const opts = options();
console.log(
  `fake-jelou bench:webhooks on Node ${process.version}: ${opts.connections} connections, ${opts.warmup} s warm-up, ${opts.duration} s measured, ${opts.rounds} round(s), ${opts.events} starts and closes per second beside the load`,
);
const hole = await blackHole();
const runs: Run[] = [];
try {
  for (let round = 1; round <= opts.rounds; round++) {
    runs.push(await measure("without", round, hole.url));
    runs.push(await measure("with", round, hole.url));
  }
} finally {
  hole.close();
}
const ratios = runs
  .filter((r) => r.mode === "with")
  .map((w) => w.reqPerSec / (runs.find((r) => r.mode === "without" && r.round === w.round)?.reqPerSec ?? Number.NaN))
  .sort((a, b) => a - b);
const ratio = Math.round((ratios[Math.floor(ratios.length / 2)] ?? Number.NaN) * 1000) / 1000;
const failed = runs.some((r) => r.errors > 0 || r.non2xx > 0);
console.log(
  `with a dead webhook / without: ${ratio} (median of ${ratios.length}; target >= 0.95)${failed ? "; some requests failed" : ""}`,
);
mkdirSync(opts.out, { recursive: true });
writeFileSync(
  join(opts.out, "webhooks.json"),
  `${JSON.stringify({ node: process.version, opts, runs, ratio }, null, 2)}\n`,
);
if (failed) process.exitCode = 1;
