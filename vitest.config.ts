import { defineConfig } from "vitest/config";

// .ci/run sets VITEST_JSON_REPORT to count the tests it ran; `npm test` itself stays the README's command.
const jsonReport = process.env.VITEST_JSON_REPORT;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "contracts/**/*.test.ts"],
    // Suites spawn CLIs (openapi-typescript, Spectral, Prism) and servers; forks isolate them.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    ...(jsonReport && { reporters: ["default", "json"], outputFile: { json: jsonReport } }),
  },
});
