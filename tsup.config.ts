import { copyFile } from "node:fs/promises";
import { defineConfig } from "tsup";

// The package as users install it: ESM and CommonJS for each public entry, declarations for both, and the spec
// YAML beside the code, where load-spec.ts looks for it (./ relative to the module, in the clone and in dist/).
export default defineConfig({
  entry: { index: "mock/index.ts", client: "client/index.ts", spec: "spec/index.ts", cli: "mock/cli.ts" },
  format: ["esm", "cjs"],
  dts: { entry: { index: "mock/index.ts", client: "client/index.ts", spec: "spec/index.ts" } },
  platform: "node",
  target: "node20.19",
  outDir: "dist",
  clean: true,
  sourcemap: true,
  // One copy of each shared module per format, so an error class thrown by one entry is the one another exports.
  splitting: true,
  // import.meta.url in the CommonJS output (the spec's and package.json's locations).
  shims: true,
  async onSuccess() {
    await copyFile("spec/jelou-external-support.openapi.yaml", "dist/jelou-external-support.openapi.yaml");
  },
});
