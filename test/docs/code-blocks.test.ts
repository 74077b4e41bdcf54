// Every fenced code block in the README and the docs is either exercised or says why not, through the marker comment
// on the line right before its fence:
//   <!-- example: examples/x.ts -->  equals that file, which a test under test/ or contracts/ runs;
//   <!-- curl -->                    each command runs against an in-process fake and does what its comment says;
//   <!-- npm -->                     each command is one CI runs (npm ci, npm test), or an npm script whose --help
//                                    names every flag and environment variable the line passes;
//   <!-- output: npm start -->       printed by that command (run here), not pasted;
//   <!-- output -->                  printed output of another run (a log, a report), not pasted: holds no command;
//   <!-- unchecked: why -->          pasteable but not run here, and the reason.
// A block without a marker, or with another kind, fails.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { startMockServer } from "../../mock/index.ts";
import { type CodeBlock, codeBlocks, docPages, expectation, shellCommands } from "../helpers/markdown-blocks.ts";
import { type Finished, runProcess } from "../helpers/run-bin.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const THIS_FILE = relative(ROOT, fileURLToPath(import.meta.url));
const PAGES = docPages(ROOT);
const KINDS = ["example", "curl", "npm", "output", "unchecked"];
// The address the pages give the fake; the curl blocks run against the real one.
const README_ORIGIN = "127.0.0.1:4010";

interface PageBlock extends CodeBlock {
  /** page:line, how a failure names the block. */
  where: string;
}

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const BLOCKS: PageBlock[] = PAGES.flatMap((page) =>
  codeBlocks(read(page)).map((block) => ({ ...block, where: `${page}:${block.line}` })),
);
const marked = (kind: string) => BLOCKS.filter((block) => block.marker?.kind === kind);
const cases = (kind: string) => marked(kind).map((block) => [block.where, block] as const);

/** Each line without trailing whitespace, and no trailing blank lines: what "equal" means for a printed file. */
const normalised = (text: string) => text.replace(/[ \t]+$/gm, "").trimEnd();

/** The .ts files under test/ and contracts/, except this one. */
function testFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .filter((path) => path !== THIS_FILE);
}

// Commands run without FAKE_JELOU_* variables, which would change what the fake prints and answers.
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("FAKE_JELOU_"))),
  NO_COLOR: "1",
};

/** Runs a command to its end in the clone, bounded. */
const run = (file: string, args: readonly string[], timeout = 15_000) =>
  runProcess(file, args, { cwd: ROOT, env: ENV, timeout });

const SCRIPTS = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;

/**
 * The command line of a package.json script, without npm in between when it is a plain `node` or `tsx` command (as
 * test/mock/cli.test.ts starts the CLI): two processes fewer per run, on the tests' own Node.
 */
function scriptCommand(script: string): [string, ...string[]] {
  const line = SCRIPTS[script] ?? "";
  const [bin, ...args] = line.split(" ");
  // Only words: no quotes, pipes or && that would need npm's shell.
  const plain = /^[\w@:/.=-]+( [\w@:/.=-]+)*$/.test(line);
  if (plain && bin === "node") return [process.execPath, ...args];
  if (plain && bin === "tsx") return [process.execPath, "--import", "tsx", ...args];
  return ["npm", "run", "--silent", script, "--"];
}

/** Output of `npm run <script> -- --help`, one run per script however many blocks use it. */
const helps = new Map<string, Promise<Finished>>();
const help = (script: string) => {
  const [file, ...args] = scriptCommand(script);
  const known = helps.get(script) ?? run(file, [...args, "--help"]);
  helps.set(script, known);
  return known;
};

/** Why an `npm ...` line of a block is not a command CI runs or that its script accepts: [] when it is. */
async function npmProblems(line: string): Promise<string[]> {
  const words = line.split(/\s+/);
  const env = words.filter((word) => /^[A-Z_][A-Z0-9_]*=/.test(word)).map((word) => word.slice(0, word.indexOf("=")));
  const [npm, verb, ...rest] = words.slice(env.length);
  if (npm !== "npm") return [`${line}: not an npm command`];
  if ((verb === "ci" || verb === "test") && rest.length === 0 && env.length === 0) {
    const ciRuns = new RegExp(`^\\s*(?:[A-Z_]+=\\S+\\s+)*npm ${verb}\\b`, "m").test(read(".ci/run"));
    return ciRuns ? [] : [`${line}: .ci/run does not run it`];
  }
  const script = verb === "run" ? rest.shift() : verb;
  if (script === undefined || !(script in SCRIPTS)) return [`${line}: package.json has no script "${script}"`];
  if (rest.length > 0 && rest[0] !== "--") return [`${line}: flags for the script go after --`];
  const flags = rest.filter((word) => word.startsWith("--") && word !== "--");
  const result = await help(script);
  if (result.status !== 0) return [`npm run ${script} -- --help exited ${result.status}: ${result.stderr}`];
  return [...flags, ...env]
    .filter((name) => !new RegExp(`(^|[\\s(])${name}\\b`, "m").test(result.stdout))
    .map((name) => `${line}: npm run ${script} -- --help does not mention ${name}`);
}

/** The lines `npm start -- --port 0` prints up to its ready line, with the port put back to the README's. */
async function npmStartOutput(): Promise<string[]> {
  const [file, ...args] = scriptCommand("start");
  const child = spawn(file, [...args, "--port", "0"], { cwd: ROOT, env: ENV });
  let stdout = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no ready line in 15 s:\n${stdout}`)), 15_000);
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.includes(" ready on ")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on("close", () => reject(new Error(`npm start exited before its ready line:\n${stdout}`)));
    });
  } finally {
    child.kill("SIGTERM");
  }
  return stdout.replace(/127\.0\.0\.1:\d+/g, README_ORIGIN).split("\n");
}

// The slow parts, the --help runs and npm start, begin with the file and run beside the curl blocks; tests await them.
let readyOutput: Promise<string[]> | undefined;
beforeAll(() => {
  const lines = marked("npm").flatMap((block) => shellCommands(block.code).map(({ command }) => command));
  for (const line of lines) npmProblems(line).catch(() => undefined);
  if (marked("output").some((block) => block.marker?.argument)) {
    readyOutput = npmStartOutput();
    readyOutput.catch(() => undefined);
  }
});

describe("the marker parser", () => {
  const page = [
    "<!-- example: examples/a.ts -->",
    "```ts",
    "const a = 1;",
    "```",
    "<!-- output -->",
    "",
    "````",
    "```",
    "````",
    "<!-- unchecked: needs a real broker -->",
    "~~~sh",
    "npm run pact:publish",
    "~~~",
  ].join("\n");

  it("reads each fence's line, language and code, and the marker on the line right before it (not earlier)", () => {
    expect(codeBlocks(page)).toEqual([
      { line: 2, info: "ts", code: "const a = 1;", marker: { kind: "example", argument: "examples/a.ts" } },
      { line: 7, info: "", code: "```", marker: undefined },
      {
        line: 11,
        info: "sh",
        code: "npm run pact:publish",
        marker: { kind: "unchecked", argument: "needs a real broker" },
      },
    ]);
  });

  it("splits a shell block into commands: continued lines joined, comment lines out, a quoted # kept", () => {
    const code = "# set-up\nB=http://h/x\ncurl -H 'a: #1' \\\n  $B/c   # 200 `\"ok\"`\n\ncurl -m 2 $B/d";
    expect(shellCommands(code)).toEqual([
      { command: "B=http://h/x", comment: "" },
      { command: "curl -H 'a: #1' $B/c", comment: '200 `"ok"`' },
      { command: "curl -m 2 $B/d", comment: "" },
    ]);
  });

  it.each([
    ["200 closed (magic id)", { status: 200, exitCode: 0, bodyContains: [] }],
    ['200 `"state":"closed"`, `"User"`', { status: 200, exitCode: 0, bodyContains: ['"state":"closed"', '"User"'] }],
    ["no answer: curl exits 28 after 1 s", { status: undefined, exitCode: 28, bodyContains: [] }],
    ["", { status: undefined, exitCode: 0, bodyContains: [] }],
  ])("reads the comment %j as an expectation", (comment, want) => {
    expect(expectation(comment)).toEqual(want);
  });
});

describe("code blocks of the README and docs", () => {
  it("are found: the parser sees the README's curl and example blocks", () => {
    expect(marked("curl").length).toBeGreaterThan(0);
    expect(marked("example").length).toBeGreaterThan(0);
  });

  it("each carry a marker of a known kind on the line right before the fence", () => {
    const unmarked = BLOCKS.filter((block) => !block.marker || !KINDS.includes(block.marker.kind));
    expect(
      unmarked.map(
        (block) => `${block.where} ${block.marker ? `has the unknown kind "${block.marker.kind}"` : "has no marker"}`,
      ),
      `every block needs one of: ${KINDS.map((kind) => `<!-- ${kind} -->`).join(", ")} (see this test's header)`,
    ).toEqual([]);
  });
});

describe("<!-- example: file --> blocks", () => {
  it.each(cases("example"))("%s equals its file, and a test runs that file", (_where, block) => {
    const path = block.marker?.argument ?? "";
    expect(normalised(block.code), `the block must show ${path} as it is`).toBe(normalised(read(path)));
    const basename = path.slice(path.lastIndexOf("/") + 1);
    const runners = [...testFiles("test"), ...testFiles("contracts")].filter((file) => {
      const source = read(file);
      return source.includes(path) || source.includes(basename);
    });
    expect(runners, `no file under test/ or contracts/ mentions ${path}: an example nobody runs`).not.toEqual([]);
  });
});

describe.concurrent("<!-- curl --> blocks, against an in-process fake", () => {
  it.each(cases("curl"))("%s: every command does what its comment says", async (_where, block) => {
    expect(block.code, "a curl block talks to the fake at the README's address").toContain(README_ORIGIN);
    const fake = await startMockServer({ port: 0 });
    const origin = `127.0.0.1:${fake.port}`;
    const failures: string[] = [];
    const assignments: string[] = [];
    try {
      for (const { command, comment } of shellCommands(block.code)) {
        const line = command.replaceAll(README_ORIGIN, origin);
        if (/^[A-Za-z_]\w*=\S*$/.test(line)) {
          assignments.push(line);
          continue;
        }
        if (!line.startsWith("curl ")) {
          failures.push(`${command}: not a curl command`);
          continue;
        }
        // set -u: a variable neither this block nor the line defines is an error, not an empty string.
        const script = ["set -u", `curl() { command curl -w '\\n%{http_code}' "$@"; }`, ...assignments, line];
        const result = await run("bash", ["-c", script.join("\n")]);
        const want = expectation(comment);
        const cut = result.stdout.lastIndexOf("\n");
        const status = Number(result.stdout.slice(cut + 1));
        const body = result.stdout.slice(0, Math.max(cut, 0));
        const problems = [
          result.status !== want.exitCode &&
            `curl exited ${result.status}, not ${want.exitCode} (${result.stderr.trim()})`,
          want.status !== undefined && status !== want.status && `status ${status}, not ${want.status}`,
          ...want.bodyContains.filter((text) => !body.includes(text)).map((text) => `the body lacks ${text}`),
        ].filter(Boolean);
        if (problems.length > 0)
          failures.push(`${command}  # ${comment}\n    ${problems.join("; ")}\n    body: ${body}`);
      }
    } finally {
      await fake.close();
    }
    expect(failures).toEqual([]);
  });
});

describe("<!-- npm --> blocks", () => {
  it.each(cases("npm"))("%s: CI runs each command, or its script accepts each flag and variable", async (_w, block) => {
    const problems = await Promise.all(shellCommands(block.code).map(({ command }) => npmProblems(command)));
    expect(problems.flat()).toEqual([]);
  });
});

describe("<!-- output --> blocks", () => {
  it.each(cases("output"))("%s is printed, not pasted: no language, and no command", (_where, block) => {
    expect(block.info, "an output block has no language (it would be shown as code)").toBe("");
    const commands = block.code.split("\n").filter((line) => /^\s*(\$ |npm |npx |node |curl |git )/.test(line));
    expect(commands, "a line of an output block reads as a command: mark the block as what it is").toEqual([]);
  });

  it.each(cases("output").filter(([, block]) => block.marker?.argument))(
    "%s is what its command prints",
    async (_where, block) => {
      expect(block.marker?.argument, "the only command run for its output is npm start").toBe("npm start");
      const printed = await (readyOutput ?? npmStartOutput());
      const missing = block.code.split("\n").filter((line) => !printed.includes(line));
      expect(missing, `npm start printed:\n${printed.join("\n")}`).toEqual([]);
    },
  );
});

describe("<!-- unchecked: why --> blocks", () => {
  it.each(cases("unchecked"))("%s says why it is not run", (_where, block) => {
    expect(block.marker?.argument.length, "give the reason after the colon").toBeGreaterThan(10);
  });
});
