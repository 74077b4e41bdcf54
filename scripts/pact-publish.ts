// Publishes the pacts in contracts/pacts/ to a Pact Broker through its documented HTTP API
// (POST {broker}/contracts/publish), versioned by the git SHA. The token never reaches the output.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const EXIT_CONFIG = 2;
const EXIT_FAILED = 1;
const root = resolve(import.meta.dirname, "..");

const usage = `Usage: npm run pact:publish [-- --pact-dir <dir>]
Environment:
  PACT_BROKER_BASE_URL    the broker, e.g. https://your-org.pactflow.io (required)
  PACT_BROKER_TOKEN       bearer token; or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD for Basic auth
  PACT_CONSUMER_VERSION   the version to publish (default: git rev-parse HEAD)
  PACT_BROKER_BRANCH      the branch to record (default: the current git branch)`;

const secrets: string[] = [];
/** Writes a line with every secret removed. */
const redact = (text: string) => secrets.reduce((t, s) => t.replaceAll(s, "[redacted]"), text);
const say = (stream: NodeJS.WriteStream, text: string) => stream.write(`${redact(text)}\n`);
function fail(code: number, text: string): never {
  say(process.stderr, text);
  process.exit(code);
}

let pactDir = join(root, "contracts/pacts");
try {
  const { values } = parseArgs({ options: { "pact-dir": { type: "string" }, help: { type: "boolean" } } });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values["pact-dir"]) pactDir = resolve(values["pact-dir"]);
} catch (error) {
  fail(EXIT_CONFIG, `${(error as Error).message}\n${usage}`);
}

const env = process.env;
const token = env.PACT_BROKER_TOKEN?.trim();
const username = env.PACT_BROKER_USERNAME?.trim();
const password = env.PACT_BROKER_PASSWORD ?? "";
for (const secret of [
  token,
  password,
  username && password && Buffer.from(`${username}:${password}`).toString("base64"),
]) {
  if (secret) secrets.push(secret);
}

const brokerText = env.PACT_BROKER_BASE_URL?.trim();
if (!brokerText) fail(EXIT_CONFIG, `Failed to publish: PACT_BROKER_BASE_URL is not set.\n${usage}`);
let broker: URL;
try {
  broker = new URL(brokerText);
} catch {
  broker = fail(EXIT_CONFIG, "Failed to publish: PACT_BROKER_BASE_URL is not an absolute URL.");
}
if (broker.username || broker.password) {
  fail(
    EXIT_CONFIG,
    "Failed to publish: put broker credentials in PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD, not in the URL.",
  );
}
if (!token && !(username && password)) {
  fail(EXIT_CONFIG, "Failed to publish: set PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD.");
}

const git = (...args: string[]): string | undefined => {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
};
const version = env.PACT_CONSUMER_VERSION?.trim() || git("rev-parse", "HEAD");
if (!version) fail(EXIT_CONFIG, "Failed to publish: no git SHA here; set PACT_CONSUMER_VERSION.");
const branch = env.PACT_BROKER_BRANCH?.trim() || git("rev-parse", "--abbrev-ref", "HEAD");

let files: string[] = [];
try {
  files = readdirSync(pactDir).filter((f) => f.endsWith(".json"));
} catch {
  files = [];
}
if (files.length === 0) fail(EXIT_CONFIG, `Failed to publish: no pact files in ${pactDir}. Run npm test first.`);

const contracts = files.map((file) => {
  const text = readFileSync(join(pactDir, file), "utf8");
  let pact: { consumer?: { name?: unknown }; provider?: { name?: unknown } };
  try {
    pact = JSON.parse(text);
  } catch {
    pact = {};
  }
  const consumerName = pact.consumer?.name;
  const providerName = pact.provider?.name;
  if (typeof consumerName !== "string" || typeof providerName !== "string") {
    return fail(
      EXIT_CONFIG,
      `Failed to publish: ${file} is not a pact file (JSON with consumer.name and provider.name).`,
    );
  }
  return {
    consumerName,
    providerName,
    specification: "pact",
    contentType: "application/json",
    content: Buffer.from(text).toString("base64"),
  };
});
const consumers = [...new Set(contracts.map((c) => c.consumerName))];
if (consumers.length !== 1)
  fail(EXIT_CONFIG, `Failed to publish: one consumer per run, found ${consumers.join(", ")}.`);

const body = {
  pacticipantName: consumers[0],
  pacticipantVersionNumber: version,
  ...(branch && branch !== "HEAD" && { branch }),
  contracts,
};
const authorization = token ? `Bearer ${token}` : `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
const endpoint = new URL("contracts/publish", broker.href.endsWith("/") ? broker.href : `${broker.href}/`);

let response: Response;
try {
  response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/hal+json, application/json",
      Authorization: authorization,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
} catch (error) {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  fail(EXIT_FAILED, `Failed to publish to ${broker.origin}: ${cause}.`);
}
const text = await response.text();
if (!response.ok) {
  fail(
    EXIT_FAILED,
    // Redact the whole answer before shortening it: a cut could split a token and leave its prefix unredacted.
    `Failed to publish to ${broker.origin}: the broker answered ${response.status}.\n${redact(text).slice(0, 2000)}`,
  );
}
say(
  process.stdout,
  `Published ${contracts.length} pact(s) of ${consumers[0]} version ${version}${body.branch ? ` (branch ${body.branch})` : ""} to ${broker.origin}.`,
);
try {
  const notices = (JSON.parse(text) as { notices?: { text?: string }[] }).notices ?? [];
  for (const notice of notices) if (notice.text) say(process.stdout, `  ${notice.text}`);
} catch {
  // A broker that answers without JSON notices has still accepted the pacts.
}
