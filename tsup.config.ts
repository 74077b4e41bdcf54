import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { defineConfig, type Options } from "tsup";
import { buildConsole } from "./scripts/build/console.ts";

// The package as users install it: ESM and CommonJS for each public entry, declarations for both, the spec YAML
// beside the code, where load-spec.ts looks for it (./ relative to the module, in the clone and in dist/), and the
// console's page, built ahead of time into dist/console/ (served from ./console/ beside the bundle).
const ENTRIES = { index: "mock/index.ts", client: "client/index.ts", spec: "spec/index.ts" };
const SPEC = "jelou-external-support.openapi.yaml";

// Two builds run in parallel into dist/: emptied once here, not by each of them.
rmSync("dist", { recursive: true, force: true });
mkdirSync("dist");
copyFileSync(`spec/${SPEC}`, `dist/${SPEC}`);

const common: Options = {
  platform: "node",
  target: "node20.19",
  outDir: "dist",
  clean: false,
  sourcemap: true,
  // One copy of each shared module per format, so an error class thrown by one entry is the one another exports.
  splitting: true,
};

export default defineConfig([
  {
    ...common,
    format: "esm",
    entry: { ...ENTRIES, cli: "mock/cli.ts" },
    dts: { entry: ENTRIES },
    onSuccess: () => buildConsole("dist/console"),
  },
  {
    ...common,
    format: "cjs",
    entry: ENTRIES,
    dts: { entry: ENTRIES },
    // Faker ships ESM only: Node 20 and 22 cannot require() it from Jest's module system, so CommonJS users get it
    // bundled. Every other dependency ships CommonJS and stays external.
    noExternal: ["@faker-js/faker"],
    define: { "import.meta.url": "importMetaUrl" },
    inject: ["scripts/build/import-meta-url.ts"],
  },
]);
