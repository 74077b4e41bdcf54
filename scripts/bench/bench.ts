// npm run bench: fake-jelou side by side with Prism, a minimal Express 5 handler and bare node:http. One run, the
// same settings and the same Node for every target; each target in its own process, never in the load generator's.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { type Load, loadLabel, loads, NPM_START_V8_FLAGS, originOf, positiveInteger, rssMb } from "./measure.ts";
import { medianRow, type Row, ratioToExpress, rowsOf, schedule, TARGETS, type TargetName } from "./rounds.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SPEC = join(ROOT, "spec/jelou-external-support.openapi.yaml");
const DEFAULT_V8_FLAGS = NPM_START_V8_FLAGS.join(" ");

const usage = `Usage: npm run bench [-- options]
  --duration <s>       measured seconds per target (default 10)
  --warmup <s>         unmeasured seconds before each (default 3)
  --connections <n>    concurrent connections (default 50)
  --targets <list>     comma-separated, from ${TARGETS.join(", ")} (default: all)
  --node <path>        run the targets on this Node binary (default: the one running the bench)
  --ids <list>         the fake's loads, comma-separated: a number of ids to spread requests over, or "distinct"
                       (every request a new id, so no cache hit is possible) (default "1000,5000,distinct")
  --distinct           add the distinct load to --ids
  --rounds <n>         alternate Express and the fake's loads n times; ratios are the median of the rounds (default 1)
  --v8-flags <flags>   V8 flags for every target (default "${DEFAULT_V8_FLAGS}", as npm start runs the fake)
  --skip-memory        skip the memory run (200k requests over 50k ids)
  --events             keep one reader of the fake's event stream (GET /__admin/events, as a console tab) connected
                       while the fake is loaded; each run says how many request events it received
  --out <dir>          where results.json and results.md go (default bench/)`;

function options() {
  try {
    const { values } = parseArgs({
      options: {
        duration: { type: "string", default: "10" },
        warmup: { type: "string", default: "3" },
        connections: { type: "string", default: "50" },
        targets: { type: "string", default: TARGETS.join(",") },
        node: { type: "string", default: process.execPath },
        ids: { type: "string", default: "1000,5000,distinct" },
        distinct: { type: "boolean", default: false },
        rounds: { type: "string", default: "1" },
        "v8-flags": { type: "string", default: DEFAULT_V8_FLAGS },
        "skip-memory": { type: "boolean", default: false },
        events: { type: "boolean", default: false },
        out: { type: "string", default: join(ROOT, "bench") },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    const targets = values.targets.split(",").map((t) => t.trim());
    const unknown = targets.filter((t) => !(TARGETS as readonly string[]).includes(t));
    if (unknown.length > 0) throw new Error(`Unknown target(s) ${unknown.join(", ")}. Valid: ${TARGETS.join(", ")}.`);
    return {
      duration: positiveInteger("duration", values.duration),
      warmup: values.warmup === "0" ? 0 : positiveInteger("warmup", values.warmup),
      connections: positiveInteger("connections", values.connections),
      targets: targets as TargetName[],
      node: resolve(values.node),
      loads: loads(values.ids, values.distinct),
      rounds: positiveInteger("rounds", values.rounds),
      v8Flags: values["v8-flags"].split(/\s+/).filter(Boolean),
      skipMemory: values["skip-memory"],
      events: values.events,
      out: resolve(values.out),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const bin = (pkg: string, name: string) => {
  const manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  const bins = JSON.parse(readFileSync(manifest, "utf8")).bin as Record<string, string>;
  return join(dirname(manifest), bins[name] ?? "");
};

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Running {
  child: ChildProcess;
  origin: string;
  startupMs: number;
}

/** Spawns a target on the chosen Node and resolves once it answers its readiness request. */
async function startTarget(name: TargetName, node: string, v8Flags: readonly string[]): Promise<Running> {
  const started = performance.now();
  let args: string[];
  let readiness: (origin: string) => string;
  if (name === "prism") {
    const port = await freePort();
    args = [bin("@stoplight/prism-cli", "prism"), "mock", SPEC, "-h", "127.0.0.1", "-p", String(port)];
    readiness = (origin) => `${origin}/v1/external-support/p/conversations/c`;
  } else if (name === "fake-active" || name === "fake-closed") {
    // A short grace: autocannon leaves its connections open when a run ends, and the bench has no use for waiting.
    args = [
      "--import",
      "tsx",
      join(ROOT, "mock/cli.ts"),
      "--port",
      "0",
      "--log-level",
      "silent",
      "--shutdown-grace",
      "200",
    ];
    readiness = (origin) => `${origin}/__admin/health`;
  } else {
    args = [
      "--import",
      "tsx",
      join(ROOT, `scripts/bench/targets/${name === "express" ? "express-minimal" : "node-http"}.ts`),
    ];
    readiness = (origin) => `${origin}/jelouapi/v1/external-support/p/conversations/c`;
  }
  const child = spawn(node, [...v8Flags, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  const origin = await originOf(child, name);
  for (;;) {
    const ok = await fetch(readiness(origin), { headers: { "x-api-key": "bench" } }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, origin, startupMs: Math.round(performance.now() - started) };
}

function load(origin: string, name: TargetName, seconds: number, connections: number, ids: Load): Promise<Result> {
  const prefix = name === "prism" ? "" : "/jelouapi";
  const headers: Record<string, string> = { "x-api-key": "bench-key" };
  if (name === "fake-closed") headers["x-fake-jelou-scenario"] = "closed";
  const spread = name.startsWith("fake") ? ids : 1;
  // A distinct run starts its ids where no earlier run (its own warm-up included) went.
  const base = distinctBase;
  distinctBase += 100_000_000;
  let next = 0;
  return autocannon({
    url: origin,
    connections,
    duration: seconds,
    headers,
    requests: [
      {
        setupRequest: (request) => {
          const i = next++;
          const id = spread === "distinct" ? `new-${base + i}` : `conv-${i % spread}`;
          request.path = `${prefix}/v1/external-support/project-${i % 7}/conversations/${id}`;
          return request;
        },
      },
    ],
  });
}
let distinctBase = 0;

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  running.child.kill("SIGTERM");
  // An unref'd timer: a target that exits in time must not leave the bench waiting five seconds before it can end.
  await Promise.race([
    new Promise((r) => running.child.once("exit", r)),
    new Promise((r) => setTimeout(r, 5_000).unref()),
  ]);
  if (running.child.exitCode === null) running.child.kill("SIGKILL");
}

const opts = options();
const nodeVersion = await new Promise<string>((resolveVersion) => {
  const child = spawn(opts.node, ["--version"]);
  let out = "";
  child.stdout.on("data", (c) => {
    out += c;
  });
  child.on("close", () => resolveVersion(out.trim()));
});
console.log(`fake-jelou bench: targets on Node ${nodeVersion} (${opts.node}); load from Node ${process.version}`);
console.log(
  `${opts.connections} connections, ${opts.warmup} s warm-up, ${opts.duration} s measured per target, V8 flags: ${opts.v8Flags.join(" ") || "none"}, ${opts.rounds} round(s)`,
);

/** A console tab's share of the work: one event stream, read as it comes; counts the request events. */
function followEvents(origin: string): { received: () => number; close: () => void } {
  let received = 0;
  const request = get(`${origin}/__admin/events?types=request&backlog=0`, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      received += chunk.split("event: request\n").length - 1;
    });
  });
  request.on("error", () => {});
  return { received: () => received, close: () => request.destroy() };
}

/** Starts `name` afresh, warms it up and measures it under `ids`. */
async function measure(name: TargetName, ids: Load, round: number): Promise<Row> {
  const running = await startTarget(name, opts.node, opts.v8Flags);
  const events = opts.events && name.startsWith("fake") ? followEvents(running.origin) : undefined;
  try {
    if (opts.warmup > 0) await load(running.origin, name, opts.warmup, opts.connections, ids);
    const rssBeforeMb = rssMb(running.child.pid);
    const result = await load(running.origin, name, opts.duration, opts.connections, ids);
    const isFake = name.startsWith("fake");
    const row: Row = {
      target: name,
      load: isFake ? ids : null,
      round,
      reqPerSec: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      // autocannon already counts each timeout among its errors.
      errors: result.errors,
      non2xx: result.non2xx,
      startupMs: running.startupMs,
      rssBeforeMb,
      rssAfterMb: rssMb(running.child.pid),
    };
    console.log(
      `  ${name}${isFake ? ` (${loadLabel(ids)})` : ""}, round ${round}: ${row.reqPerSec} req/s, p99 ${row.p99} ms${events ? `, ${events.received()} request events streamed` : ""}`,
    );
    return row;
  } finally {
    events?.close();
    await stop(running);
  }
}

// Express and the fake's loads alternate, round after round, so a drift of the machine's speed touches both alike;
// the other targets and the closed scenario (first load only) are measured once.
const rows: Row[] = [];
for (const step of schedule(opts.targets, opts.loads, opts.rounds)) {
  rows.push(await measure(step.target, step.load ?? 1, step.round));
}

// 200k requests over 50k distinct ids: every cache and journal must stay bounded.
interface MemoryRun {
  requests: number;
  ids: number;
  rssStartMb: number | null;
  rssHalfMb: number | null;
  rssEndMb: number | null;
}

async function memoryMeasurement(): Promise<MemoryRun | undefined> {
  if (opts.skipMemory || !opts.targets.includes("fake-active")) return undefined;
  const running = await startTarget("fake-active", opts.node, opts.v8Flags);
  try {
    const rssStartMb = rssMb(running.child.pid);
    const half = async () => {
      let next = 0;
      await autocannon({
        url: running.origin,
        connections: opts.connections,
        amount: 100_000,
        headers: { "x-api-key": "bench-key" },
        requests: [
          {
            setupRequest: (request) => {
              const i = next++ % 50_000;
              request.path = `/jelouapi/v1/external-support/project-${i % 7}/conversations/mem-${i}`;
              return request;
            },
          },
        ],
      });
    };
    await half();
    const rssHalfMb = rssMb(running.child.pid);
    await half();
    const memory = { requests: 200_000, ids: 50_000, rssStartMb, rssHalfMb, rssEndMb: rssMb(running.child.pid) };
    console.log(
      `  memory: RSS ${rssStartMb} MB at start, ${rssHalfMb} MB after 100k, ${memory.rssEndMb} MB after 200k`,
    );
    return memory;
  } finally {
    await stop(running);
  }
}

const over = (a?: Row, b?: Row) =>
  a && b && b.reqPerSec > 0 ? Math.round((a.reqPerSec / b.reqPerSec) * 100) / 100 : null;

const fakeLoads = opts.targets.includes("fake-active") ? opts.loads : [];
const ratios = Object.fromEntries(
  fakeLoads.map((ids) => [
    loadLabel(ids),
    {
      overExpress: ratioToExpress(rows, "fake-active", ids),
      overPrism: over(medianRow(rows, "fake-active", ids), medianRow(rows, "prism")),
      overBare: over(medianRow(rows, "fake-active", ids), medianRow(rows, "node-http")),
    },
  ]),
);
const first = fakeLoads[0];
const distinctRow = medianRow(rows, "fake-active", "distinct");
const hits = first === undefined ? null : ratioToExpress(rows, "fake-active", first);
const beyondCache = fakeLoads.filter((ids) => ids !== "distinct" && ids !== first);
const memoryRun = await memoryMeasurement();
const targetsMet = {
  firstLoadAtLeast90PercentOfExpress: hits === null ? null : hits >= 0.9,
  largerLoadsAtLeast90PercentOfExpress:
    beyondCache.length === 0
      ? null
      : beyondCache.every((ids) => (ratioToExpress(rows, "fake-active", ids) ?? 0) >= 0.9),
  distinctAtLeast60PercentOfExpress: distinctRow ? (ratioToExpress(rows, "fake-active", "distinct") ?? 0) >= 0.6 : null,
  distinctP99AtMost10ms: distinctRow ? distinctRow.p99 <= 10 : null,
  atLeast10xPrism:
    first === undefined || !medianRow(rows, "prism") ? null : (ratios[loadLabel(first)]?.overPrism ?? 0) >= 10,
  zeroErrors: rows.filter((r) => r.target.startsWith("fake")).every((r) => r.errors === 0 && r.non2xx === 0),
  memoryUnder150Mb: memoryRun?.rssEndMb == null ? null : memoryRun.rssEndMb < 150,
  memoryStopsGrowing:
    memoryRun?.rssEndMb == null || memoryRun.rssHalfMb == null
      ? null
      : memoryRun.rssEndMb <= memoryRun.rssHalfMb * 1.05,
  closedAtLeast90PercentOfExpress: rowsOf(rows, "fake-closed").length
    ? (ratioToExpress(rows, "fake-closed") ?? 0) >= 0.9
    : null,
};

const header =
  "| target | load | req/s | p50 ms | p99 ms | errors | non-2xx | startup ms | RSS before → after MB | ÷ Express |";
const shown = [
  ...fakeLoads.map((ids) => medianRow(rows, "fake-active", ids)),
  medianRow(rows, "fake-closed"),
  medianRow(rows, "prism"),
  medianRow(rows, "express"),
  medianRow(rows, "node-http"),
].filter((r): r is Row => r !== undefined);
const table = [
  header,
  "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
  ...shown.map(
    (r) =>
      `| ${r.target} | ${r.load === null ? "-" : loadLabel(r.load)} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.startupMs} | ${r.rssBeforeMb ?? "?"} → ${r.rssAfterMb ?? "?"} | ${ratioToExpress(rows, r.target, r.load) ?? "-"} |`,
  ),
].join("\n");
const markdown = [
  `Node ${nodeVersion} (load generator on ${process.version}), ${opts.connections} connections, ${opts.duration} s after ${opts.warmup} s warm-up, V8 flags \`${opts.v8Flags.join(" ") || "none"}\`, ${opts.rounds} round(s), ${new Date().toISOString().slice(0, 10)}`,
  "",
  table,
  "",
  `Rows show each target's median round; ÷ Express is the median over rounds of its req/s over Express's in the same round.`,
  ...Object.entries(ratios).map(
    ([label, r]) =>
      `fake (${label}): ÷ Express ${r.overExpress ?? "-"}, ÷ Prism ${r.overPrism ?? "-"}, ÷ bare ${r.overBare ?? "-"}`,
  ),
  ...(memoryRun
    ? [
        "",
        `Memory: ${memoryRun.requests} requests over ${memoryRun.ids} ids: RSS ${memoryRun.rssStartMb} MB → ${memoryRun.rssHalfMb} MB (100k) → ${memoryRun.rssEndMb} MB (200k)`,
      ]
    : []),
  "",
  `Targets: ${Object.entries(targetsMet)
    .map(([k, v]) => `${k} ${v === null ? "n/a" : v ? "met" : "MISSED"}`)
    .join(", ")}`,
].join("\n");
console.log(`\n${markdown}`);
mkdirSync(opts.out, { recursive: true });
writeFileSync(
  join(opts.out, "results.json"),
  `${JSON.stringify({ date: new Date().toISOString(), node: nodeVersion, loadNode: process.version, options: { ...opts, node: undefined }, rows, ratios, memory: memoryRun, targetsMet }, null, 2)}\n`,
);
writeFileSync(join(opts.out, "results.md"), `${markdown}\n`);
console.log(`\nWrote ${join(opts.out, "results.json")} and results.md`);
