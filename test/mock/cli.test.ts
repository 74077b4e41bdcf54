// The CLI, spawned as a real process with the tests' Node: ready line, request log, env vars, seeds, SIGTERM, bad
// usage, a port in use, --help and --no-admin. Every process listens on --port 0 and is killed after its test.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// --state files for the bad-usage table; the secrets in them must never be echoed.
const STATE_DIR = mkdtempSync(join(tmpdir(), "fake-jelou-state-"));
writeFileSync(join(STATE_DIR, "broken.json"), `{"integrations": [XYZSECRET`);
writeFileSync(
  join(STATE_DIR, "invalid.json"),
  JSON.stringify({ integrations: [{ projectId: "p1", authorization: "XYZSECRET" }] }),
);
afterAll(() => rmSync(STATE_DIR, { recursive: true, force: true }));
const READY = /^fake-jelou ready on (http:\/\/127\.0\.0\.1:(\d+))\/jelouapi /m;
const READY_TIMEOUT_MS = 15_000;
const NOW = "2026-01-15T00:00:00Z";

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its output is fully read. */
  exited: Promise<Exit>;
}

interface RunningCli extends Cli {
  /** Origin parsed from the ready line, e.g. http://127.0.0.1:43123. */
  origin: string;
  /** The base URL the ready line announces: `${origin}/jelouapi`. */
  baseUrl: string;
}

// Children of the current test, killed in afterEach; a describe's shared child goes in its own set, and so do the
// children of concurrent tests (afterEach runs as each of them ends, while the others still run). Tests that each start
// their own processes run concurrently: one's processes start while another waits on its own.
const perTest = new Set<ChildProcess>();

// Each CLI runs bundled as the package ships it (test/helpers/cli-bundle.global-setup.ts), on the tests' Node, as the
// leader of a new process group, and the whole group is killed: nothing it may start outlives its test.
function killAll(children: Set<ChildProcess>): void {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }
  children.clear();
}

afterEach(() => killAll(perTest));

/** The tests' environment without any FAKE_JELOU_* variable, plus `extra`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("FAKE_JELOU_")) env[key] = value;
  }
  return { ...env, NO_COLOR: "1", FORCE_COLOR: "0", ...extra };
}

function spawnCli(args: readonly string[], env: Record<string, string>, owner: Set<ChildProcess>): Cli {
  const child = spawn(process.execPath, [inject("cliBundle"), ...args], {
    cwd: ROOT,
    env: cleanEnv(env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  owner.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<Exit>((resolve) => {
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves once `pattern` appears in stdout; rejects when the process exits first or after `timeoutMs`. */
async function waitForStdout(cli: Cli, pattern: RegExp, timeoutMs = READY_TIMEOUT_MS): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void cli.exited.then(() => {
    exited = true;
  });
  for (;;) {
    const match = pattern.exec(cli.stdout());
    if (match) return match;
    if (exited || Date.now() > deadline) {
      throw new Error(
        `Failed to see ${pattern} in the CLI's output (${exited ? "it exited" : "timed out"}).\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`,
      );
    }
    await Promise.race([cli.exited, sleep(25)]);
  }
}

/** Starts the CLI and waits (bounded) for its ready line. */
async function startCli(
  args: readonly string[],
  env: Record<string, string> = {},
  owner: Set<ChildProcess> = perTest,
): Promise<RunningCli> {
  const cli = spawnCli(["--port", "0", ...args], env, owner);
  const match = await waitForStdout(cli, READY);
  const origin = match[1] as string;
  return { ...cli, origin, baseUrl: `${origin}/jelouapi` };
}

/** Sends SIGTERM and waits (bounded) for the exit. */
async function stopCli(cli: Cli): Promise<Exit> {
  cli.child.kill("SIGTERM");
  return await bounded(cli.exited, "the CLI to exit after SIGTERM");
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** True when the CLI unexpectedly started serving (it is then killed). */
  served: boolean;
}

/** Runs a CLI invocation that should end by itself; one that starts serving is killed and reported as served. */
async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  owner: Set<ChildProcess> = perTest,
): Promise<Finished> {
  const cli = spawnCli(args, env, owner);
  const outcome = await bounded(
    Promise.race([
      cli.exited.then(() => false),
      waitForStdout(cli, READY).then(
        () => true,
        () => false,
      ),
    ]),
    `fake-jelou ${args.join(" ")} to finish`,
  );
  if (outcome) killAll(new Set([cli.child]));
  const exit = await bounded(cli.exited, "the CLI to exit");
  return { code: exit.code, stdout: cli.stdout(), stderr: cli.stderr(), served: outcome };
}

async function bounded<T>(promise: Promise<T>, what: string, ms = READY_TIMEOUT_MS): Promise<T> {
  const timeout = sleep(ms).then(() => {
    throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
  });
  return await Promise.race([promise, timeout]);
}

const conversationUrl = (cli: RunningCli, projectId: string, conversationId: string) =>
  `${cli.baseUrl}/v1/external-support/${projectId}/conversations/${conversationId}`;

async function get(url: string, headers: Record<string, string> = { "x-api-key": "any-key" }) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as { data?: { _id?: string; state?: string } } };
}

const basic = (pair: string) => ({ authorization: `Basic ${Buffer.from(pair).toString("base64")}` });

/** stdout lines that log a request to `path` (the ready line and shutdown lines are not request lines). */
const requestLines = (stdout: string, path: string) => stdout.split("\n").filter((line) => line.includes(path));

describe("serving and request logging", () => {
  const shared = new Set<ChildProcess>();
  let cli: RunningCli;
  let silent: RunningCli;
  let debug: RunningCli;
  beforeAll(async () => {
    // Three independent processes, started at once; each test below uses its own.
    [cli, silent, debug] = await Promise.all([
      startCli([], {}, shared),
      startCli(["--log-level", "silent"], {}, shared),
      startCli(["--log-level", "debug"], {}, shared),
    ]);
  }, READY_TIMEOUT_MS + 5_000);
  afterAll(() => killAll(shared));

  it("prints a ready line that contains the base URL", () => {
    const lines = cli.stdout().split("\n");
    expect(lines[0]).toMatch(READY);
    expect(lines[0]).toContain(cli.baseUrl);
    expect(Number(new URL(cli.origin).port)).toBeGreaterThan(0);
  });

  it("serves a conversation through the announced base URL", async () => {
    const reply = await get(conversationUrl(cli, "p1", "c1"));
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ _id: "c1", state: "active" });
  });

  it("logs exactly one line per request at info (method, path, status, scenario, ms), never the API key", async () => {
    const secret = "cli-log-secret-KEY-5b8e";
    const path = "/jelouapi/v1/external-support/p-log/conversations/c-log";
    expect((await get(`${cli.origin}${path}`, { "x-api-key": secret })).status).toBe(200);
    // A second request: once its line is out, the first one's line(s) are too.
    const marker = "/jelouapi/v1/external-support/p-log/conversations/missing-marker";
    expect((await get(`${cli.origin}${marker}`, { "x-api-key": secret })).status).toBe(404);
    await waitForStdout(cli, /missing-marker 404/);

    const lines = requestLines(cli.stdout(), path);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^GET \/jelouapi\/v1\/external-support\/p-log\/conversations\/c-log 200 active [\d.]+ms$/);
    expect(requestLines(cli.stdout(), marker)).toEqual([expect.stringMatching(/ 404 not-found [\d.]+ms$/)]);
    expect(cli.stdout()).not.toContain(secret);
    expect(cli.stderr()).not.toContain(secret);
  });

  it("--log-level silent prints no request line", async () => {
    expect((await get(conversationUrl(silent, "p1", "c-silent"))).status).toBe(200);
    expect((await stopCli(silent)).code).toBe(0);
    expect(requestLines(silent.stdout(), "c-silent")).toEqual([]);
    expect(silent.stdout()).not.toMatch(/^GET /m);
  });

  it("--log-level debug adds source= and auth=", async () => {
    expect((await get(conversationUrl(debug, "p1", "closed-d1"), { "x-api-key": "debug-key-91f" })).status).toBe(200);
    expect((await get(conversationUrl(debug, "p1", "d2"), basic("dbg-id:dbg-secret-3c"))).status).toBe(200);
    await waitForStdout(debug, /conversations\/d2 /);
    expect(requestLines(debug.stdout(), "closed-d1")).toEqual([
      expect.stringMatching(/^GET \S+closed-d1 200 closed [\d.]+ms source=magic-id auth=api-key$/),
    ]);
    expect(requestLines(debug.stdout(), "conversations/d2")).toEqual([
      expect.stringMatching(/ 200 active [\d.]+ms source=default auth=basic$/),
    ]);
    for (const secret of ["debug-key-91f", "dbg-secret-3c", basic("dbg-id:dbg-secret-3c").authorization]) {
      expect(debug.stdout()).not.toContain(secret);
    }
  });
});

describe("environment variables and credentials", () => {
  const shared = new Set<ChildProcess>();
  let closedByEnv: RunningCli;
  let keysByEnv: RunningCli;
  let basicByFlag: RunningCli;
  beforeAll(async () => {
    [closedByEnv, keysByEnv, basicByFlag] = await Promise.all([
      startCli([], { FAKE_JELOU_SCENARIO: "closed" }, shared),
      startCli([], { FAKE_JELOU_API_KEYS: "k1,k2" }, shared),
      startCli(["--basic", "id:secret"], {}, shared),
    ]);
  }, READY_TIMEOUT_MS + 5_000);
  afterAll(() => killAll(shared));

  it("FAKE_JELOU_SCENARIO=closed makes conversations closed", async () => {
    const cli = closedByEnv;
    expect(cli.stdout()).toContain("scenario closed");
    const reply = await get(conversationUrl(cli, "p1", "c1"));
    expect(reply.status).toBe(200);
    expect(reply.body.data?.state).toBe("closed");
  });

  it("FAKE_JELOU_API_KEYS=k1,k2 accepts k2 and rejects other credentials with 401", async () => {
    const cli = keysByEnv;
    const url = conversationUrl(cli, "p1", "c1");
    expect((await get(url, { "x-api-key": "k2" })).status).toBe(200);
    expect((await get(url, { "x-api-key": "k1" })).status).toBe(200);
    expect((await get(url, { "x-api-key": "k3" })).status).toBe(401);
    expect((await get(url, { "x-api-key": "k1,k2" })).status).toBe(401);
    expect((await get(url, basic("k2:k2"))).status).toBe(401);
  });

  it("--basic id:secret accepts that pair and rejects another with 401", async () => {
    const cli = basicByFlag;
    const url = conversationUrl(cli, "p1", "c1");
    expect((await get(url, basic("id:secret"))).status).toBe(200);
    expect((await get(url, basic("id:other"))).status).toBe(401);
    expect((await get(url, basic("other:secret"))).status).toBe(401);
    expect((await get(url, { "x-api-key": "secret" })).status).toBe(401);
  });
});

describe("--seed", () => {
  const shared = new Set<ChildProcess>();
  afterAll(() => killAll(shared));
  const IDS = [
    ["p1", "c1"],
    ["p1", "closed-c2"],
    ["p2", "c1"],
  ] as const;

  async function bodiesFor(seed: string): Promise<string[]> {
    const cli = await startCli(["--seed", seed, "--now", NOW, "--log-level", "silent"], {}, shared);
    try {
      const bodies: string[] = [];
      for (const [projectId, conversationId] of IDS) {
        const reply = await get(conversationUrl(cli, projectId, conversationId));
        expect(reply.status).toBe(200);
        bodies.push(reply.text);
      }
      return bodies;
    } finally {
      await stopCli(cli);
    }
  }

  it.concurrent("the same seed gives byte-identical bodies across two processes", async () => {
    const [first, second] = await Promise.all([bodiesFor("seed-same"), bodiesFor("seed-same")]);
    expect(second).toEqual(first);
    expect(new Set(first).size).toBe(IDS.length);
  });

  it.concurrent("different seeds give different bodies for the same ids", async () => {
    const [a, b] = await Promise.all([bodiesFor("seed-a"), bodiesFor("seed-b")]);
    for (const [i, body] of a.entries()) expect(body).not.toBe(b[i]);
  });
});

interface Signalled {
  exited: Promise<Exit>;
  socketClosed: Promise<unknown>;
}

/**
 * Starts the CLI, connects a client that sends half a request and never completes it, and sends SIGTERM. Resolves once
 * the signal is sent; the exit (bounded from the signal on) and the client's close are still to come.
 */
async function sigtermWithStuckClient(args: readonly string[], owner: Set<ChildProcess>): Promise<Signalled> {
  const cli = await startCli(args, {}, owner);
  const { port } = new URL(cli.origin);
  const socket = connect(Number(port), "127.0.0.1");
  socket.on("error", () => {});
  await once(socket, "connect");
  socket.write("GET /jelouapi/v1/external-support/p/conversations/c HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api");
  const socketClosed = once(socket, "close");
  cli.child.kill("SIGTERM");
  const exited = bounded(cli.exited, "the CLI to exit after SIGTERM");
  // Awaited by a later test: a rejection before then must not be reported as unhandled.
  for (const outcome of [exited, socketClosed]) outcome.catch(() => {});
  return { exited, socketClosed };
}

describe("SIGTERM", () => {
  // The default grace period (5 s) is what a user gets: the process must end although the client stays connected.
  const GRACES = [
    ["the default grace period", []],
    ["--shutdown-grace 200", ["--shutdown-grace", "200"]],
  ] as const;
  const shared = new Set<ChildProcess>();
  const stopping = new Map<string, Signalled>();
  // Signalled before the tests, so that the grace periods pass while the in-flight test runs, not one after another.
  beforeAll(async () => {
    const signalled = await Promise.all(GRACES.map(([, args]) => sigtermWithStuckClient(args, shared)));
    for (const [i, [title]] of GRACES.entries()) stopping.set(title, signalled[i] as Signalled);
  }, READY_TIMEOUT_MS + 5_000);
  afterAll(() => killAll(shared));

  it("lets an in-flight request finish with 200, then exits with code 0", async () => {
    const cli = await startCli([]);
    const url = new URL(conversationUrl(cli, "p1", "c-inflight"));
    let sent!: () => void;
    const requestSent = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const response = new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const req = request(url, { headers: { "x-api-key": "any-key", "x-fake-jelou-delay": "1000" } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode, body }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.on("finish", sent);
      req.end();
    });
    await requestSent;
    // Give the server a moment to read the request; it then sleeps 1000 ms before answering.
    await sleep(300);
    cli.child.kill("SIGTERM");

    const reply = await bounded(response, "the in-flight response");
    expect(reply.status).toBe(200);
    expect((JSON.parse(reply.body) as { data: { _id: string } }).data._id).toBe("c-inflight");
    const exit = await bounded(cli.exited, "the CLI to exit after SIGTERM");
    expect(exit).toEqual({ code: 0, signal: null });
    expect(cli.stdout()).toContain("SIGTERM");
  });

  describe("with a client that never completes a request", () => {
    it.each(GRACES)("exits 0 after %s", async (title) => {
      const { exited, socketClosed } = stopping.get(title) as Signalled;
      expect(await exited).toEqual({ code: 0, signal: null });
      await socketClosed;
    });
  });
});

describe("bad usage", () => {
  const CASES = [
    ["an unknown flag", ["--port", "0", "--bogus"], {}, "--bogus"],
    ["an unknown --scenario", ["--port", "0", "--scenario", "nope"], {}, "--scenario"],
    ["--scenario constructor", ["--port", "0", "--scenario", "constructor"], {}, "--scenario"],
    ["--scenario toString", ["--port", "0", "--scenario", "toString"], {}, "--scenario"],
    ["FAKE_JELOU_SCENARIO=__proto__", ["--port", "0"], { FAKE_JELOU_SCENARIO: "__proto__" }, "FAKE_JELOU_SCENARIO"],
    ["a --port that is not a number", ["--port", "abc"], {}, "--port"],
    ["a --delay above the maximum", ["--port", "0", "--delay", "999999"], {}, "--delay"],
    ["an --allowed-host with a port", ["--port", "0", "--allowed-host", "fake-jelou:4010"], {}, "--allowed-host"],
    ["a --journal-size above 100000", ["--port", "0", "--journal-size", "100001"], {}, "--journal-size"],
    ["a --shutdown-grace above the maximum", ["--port", "0", "--shutdown-grace", "600001"], {}, "--shutdown-grace"],
    ["FAKE_JELOU_PORT that is not a number", [], { FAKE_JELOU_PORT: "abc" }, "FAKE_JELOU_PORT"],
    ["a --basic value without a secret", ["--port", "0", "--basic", "id-without-secret-XYZSECRET"], {}, "--basic"],
    ["a mistyped flag carrying a secret", ["--port", "0", "--basics=id:XYZSECRET"], {}, "--basics"],
    ["a --state file that is missing", ["--port", "0", "--state", join(STATE_DIR, "missing.json")], {}, "cannot read"],
    [
      "a --state file that is not JSON",
      ["--port", "0", "--state", join(STATE_DIR, "broken.json")],
      {},
      "is not valid JSON",
    ],
    ["a --webhook-retries above 10", ["--port", "0", "--webhook-retries", "11"], {}, "--webhook-retries"],
    ["a --webhook-timeout of 0", ["--port", "0", "--webhook-timeout", "0"], {}, "--webhook-timeout"],
    ["a --webhook-allow with a scheme", ["--port", "0", "--webhook-allow", "https://x.test"], {}, "--webhook-allow"],
    [
      "a --state the spec refuses",
      ["--port", "0", "--state", join(STATE_DIR, "invalid.json")],
      {},
      "integrations.0.integration",
    ],
  ] as const satisfies readonly (readonly [string, readonly string[], Record<string, string>, string])[];

  const results = new Map<string, Finished>();
  beforeAll(async () => {
    // Independent invocations that end by themselves: run them at once to keep the file quick.
    const finished = await Promise.all(CASES.map(([, args, env]) => runCli(args, env)));
    for (const [i, [title]] of CASES.entries()) results.set(title, finished[i] as Finished);
  }, READY_TIMEOUT_MS + 5_000);

  it.each(CASES)("%s exits 2 and says what is wrong on stderr, pointing at --help", (title, _args, _env, named) => {
    const result = results.get(title) as Finished;
    expect(result.served).toBe(false);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/error/i);
    expect(result.stderr).toContain(named);
    expect(result.stderr).toContain("--help");
  });

  it.each([
    "a --basic value without a secret",
    "a mistyped flag carrying a secret",
    "a --state file that is not JSON",
    "a --state the spec refuses",
  ])("%s never echoes the value", (title) => {
    const result = results.get(title) as Finished;
    expect(result.code).toBe(2);
    expect(result.stdout).not.toContain("XYZSECRET");
    expect(result.stderr).not.toContain("XYZSECRET");
  });
});

describe("a port in use", () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    if (blocker?.listening) await new Promise<void>((resolve) => blocker?.close(() => resolve()));
  });

  it("exits 1 and names the port", async () => {
    blocker = createServer().listen(0, "127.0.0.1");
    await once(blocker, "listening");
    const address = blocker.address();
    if (typeof address !== "object" || address === null) throw new Error("Failed to read the blocker's port.");
    const result = await runCli(["--port", String(address.port)]);
    expect(result.served).toBe(false);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(String(address.port));
    expect(result.stderr).toMatch(/in use/);
  });
});

describe("--version", () => {
  it("prints the package's version and exits 0 without serving", async () => {
    const result = await runCli(["--version"]);
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect([result.code, result.served, result.stdout.trim()]).toEqual([0, false, version]);
  });
});

describe("--help", () => {
  let help: Finished;
  beforeAll(async () => {
    help = await runCli(["--help"]);
  }, READY_TIMEOUT_MS + 5_000);

  it("exits 0", () => {
    expect(help.code).toBe(0);
    expect(help.served).toBe(false);
  });

  it.each([
    "--port",
    "--host",
    "--scenario",
    "--seed",
    "--api-key",
    "--basic",
    "--delay",
    "--no-admin",
    "--log-level",
    "--journal-size",
    "--now",
    "--admin-token",
    "--allowed-host",
    "--shutdown-grace",
    "--state",
    "--require-https-webhooks",
    "--webhook-retries",
    "--webhook-timeout",
    "--webhook-allow",
    "--version",
  ])("documents the flag %s", (flag) => {
    expect(help.stdout).toMatch(new RegExp(`(^|\\s)${flag}\\b`));
  });

  it.each([
    "FAKE_JELOU_PORT",
    "FAKE_JELOU_HOST",
    "FAKE_JELOU_SCENARIO",
    "FAKE_JELOU_SEED",
    "FAKE_JELOU_API_KEYS",
    "FAKE_JELOU_BASIC",
    "FAKE_JELOU_DELAY_MS",
    "FAKE_JELOU_LOG_LEVEL",
    "FAKE_JELOU_JOURNAL_SIZE",
    "FAKE_JELOU_NOW",
    "FAKE_JELOU_ADMIN_TOKEN",
    "FAKE_JELOU_ALLOWED_HOSTS",
    "FAKE_JELOU_SHUTDOWN_GRACE_MS",
    "FAKE_JELOU_ADMIN",
    "FAKE_JELOU_STATE",
    "FAKE_JELOU_REQUIRE_HTTPS_WEBHOOKS",
    "FAKE_JELOU_WEBHOOK_RETRIES",
    "FAKE_JELOU_WEBHOOK_TIMEOUT_MS",
    "FAKE_JELOU_WEBHOOK_ALLOW",
  ])("documents the environment variable %s", (name) => {
    expect(help.stdout).toMatch(new RegExp(`\\b${name}\\b`));
  });

  it.each(["closed-", "missing-"])("documents the magic id prefix %s", (prefix) => {
    expect(help.stdout).toContain(prefix);
  });
});

describe("--no-admin", () => {
  const shared = new Set<ChildProcess>();
  afterAll(() => killAll(shared));

  it.concurrent("answers /__admin/health with 404 and still serves conversations", async () => {
    const cli = await startCli(["--no-admin"], {}, shared);
    expect(cli.stdout()).toContain("admin off");
    const health = await fetch(`${cli.origin}/__admin/health`);
    expect(health.status).toBe(404);
    await health.body?.cancel();
    expect((await get(conversationUrl(cli, "p1", "c1"))).status).toBe(200);
  });

  it.concurrent.each([
    ["off", "admin off"],
    ["0", "admin off"],
    ["on", "admin on"],
    ["TRUE", "admin on"],
  ])("FAKE_JELOU_ADMIN=%s gives %s (a container sets flags through the environment)", async (value, ready) => {
    const cli = await startCli([], { FAKE_JELOU_ADMIN: value }, shared);
    expect(cli.stdout()).toContain(ready);
  });

  it.concurrent("--no-admin on the command line wins over FAKE_JELOU_ADMIN=on", async () => {
    const cli = await startCli(["--no-admin"], { FAKE_JELOU_ADMIN: "on" }, shared);
    expect(cli.stdout()).toContain("admin off");
  });

  it.concurrent("refuses any other FAKE_JELOU_ADMIN value with exit 2", async () => {
    const result = await runCli(["--port", "0"], { FAKE_JELOU_ADMIN: "maybe" }, shared);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("FAKE_JELOU_ADMIN must be on or off");
  });
});

describe("--state and --require-https-webhooks", () => {
  const SECRET = "5b8a4598c2822a4c7a29c99d8e08087d1d75e015ad7a8538bf40a21d5960b4d3";
  const state = {
    integrations: [
      {
        projectId: "p1",
        authorization: "XYZSECRET-token",
        integration: {
          id: "6790f1c2a4b5c6d7e8f90aaa",
          brainId: "p1",
          webhookUrl: "http://127.0.0.1:9/hook",
          authType: "bearer",
          signingSecret: SECRET,
          createdAt: "2026-01-15T10:30:00.000Z",
          updatedAt: "2026-01-15T10:30:00.000Z",
        },
      },
    ],
    conversations: [],
  };
  const shared = new Set<ChildProcess>();
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fake-jelou-state-"));
    writeFileSync(join(dir, "state.json"), JSON.stringify(state));
  });
  afterAll(() => {
    killAll(shared);
    rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent.each([
    ["--state", (file: string) => [["--state", file], {}] as const],
    ["FAKE_JELOU_STATE", (file: string) => [[], { FAKE_JELOU_STATE: file }] as const],
  ])("%s starts the fake with that state", async (_how, args) => {
    const [argv, env] = args(join(dir, "state.json"));
    const cli = await startCli([...argv], { ...env }, shared);
    const res = await fetch(`${cli.baseUrl}/v1/external-support/p1`, { headers: { "x-api-key": "k" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { id: string } }).data.id).toBe("6790f1c2a4b5c6d7e8f90aaa");
  });

  it.concurrent.each([
    ["--require-https-webhooks", ["--require-https-webhooks"], {}],
    ["FAKE_JELOU_REQUIRE_HTTPS_WEBHOOKS=on", [], { FAKE_JELOU_REQUIRE_HTTPS_WEBHOOKS: "on" }],
  ])(
    "%s refuses a local http webhook with 422 (the default accepts one: test/mock/sandbox.test.ts)",
    async (_how, argv, env) => {
      const strict = await startCli([...argv], { ...env }, shared);
      const res = await fetch(`${strict.baseUrl}/v1/external-support/p1`, {
        method: "POST",
        headers: { "x-api-key": "k", "content-type": "application/json" },
        body: JSON.stringify({ webhookUrl: "http://localhost:8080/hook" }),
      });
      expect(res.status).toBe(422);
    },
  );
});

describe("--webhook-retries, --webhook-timeout and --webhook-allow", () => {
  // A receiver: /allowed answers 200; /hook answers 500 to its first request and hangs on the others.
  let hook: Server;
  let hookUrl: string;
  beforeAll(async () => {
    const { createServer: createHttpServer } = await import("node:http");
    let hits = 0;
    hook = createHttpServer((req, res) => {
      req.resume();
      if (req.url === "/allowed") return res.writeHead(200).end();
      hits++;
      if (hits === 1) res.writeHead(500).end();
    }) as unknown as Server;
    hook.listen(0, "127.0.0.1");
    await once(hook, "listening");
    hookUrl = `http://127.0.0.1:${(hook.address() as { port: number }).port}/hook`;
  });
  const shared = new Set<ChildProcess>();
  afterAll(() => {
    killAll(shared);
    (hook as unknown as { closeAllConnections(): void }).closeAllConnections();
    hook.close();
  });

  it.concurrent("retries once after a 500, then gives up when the retry outlives the timeout", async () => {
    const cli = await startCli(["--webhook-retries", "1", "--webhook-timeout", "1000"], {}, shared);
    const post = (path: string, body: unknown) =>
      fetch(`${cli.baseUrl}/v1/external-support/${path}`, {
        method: "POST",
        headers: { "x-api-key": "k", "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    await post("p-cli", { webhookUrl: hookUrl });
    await post("p-cli/conversations/start", { botId: "b", userId: "u" });
    const origin = cli.baseUrl.replace(/\/jelouapi$/, "");
    let delivery: { outcome: string; attempts: { status?: number; error?: string }[] } | undefined;
    for (let i = 0; i < 100 && delivery?.outcome !== "failed"; i++) {
      await sleep(50);
      const res = await fetch(`${origin}/__admin/deliveries`);
      delivery = ((await res.json()) as { deliveries: NonNullable<typeof delivery>[] }).deliveries[0];
    }
    expect(delivery?.attempts.map((a) => a.status ?? a.error)).toEqual([500, "timeout"]);
  });

  it.concurrent("with --host 0.0.0.0, delivers only to the hosts --webhook-allow lists", async () => {
    const outcomeWith = async (allow: readonly string[]) => {
      const cli = spawnCli(
        ["--port", "0", "--host", "0.0.0.0", "--admin-token", "cli-hook-token", ...allow],
        {},
        shared,
      );
      const [, port] = (await waitForStdout(cli, /ready on http:\/\/0\.0\.0\.0:(\d+)\//)) as unknown as [
        string,
        string,
      ];
      const origin = `http://127.0.0.1:${port}`;
      const post = (path: string, body: unknown) =>
        fetch(`${origin}/jelouapi/v1/external-support/${path}`, {
          method: "POST",
          headers: { "x-api-key": "k", "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      await post("p-allow", { webhookUrl: hookUrl.replace("/hook", "/allowed") });
      await post("p-allow/conversations/start", { botId: "b", userId: "u" });
      let seen: string | undefined;
      for (let i = 0; i < 100 && (seen === undefined || seen === "pending"); i++) {
        await sleep(20);
        const res = await fetch(`${origin}/__admin/deliveries`, {
          headers: { authorization: "Bearer cli-hook-token" },
        });
        seen = ((await res.json()) as { deliveries: { outcome: string }[] }).deliveries[0]?.outcome;
      }
      return seen;
    };
    const [unlisted, listed] = await Promise.all([outcomeWith([]), outcomeWith(["--webhook-allow", "127.0.0.1"])]);
    expect(unlisted).toBe("failed");
    expect(listed).toBe("delivered");
  });
});

describe("admin access", () => {
  const TOKEN = "cli-admin-token-91d2";
  const requests = (origin: string, headers: Record<string, string> = {}) =>
    fetch(`${origin}/__admin/requests`, { headers }).then(async (res) => {
      await res.body?.cancel();
      return res.status;
    });
  const shared = new Set<ChildProcess>();
  afterAll(() => killAll(shared));

  it.concurrent("--host 0.0.0.0 generates a token and prints it in the ready line only, with the console URL", async () => {
    const cli = spawnCli(["--port", "0", "--host", "0.0.0.0"], {}, shared);
    const match = await waitForStdout(
      cli,
      /^fake-jelou ready on http:\/\/0\.0\.0\.0:(\d+)\/jelouapi .*admin token: (\S+), console: (\S+)\)$/m,
    );
    const [, port, token, consoleUrl] = match as unknown as [string, string, string, string];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(consoleUrl).toBe(`http://127.0.0.1:${port}/__admin/console?token=${token}`);
    const origin = `http://127.0.0.1:${port}`;
    expect(await requests(origin)).toBe(401);
    expect(await requests(origin, { authorization: `Bearer ${token}` })).toBe(200);
    await get(`${origin}/jelouapi/v1/external-support/p/conversations/c`);
    expect(
      cli
        .stdout()
        .split("\n")
        .filter((line) => line.includes(token)),
    ).toHaveLength(1);
  });

  it.concurrent.each<[string, string[], Record<string, string>]>([
    ["--admin-token", ["--admin-token", TOKEN], {}],
    ["FAKE_JELOU_ADMIN_TOKEN", [], { FAKE_JELOU_ADMIN_TOKEN: TOKEN }],
  ])("%s requires the token on /__admin and never prints it", async (_title, args, env) => {
    const cli = await startCli(args, env, shared);
    expect(cli.stdout()).toContain(
      `admin on, token required, console: ${cli.origin}/__admin/console?token=<admin token>`,
    );
    expect(await requests(cli.origin)).toBe(401);
    expect(await requests(cli.origin, { authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(cli.stdout()).not.toContain(TOKEN);
    expect(cli.stderr()).not.toContain(TOKEN);
  });

  it.concurrent("answers /__admin only for loopback hosts by default, and for --allowed-host names too", async () => {
    const cli = await startCli(["--allowed-host", "fake-jelou", "--log-level", "silent"], {}, shared);
    expect(cli.stdout()).toContain(`admin on, loopback hosts only, console: ${cli.origin}/__admin/console`);
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const { port } = new URL(cli.origin);
        request({ host: "127.0.0.1", port, path: "/__admin/requests", headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on("error", reject)
          .end();
      });
    expect(await status("localhost:1")).toBe(200);
    expect(await status("fake-jelou:4010")).toBe(200);
    expect(await status("attacker.example")).toBe(403);
  });

  it.concurrent("refuses an --admin-token with a space with exit 2, without echoing it", async () => {
    const result = await runCli(["--port", "0", "--admin-token", "SECRET-PART other"], {}, shared);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--admin-token");
    expect(result.stderr + result.stdout).not.toContain("SECRET-PART");
  });
});
