// vitest.config.ts: test: { globalSetup: ["./vitest.global-setup.ts"] }; a test reads inject("jelouBaseUrl").
import { type MockServer, startMockServer } from "fake-jelou";
import type { TestProject } from "vitest/node";

let server: MockServer | undefined;
export async function setup(project: TestProject): Promise<void> {
  server = await startMockServer({ port: 0, seed: "my-tests" });
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
