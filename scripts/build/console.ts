// Builds the console (console/): its modules bundled into one script for the browser, beside its page and stylesheet.
// The package ships the result in dist/console/, so users never build it; from the source it goes to .console-build/.
import { realpathSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const CONSOLE = fileURLToPath(new URL("../../console/", import.meta.url));

/** Bundles console/src/main.ts into `outDir`/console.js (an IIFE for ES2022 browsers, minified, no source map) and copies index.html and console.css beside it. */
export async function buildConsole(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [join(CONSOLE, "src/main.ts")],
    outfile: join(outDir, "console.js"),
    tsconfig: join(CONSOLE, "tsconfig.json"),
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "warning",
  });
  await Promise.all(["index.html", "console.css"].map((file) => copyFile(join(CONSOLE, file), join(outDir, file))));
}

// `npm run build:console`: into .console-build/, where the fake run from the source serves it.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const outDir = resolve(process.argv[2] ?? fileURLToPath(new URL("../../.console-build/", import.meta.url)));
  await buildConsole(outDir);
  console.log(`fake-jelou console built into ${outDir}`);
}
