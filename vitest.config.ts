import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// .ci/run sets VITEST_JSON_REPORT to count the tests it ran; `npm test` itself stays the README's command.
const jsonReport = process.env.VITEST_JSON_REPORT;

// Contract suites depend on each other: 1-consumer writes the pact that 2-provider-fake and 4-provider-prism read.
// Their file names carry the order; this runs them in it. The unit files run longest first: vitest orders them by the
// last run's durations, but a fresh clone (CI) has none and falls back to file size, which started cli.test.ts and
// console.test.ts late and left one worker running them alone at the end. The slowest are named here, in the order a
// warm run measured them, and go first whatever the cache holds.
const SLOW_UNIT_FILES = [
  "test/scripts/verify-live.test.ts",
  "test/mock/cli.test.ts",
  "test/scripts/generate.test.ts",
  "test/console/console.test.ts",
  "test/scripts/soak.test.ts",
  "test/mock/server.test.ts",
  "test/scripts/bench-webhooks.test.ts",
  "test/docs/code-blocks.test.ts",
];
const ROOT = fileURLToPath(new URL(".", import.meta.url));
class SlowFirstContractsByName extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isContract = (file: TestSpecification) => file.project.name === "contracts";
    const contracts = sorted.filter(isContract).sort((a, b) => a.moduleId.localeCompare(b.moduleId));
    const rank = (file: TestSpecification) => {
      const at = SLOW_UNIT_FILES.indexOf(relative(ROOT, file.moduleId));
      return at === -1 ? SLOW_UNIT_FILES.length : at;
    };
    // The base sorter keeps each project's files together: the contracts' block is refilled in name order, and the
    // unit block is sorted again, stably, with the slow files first.
    const units = sorted.filter((file) => file.project.name === "unit").sort((a, b) => rank(a) - rank(b));
    return sorted.map((file) =>
      isContract(file)
        ? (contracts.shift() as TestSpecification)
        : file.project.name === "unit"
          ? (units.shift() as TestSpecification)
          : file,
    );
  }
}

// In the clone, the package name resolves to the source, as tsconfig.json's paths do for the type checker; the packed
// package is proved from outside by test/package.
const SOURCE_ENTRIES = [
  { find: /^fake-jelou$/, replacement: "/mock/index.ts" },
  { find: /^fake-jelou\/client$/, replacement: "/client/index.ts" },
  { find: /^fake-jelou\/spec$/, replacement: "/spec/index.ts" },
].map(({ find, replacement }) => ({ find, replacement: fileURLToPath(new URL(`.${replacement}`, import.meta.url)) }));

export default defineConfig({
  resolve: { alias: SOURCE_ENTRIES },
  test: {
    // Suites spawn CLIs (openapi-typescript, Spectral, Prism) and servers; forks isolate them.
    pool: "forks",
    // Pact's core reports usage to the internet unless told not to: tests reach nothing but loopback.
    env: { PACT_DO_NOT_TRACK: "true" },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Only a root-level sequencer is honoured.
    sequence: { sequencer: SlowFirstContractsByName },
    ...(jsonReport && { reporters: ["default", "json"], outputFile: { json: jsonReport } }),
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          // Most suites wait on servers and child processes: two files at a time keep npm test under three minutes
          // on a 2-core machine (one at a time, vitest's default there, took 170 s for this project alone).
          maxWorkers: 2,
          exclude: ["test/package/**"],
          globalSetup: ["test/helpers/cli-bundle.global-setup.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "contracts",
          include: ["contracts/**/*.test.ts"],
          // Pact is stateful and its native core binds ports: one process, one file at a time, in order.
          fileParallelism: false,
          maxWorkers: 1,
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // `npm run test:package`: the packed tarball from outside. It packs and installs, so it runs on its own.
          name: "package",
          include: ["test/package/**/*.test.ts"],
          globalSetup: ["test/package/pack.global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
