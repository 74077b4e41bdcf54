import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { binPath } from "./run-bin.ts";

/** A running Prism child (`mock` or `proxy`) and how to stop it. */
export interface PrismProcess {
  url: string;
  stop(): Promise<void>;
}

/** A loopback port that was free a moment ago (Prism cannot listen on port 0 and report the port back). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (typeof address !== "object" || address === null) throw new Error("Failed to find a free port.");
  return address.port;
}

/** Starts `prism mock <spec>` on loopback with the tests' Node, resolving once Prism says it listens. */
export function startPrismMock(spec: string, extraArgs: readonly string[] = []): Promise<PrismProcess> {
  return startPrism(["mock", spec, ...extraArgs]);
}

/** Starts `prism proxy <spec> <upstream> --errors`: every response is validated against the spec. */
export function startPrismProxy(spec: string, upstream: string): Promise<PrismProcess> {
  return startPrism(["proxy", spec, upstream, "--errors"]);
}

async function startPrism(args: readonly string[]): Promise<PrismProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [binPath("@stoplight/prism-cli", "prism"), ...args, "-h", "127.0.0.1", "-p", String(port)],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } },
  );
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Prism did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Prism is listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Prism exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}
