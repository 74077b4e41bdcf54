// npm run verify:live: the scheduled drift check of production Jelou. Flags, environment: --help, docs/drift-check.md.

import { USAGE } from "./drift/config.ts";
import { runVerifyLive } from "./drift/run.ts";

if (process.argv.includes("--help")) {
  console.log(USAGE);
} else {
  process.exitCode = await runVerifyLive({
    argv: process.argv.slice(2),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
