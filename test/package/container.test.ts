// The Dockerfile's runtime stage, run without an engine (none runs here): its COPY, RUN and ENV on the packed
// tarball in a folder of its own, then its ENTRYPOINT and HEALTHCHECK, and the smoke test the docker CI job runs
// against the image. A broken install or start step fails here, not first in GitHub.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { smokeTest } from "../../scripts/container-smoke.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ADMIN_TOKEN = "container-test-admin-token";
const instructions = DockerfileParser.parse(readFileSync(join(ROOT, "Dockerfile"), "utf8")).getInstructions();
const runtime = instructions.slice(instructions.map((i) => i.getKeyword()).lastIndexOf("FROM"));
const only = (keyword: string): Instruction[] => runtime.filter((i) => i.getKeyword() === keyword);
const execForm = (text: string): string[] => JSON.parse(text) as string[];
const workdir = only("WORKDIR").at(-1)?.getArgumentsContent() as string;

let app: string;
const env: Record<string, string> = {};
let fake: ChildProcess | undefined;

/** The files a runtime COPY --from=build takes, as this test has them: the packed tarball and the repo's lockfile. */
function buildOutput(path: string): string {
  if (path === "/pkg/fake-jelou.tgz") return inject("tarball");
  if (path === "/src/package-lock.json") return join(ROOT, "package-lock.json");
  throw new Error(`The Dockerfile's runtime stage copies ${path}; teach container.test.ts where the build has it.`);
}

beforeAll(() => {
  // "#", "%" and a space in the install path: a module URL must escape them to find the spec beside the code.
  app = join(inject("packageWorkDir"), "container #1 100%");
  mkdirSync(app, { recursive: true });
  for (const instruction of runtime) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((arg) => arg.getValue());
    if (keyword === "COPY") {
      const destination = args.at(-1) as string;
      for (const source of args.slice(0, -1))
        copyFileSync(buildOutput(source), join(app, destination, source.split("/").at(-1) as string));
    } else if (keyword === "RUN") {
      // --mount flags are the engine's; the install must come from the npm cache, never the network.
      execFileSync("sh", ["-c", instruction.getArgumentsContent() as string], {
        cwd: app,
        env: { ...process.env, ...env, npm_config_offline: "true" },
        stdio: ["ignore", "ignore", "pipe"],
      });
    } else if (keyword === "ENV") {
      for (const property of (
        instruction as unknown as { getProperties(): { getName(): string; getValue(): string }[] }
      ).getProperties()) {
        env[property.getName()] = property.getValue();
      }
    }
  }
}, 120_000);

afterAll(() => {
  if (fake?.exitCode === null) fake.kill("SIGKILL");
});

describe("the Dockerfile's runtime stage, run on the packed tarball", () => {
  it("is what examples/docker/compose.yaml runs: the image's port, and only variables the CLI documents", () => {
    const compose = parse(readFileSync(join(ROOT, "examples/docker/compose.yaml"), "utf8")) as {
      services: Record<string, { image: string; ports: string[]; environment: Record<string, string> }>;
    };
    const service = compose.services["fake-jelou"];
    expect(service?.ports).toEqual(["127.0.0.1:4010:4010"]);
    const help = execFileSync(process.execPath, ["dist/cli.js", "--help"], { cwd: app, encoding: "utf8" });
    for (const name of Object.keys(service?.environment ?? {})) expect(help).toContain(name);
  });

  it("runs as a non-root user, exposes 4010 and listens on all interfaces", () => {
    expect(only("USER").map((i) => i.getArgumentsContent())).toEqual(["node"]);
    expect(only("EXPOSE").map((i) => i.getArgumentsContent())).toEqual(["4010"]);
    expect(env).toMatchObject({ FAKE_JELOU_HOST: "0.0.0.0", FAKE_JELOU_PORT: "4010", NODE_ENV: "production" });
    // The non-root user owns none of the files the root install wrote: each must be readable by others.
    for (const file of [
      "dist/cli.js",
      "dist/jelou-external-support.openapi.yaml",
      "node_modules/express/package.json",
    ]) {
      expect(statSync(join(app, file)).mode & 0o004, file).toBe(0o004);
    }
  });

  it("finds the spec beside the code from ESM and CommonJS, under a path with #, % and a space", () => {
    const script = (load: string) =>
      `${load}.then((m) => { const doc = m.loadSpec(); process.stdout.write(doc.openapi + " " + m.SPEC_PATH); })`;
    for (const load of [`import("./dist/spec.js")`, `Promise.resolve(require("./dist/spec.cjs"))`]) {
      const output = execFileSync(process.execPath, ["-e", script(load)], { cwd: app, encoding: "utf8" });
      expect(output, load).toBe(`3.1.0 ${join(app, "dist/jelou-external-support.openapi.yaml")}`);
    }
  });

  it("installs only production dependencies, in under 25 MB", () => {
    for (const devTool of ["typescript", "tsx", "vitest", "@pact-foundation/pact", "@stoplight/prism-cli"]) {
      expect(() => statSync(join(app, "node_modules", devTool)), devTool).toThrow();
    }
    const kib = Number(execFileSync("du", ["-sk", app], { encoding: "utf8" }).split("\t")[0]);
    console.log(`runtime install (package + npm ci --omit=dev): ${(kib / 1024).toFixed(1)} MiB`);
    expect(kib).toBeLessThan(25 * 1024);
  });

  it("starts from its ENTRYPOINT, passes its HEALTHCHECK and the CI smoke test, and exits 0 on SIGTERM", async () => {
    const [entrypoint] = only("ENTRYPOINT");
    const [command, ...args] = execForm(entrypoint?.getArgumentsContent() as string);
    // Port 0 and loopback instead of the image's 4010 on every interface: another process here may hold the port,
    // and a test listens on loopback only.
    const processEnv = {
      ...process.env,
      ...env,
      FAKE_JELOU_HOST: "127.0.0.1",
      FAKE_JELOU_PORT: "0",
      FAKE_JELOU_ADMIN_TOKEN: ADMIN_TOKEN,
    };
    const inApp = (arg: string) => (arg.startsWith(`${workdir}/`) ? join(app, arg.slice(workdir.length + 1)) : arg);
    fake = spawn(command === "node" ? process.execPath : (command as string), args.map(inApp), {
      cwd: app,
      env: processEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const port = await new Promise<string>((resolve, reject) => {
      let output = "";
      fake?.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        const match = /fake-jelou ready on http:\/\/127\.0\.0\.1:(\d+)\/jelouapi/.exec(output);
        if (match) resolve(match[1] as string);
      });
      fake?.once("exit", (code) => reject(new Error(`the fake exited (${code}) before it was ready: ${output}`)));
    });

    const healthcheck = only("HEALTHCHECK")[0]
      ?.getArgumentsContent()
      ?.replace(/^CMD\s+/, "") as string;
    const [probe, ...probeArgs] = execForm(healthcheck);
    const health = spawnSync(probe === "node" ? process.execPath : (probe as string), probeArgs, {
      env: { ...processEnv, FAKE_JELOU_PORT: port },
      encoding: "utf8",
    });
    expect(health.status, health.stderr).toBe(0);

    expect(await smokeTest(`http://127.0.0.1:${port}`, ADMIN_TOKEN)).toEqual([]);

    // The console ships in the image: its URL's token becomes the cookie that fetches the page and its script.
    const traded = await fetch(`http://127.0.0.1:${port}/__admin/console?token=${ADMIN_TOKEN}`, { redirect: "manual" });
    expect(traded.status).toBe(200);
    await traded.body?.cancel();
    const cookie = (traded.headers.get("set-cookie") ?? "").split(";")[0] as string;
    for (const path of ["/__admin/console", "/__admin/console/console.js", "/__admin/console/console.css"]) {
      const asset = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie } });
      expect(asset.status, path).toBe(200);
      expect(asset.headers.get("content-security-policy"), path).toContain("script-src 'self'");
      expect((await asset.text()).length, path).toBeGreaterThan(500);
    }

    // The README's Python suite, as a team in another language would point it at the container.
    const python = spawnSync("python3", [join(ROOT, "examples/python/test_fake_jelou.py")], {
      env: { ...process.env, JELOU_BASE_URL: `http://127.0.0.1:${port}/jelouapi`, FAKE_JELOU_ADMIN_TOKEN: ADMIN_TOKEN },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(python.status, python.stderr).toBe(0);
    expect(python.stderr).toMatch(/Ran 2 tests[\s\S]*OK/);

    const exited = new Promise<number | null>((resolve) => fake?.once("exit", (code) => resolve(code)));
    fake.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
