// A vitest globalSetup that starts the fake Jelou once for the whole test run (see the README).
// In your project: `globalSetup: ["./vitest.global-setup.ts"]` in vitest.config.ts, and import "fake-jelou".

import { type MockServer, startMockServer } from "fake-jelou";
import type { TestProject } from "vitest/node";

let server: MockServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await startMockServer({ port: 0, seed: "my-tests" });
  // Tests read it with `inject("jelouBaseUrl")` from "vitest".
  project.provide("jelouBaseUrl", server.baseUrl);
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module "vitest" {
  export interface ProvidedContext {
    jelouBaseUrl: string;
  }
}
