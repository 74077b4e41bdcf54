import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "contracts/**/*.test.ts"],
    // Suites spawn CLIs (openapi-typescript, Spectral, Prism); forks isolate them and keep native modules safe.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
