// npm run bench: fake-jelou side by side with Prism, a minimal Express 5 handler and bare node:http. One run, the
// same settings and the same Node for every target; each target in its own process, never in the load generator's.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import autocannon, { type Result } from "autocannon";
import { NPM_START_V8_FLAGS, positiveInteger, rssMb } from "./measure.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const SPEC = join(ROOT, "spec/jelou-external-support.openapi.yaml");
const TARGETS = ["fake-active", "fake-closed", "prism", "express", "node-http"] as const;
type TargetName = (typeof TARGETS)[number];
const DEFAULT_V8_FLAGS = NPM_START_V8_FLAGS.join(" ");

const usage = `Usage: npm run bench [-- options]
  --duration <s>       measured seconds per target (default 10)
  --warmup <s>         unmeasured seconds before each (default 3)
  --connections <n>    concurrent connections (default 50)
  --targets <list>     comma-separated, from ${TARGETS.join(", ")} (default: all)
  --node <path>        run the targets on this Node binary (default: the one running the bench)
  --ids <n>            conversation ids the fake's load is spread over (default 1000)
  --v8-flags <flags>   V8 flags for every target (default "${DEFAULT_V8_FLAGS}", as npm start runs the fake)
  --skip-memory        skip the memory run (200k requests over 50k ids)
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
        ids: { type: "string", default: "1000" },
        "v8-flags": { type: "string", default: DEFAULT_V8_FLAGS },
        "skip-memory": { type: "boolean", default: false },
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
      ids: positiveInteger("ids", values.ids),
      v8Flags: values["v8-flags"].split(/\s+/).filter(Boolean),
      skipMemory: values["skip-memory"],
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
    args = ["--import", "tsx", join(ROOT, "mock/cli.ts"), "--port", "0", "--log-level", "silent"];
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
  let output = "";
  const origin = await new Promise<string>((resolveOrigin, reject) => {
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

function load(origin: string, name: TargetName, seconds: number, connections: number, ids: number): Promise<Result> {
  const prefix = name === "prism" ? "" : "/jelouapi";
  const headers: Record<string, string> = { "x-api-key": "bench-key" };
  if (name === "fake-closed") headers["x-fake-jelou-scenario"] = "closed";
  const paths = Array.from(
    { length: name.startsWith("fake") ? ids : 1 },
    (_, i) => `${prefix}/v1/external-support/project-${i % 7}/conversations/conv-${i}`,
  );
  let next = 0;
  return autocannon({
    url: origin,
    connections,
    duration: seconds,
    headers,
    requests: [
      {
        setupRequest: (request) => {
          request.path = paths[next++ % paths.length] ?? paths[0] ?? "/";
          return request;
        },
      },
    ],
  });
}

async function stop(running: Running): Promise<void> {
  if (running.child.exitCode !== null) return;
  running.child.kill("SIGTERM");
  await Promise.race([new Promise((r) => running.child.once("exit", r)), new Promise((r) => setTimeout(r, 5_000))]);
  if (running.child.exitCode === null) running.child.kill("SIGKILL");
}

interface Row {
  target: TargetName;
  reqPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  startupMs: number;
  rssBeforeMb: number | null;
  rssAfterMb: number | null;
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
  `${opts.connections} connections, ${opts.warmup} s warm-up, ${opts.duration} s measured per target, V8 flags: ${opts.v8Flags.join(" ") || "none"}`,
);

const rows: Row[] = [];
for (const name of opts.targets) {
  const running = await startTarget(name, opts.node, opts.v8Flags);
  try {
    if (opts.warmup > 0) await load(running.origin, name, opts.warmup, opts.connections, opts.ids);
    const rssBeforeMb = rssMb(running.child.pid);
    const result = await load(running.origin, name, opts.duration, opts.connections, opts.ids);
    rows.push({
      target: name,
      reqPerSec: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      // autocannon already counts each timeout among its errors.
      errors: result.errors,
      non2xx: result.non2xx,
      startupMs: running.startupMs,
      rssBeforeMb,
      rssAfterMb: rssMb(running.child.pid),
    });
    console.log(`  ${name}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms`);
  } finally {
    await stop(running);
  }
}

// 200k requests over 50k distinct ids: every cache and journal must stay bounded.
let memory:
  | { requests: number; ids: number; rssStartMb: number | null; rssHalfMb: number | null; rssEndMb: number | null }
  | undefined;
if (!opts.skipMemory && opts.targets.includes("fake-active")) {
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
    memory = { requests: 200_000, ids: 50_000, rssStartMb, rssHalfMb, rssEndMb: rssMb(running.child.pid) };
    console.log(
      `  memory: RSS ${rssStartMb} MB at start, ${rssHalfMb} MB after 100k, ${memory.rssEndMb} MB after 200k`,
    );
  } finally {
    await stop(running);
  }
}

const by = (t: TargetName) => rows.find((r) => r.target === t);
const ratio = (a?: Row, b?: Row) =>
  a && b && b.reqPerSec > 0 ? Math.round((a.reqPerSec / b.reqPerSec) * 100) / 100 : null;
const fake = by("fake-active");
const ratios = {
  fakeOverExpress: ratio(fake, by("express")),
  fakeOverPrism: ratio(fake, by("prism")),
  fakeOverBare: ratio(fake, by("node-http")),
};
const targetsMet = fake
  ? {
      atLeast90PercentOfExpress: ratios.fakeOverExpress === null ? null : ratios.fakeOverExpress >= 0.9,
      atLeast10xPrism: ratios.fakeOverPrism === null ? null : ratios.fakeOverPrism >= 10,
      p99AtMost10ms: fake.p99 <= 10,
      zeroErrors: fake.errors === 0 && fake.non2xx === 0,
      memoryUnder150Mb: memory?.rssEndMb == null ? null : memory.rssEndMb < 150,
      memoryStopsGrowing:
        memory?.rssEndMb == null || memory.rssHalfMb == null ? null : memory.rssEndMb <= memory.rssHalfMb * 1.05,
      closedAtLeast90PercentOfExpress: ((c, e) => (c && e ? c.reqPerSec / e.reqPerSec >= 0.9 : null))(
        by("fake-closed"),
        by("express"),
      ),
    }
  : {};

const header = "| target | req/s | p50 ms | p99 ms | errors | non-2xx | startup ms | RSS before → after MB |";
const table = [
  header,
  "|---|---:|---:|---:|---:|---:|---:|---|",
  ...rows.map(
    (r) =>
      `| ${r.target} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.startupMs} | ${r.rssBeforeMb ?? "?"} → ${r.rssAfterMb ?? "?"} |`,
  ),
].join("\n");
const markdown = [
  `Node ${nodeVersion}, ${opts.connections} connections, ${opts.duration} s after ${opts.warmup} s warm-up, V8 flags \`${opts.v8Flags.join(" ") || "none"}\`, ${new Date().toISOString().slice(0, 10)}`,
  "",
  table,
  "",
  `Ratios: fake/Express ${ratios.fakeOverExpress ?? "-"}, fake/Prism ${ratios.fakeOverPrism ?? "-"}, fake/bare ${ratios.fakeOverBare ?? "-"}`,
  ...(memory
    ? [
        "",
        `Memory: ${memory.requests} requests over ${memory.ids} ids: RSS ${memory.rssStartMb} MB → ${memory.rssHalfMb} MB (100k) → ${memory.rssEndMb} MB (200k)`,
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
  `${JSON.stringify({ date: new Date().toISOString(), node: nodeVersion, options: { ...opts, node: undefined }, rows, ratios, memory, targetsMet }, null, 2)}\n`,
);
writeFileSync(join(opts.out, "results.md"), `${markdown}\n`);
console.log(`\nWrote ${join(opts.out, "results.json")} and results.md`);
