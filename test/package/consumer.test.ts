// The packed tarball, installed into a throw-away project of its own, used as a user would: plain Node (ESM and
// CommonJS), a strict TypeScript consumer, Jest in its default CommonJS mode, vitest with no special config, and the
// fake-jelou command. The example files are the README's; each runs here as printed.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ConsumerManifest, consumerLockfile, type Lockfile } from "./consumer-lockfile.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EXAMPLES = join(ROOT, "examples");
const REPO = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
  license: string;
};
const TOOLS = ["@types/node", "jest", "typescript", "vitest"];
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: false,
    rootDir: "typescript",
    outDir: "build",
    types: ["node"],
  },
  files: ["typescript/consumer.mts", "typescript/signature.mts", "typescript/signature.cts"],
};
// Jelou's webhook signature from both entries, written as .mts and as .cts: tsc checks the one against index.d.ts and
// client.d.ts, the other against the .d.cts files (compiling its imports to require()). Both entries must hand out
// the same function.
const SIGNATURE_CONSUMER = `import { signJelouPayload, verifyJelouSignature } from "fake-jelou";
import * as client from "fake-jelou/client";
const header: string = signJelouPayload('{"event":"x"}', "secret");
const verified: boolean = client.verifyJelouSignature(Buffer.from('{"event":"x"}'), header, "secret");
console.log(verified, client.signJelouPayload === signJelouPayload, client.verifyJelouSignature === verifyJelouSignature);
`;

let consumer: string;
// The fakes the tests started, killed after the suite so that a failed test never leaves a server behind.
const started = new Set<ChildProcess>();

/** Runs a command in the consumer project; a failure shows its output. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, {
    cwd: consumer,
    encoding: "utf8",
    timeout: 90_000,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env },
  });
  const output = `${result.stdout}${result.stderr}`;
  expect(result.status, `${command} ${args.join(" ")} failed:\n${output}`).toBe(0);
  return result.stdout;
}

function copyExample(from: string, to: string = from): void {
  mkdirSync(join(consumer, to, ".."), { recursive: true });
  copyFileSync(join(EXAMPLES, from), join(consumer, to));
}

beforeAll(() => {
  consumer = join(inject("packageWorkDir"), "consumer");
  mkdirSync(consumer, { recursive: true });
  const tarball = basename(inject("tarball"));
  copyFileSync(inject("tarball"), join(consumer, tarball));
  const manifest: ConsumerManifest = {
    name: "consumer",
    version: "1.0.0",
    dependencies: { "fake-jelou": `file:${tarball}` },
    devDependencies: Object.fromEntries(TOOLS.map((tool) => [tool, REPO.devDependencies[tool] as string])),
  };
  const integrity = `sha512-${createHash("sha512")
    .update(readFileSync(join(consumer, tarball)))
    .digest("base64")}`;
  // The tarball's own manifest, not the clone's: the lockfile must describe what was packed.
  const packed = JSON.parse(
    execFileSync("tar", ["-xzOf", inject("tarball"), "package/package.json"], { encoding: "utf8" }),
  ) as typeof REPO;
  const lock = consumerLockfile(
    JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as Lockfile,
    manifest,
    {
      "node_modules/fake-jelou": {
        version: packed.version,
        resolved: `file:${tarball}`,
        integrity,
        license: packed.license,
        dependencies: packed.dependencies,
        bin: packed.bin,
        engines: packed.engines,
      },
    },
  );
  writeFileSync(
    join(consumer, "package.json"),
    JSON.stringify(
      {
        ...manifest,
        private: true,
        // What examples/ci/background.sh runs against the fake it started.
        scripts: {
          "your-integration-tests":
            "node -e \"fetch(process.env.JELOU_BASE_URL + '/v1/external-support/p/conversations/closed-1', { headers: { 'x-api-key': 'k' } }).then((r) => process.exit(r.status === 200 ? 0 : 1))\"",
        },
        jest: {
          roots: ["<rootDir>/jest"],
          globalSetup: "./jest/jest.global-setup.js",
          globalTeardown: "./jest/jest.global-teardown.js",
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(consumer, "package-lock.json"), JSON.stringify(lock, null, 2));
  writeFileSync(join(consumer, "tsconfig.json"), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
  run("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"]);
  for (const file of ["node/esm.mjs", "node/commonjs.cjs", "typescript/consumer.mts"]) copyExample(file);
  for (const file of ["typescript/signature.mts", "typescript/signature.cts"]) {
    writeFileSync(join(consumer, file), SIGNATURE_CONSUMER);
  }
  for (const file of [
    "jest.global-setup.js",
    "jest.global-teardown.js",
    "conversation.test.js",
    "in-process.test.js",
  ]) {
    copyExample(`jest/${file}`);
  }
  for (const file of ["vitest.config.ts", "conversation.test.ts"]) copyExample(`vitest/${file}`);
  copyExample("ci/background.sh");
  copyExample("vitest.global-setup.ts", "vitest/vitest.global-setup.ts");
}, 120_000);

afterAll(() => {
  for (const child of started) {
    try {
      process.kill(-(child.pid as number), "SIGKILL");
    } catch {
      // The group is gone: that test ended its fake itself.
    }
  }
});

describe("the packed package, installed in a project of its own", () => {
  it("runs from plain Node as ESM: import { startMockServer } from 'fake-jelou'", () => {
    expect(run(process.execPath, ["node/esm.mjs"])).toBe("200 active\n");
  });

  it("runs from plain Node as CommonJS: require('fake-jelou') and require('fake-jelou/client')", () => {
    expect(run(process.execPath, ["node/commonjs.cjs"])).toBe("closed\n");
  });

  it("type-checks a strict NodeNext consumer (ESM and CommonJS) with skipLibCheck off, and the compiled code runs", () => {
    run(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"]);
    expect(run(process.execPath, ["build/consumer.mjs"])).toBe("true valid\n");
    expect(run(process.execPath, ["build/signature.mjs"])).toBe("true true true\n");
    expect(run(process.execPath, ["build/signature.cjs"])).toBe("true true true\n");
  });

  it("serves a Jest suite in its default (CommonJS) mode: a fake in globalSetup, and one started by a test file", () => {
    const output = spawnSync(process.execPath, ["node_modules/jest/bin/jest.js", "--ci", "--colors=false"], {
      cwd: consumer,
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(output.status, `${output.stdout}${output.stderr}`).toBe(0);
    expect(output.stderr).toMatch(/Tests:\s+3 passed, 3 total/);
  });

  it("serves a vitest suite with no special config (no server.deps.inline)", () => {
    const output = run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--root", "vitest"]);
    expect(output).toMatch(/Tests\s+1 passed/);
  });

  it("answers npx fake-jelou --version with the package's version", () => {
    expect(run("npx", ["--no-install", "fake-jelou", "--version"])).toBe(`${REPO.version}\n`);
  });

  it("says how to install the optional peer when verify-pact runs without @pact-foundation/pact, and exits 2", () => {
    const result = spawnSync("npx", ["--no-install", "fake-jelou", "verify-pact", "pacts/any.json"], {
      cwd: consumer,
      encoding: "utf8",
      timeout: 90_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    expect(result.status, result.stderr).toBe(2);
    expect(result.stderr).toContain("verify-pact needs @pact-foundation/pact");
    expect(result.stderr).toContain("npm install --save-dev @pact-foundation/pact");
  });

  it("serves from npx fake-jelou --port 0, and Ctrl-C (SIGINT to the terminal's process group) stops all of it", async () => {
    // npx runs the command under npm and a shell: like a terminal, signal the whole group, or the fake outlives npm.
    const { child, baseUrl } = await startFake("npx", ["--no-install", "fake-jelou", "--port", "0"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-(child.pid as number), "SIGINT");
    await exited;
    await expect(fetch(`${baseUrl}/v1/external-support/p/conversations/c`)).rejects.toThrow();
    expect(() => process.kill(-(child.pid as number), 0)).toThrow(/ESRCH/);
  });

  it("runs in the background from node_modules/.bin/fake-jelou, and exits 0 on SIGTERM to its pid", async () => {
    const bin = join(consumer, "node_modules/.bin/fake-jelou");
    const { child } = await startFake(bin, ["--port", "0", "--log-level", "silent"]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("runs the README's CI script: background start, health wait, the tests, SIGTERM, exit 0", async () => {
    const port = await freePort();
    const script = readFileSync(join(consumer, "ci/background.sh"), "utf8").replaceAll("4010", String(port));
    const result = spawnSync("bash", ["-e", "-c", script], { cwd: consumer, encoding: "utf8", timeout: 60_000 });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/__admin/health`)).rejects.toThrow();
  });
});

/** Starts a fake in the consumer project, leader of its own process group, and checks that it serves. */
async function startFake(command: string, args: readonly string[]): Promise<{ child: ChildProcess; baseUrl: string }> {
  const child = spawn(command, args, { cwd: consumer, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  const baseUrl = await readyUrl(child);
  expect(await conversationState(baseUrl)).toBe("closed");
  return { child, baseUrl };
}

/** A port nothing listens on now, for a script that needs a fixed one. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

async function conversationState(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/v1/external-support/p/conversations/closed-1`, {
    headers: { "x-api-key": "any-key" },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { state: string } }).data.state;
}

/** The base URL of the ready line a fake-jelou process prints, or its output when it exits first. */
function readyUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const match = /fake-jelou ready on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1] as string);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`fake-jelou exited (${code}) before it was ready:\n${output}`)));
  });
}
