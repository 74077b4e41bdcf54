#!/usr/bin/env node
// The fake Jelou's command line: it parses flags and environment, then calls startMockServer. Nothing else.
// The server, the subcommands and their dependencies are imported only once they are needed: --help, --version and a
// usage error answer in about 0.15 s of CPU instead of 0.5 s.
import { readFileSync } from "node:fs";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { isAdminToken, isAllowedHostName } from "./admin-guard.ts";
import { type BasicCredential, parseBasicPair } from "./auth.ts";
import { MAX_JOURNAL_LIMIT } from "./journal.ts";
import { MAX_DELAY_MS, MAX_SHUTDOWN_GRACE_MS, MAX_WEBHOOK_RETRIES, MAX_WEBHOOK_TIMEOUT_MS } from "./limits.ts";
import { formatRequestLine, LOG_LEVELS, type LogLevel } from "./request-log.ts";
import { MAGIC_ID_PREFIXES, parseScenario, SCENARIOS, type Scenario, STATUS_ALIASES } from "./scenario.ts";
import { isWebhookHost } from "./webhooks/allow-list.ts";

const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;
const USAGE_HINT =
  "Usage: fake-jelou [options]   (fake-jelou --help lists every flag and environment variable; in the clone: npm start -- --help)";

/** A flag value that parses but cannot be used; its message never repeats the value. */
class UsageError extends Error {}

const integer = (name: string, min: number, max: number) => (value: string) => {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
  }
  return n;
};

// Credentials are split and checked after parsing, so that no error message ever repeats a secret.
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",")];

const help = `
Scenarios: ${SCENARIOS.join(", ")} (status codes ${[...STATUS_ALIASES.keys()].join(", ")} are aliases).
Each request's scenario comes from, in this order:
  1. the header X-Fake-Jelou-Scenario: <name>, or Prism's Prefer: code=<status> / Prefer: example=<name>
  2. a rule for that conversation (PUT /__admin/conversations/{projectId}/{conversationId}), else for that
     operation (PUT /__admin/operations/{operationId}[/{projectId}])
  3. a magic conversationId: ${[...MAGIC_ID_PREFIXES]
    .map(([prefix, scenario]) => `"${prefix}..." is ${scenario}`)
    .join(", ")}
  4. the server default (--scenario)
Bad credentials get a 401 whatever the scenario. Per request, X-Fake-Jelou-Delay: <ms> overrides --delay.

Routes (under /jelouapi, /platform or none):
  POST, GET, PATCH, DELETE /v1/external-support/{projectId}                (the project's integration)
  POST /v1/external-support/{projectId}/conversations/start | /close
  GET  /v1/external-support/{projectId}/conversations/{conversationId}
  POST /chatbot/v1/external-support/webhook                               (send-message, signed with X-Jelou-Signature)
Webhooks: start and close (and simulated user messages) POST signed events to the integration's webhookUrl;
        per request, X-Fake-Jelou-Webhook-Fault: bad-signature | no-auth | duplicate | out-of-order (docs/webhooks.md).
Admin:  /__admin/health, /__admin/scenario, /__admin/conversations, /__admin/operations, /__admin/state,
        /__admin/requests, /__admin/reset, /__admin/openapi.yaml, /__admin/openapi.json, /__admin/deliveries,
        /__admin/webhook-faults, /__admin/conversations/{projectId}/{conversationId}/messages (see README)
        Answered for loopback Host names (more with --allowed-host), or with Authorization: Bearer <--admin-token>;
        bound beyond loopback, a token is generated and printed. PUT/POST/DELETE need Content-Type: application/json.

Commands:
  fake-jelou verify-pact <pact>        verify a consumer's pact against a fake (fake-jelou verify-pact --help)
  fake-jelou validate-webhook <file|-> check captured webhook deliveries against the spec (... validate-webhook --help)

Examples:
  npx fake-jelou                      (in the clone: npm start, flags after --)
  npx fake-jelou --port 0 --scenario closed --seed ci-42
  FAKE_JELOU_API_KEYS=key-1,key-2 npx fake-jelou --log-level debug
  curl -H 'x-api-key: any' http://127.0.0.1:4010/jelouapi/v1/external-support/p1/conversations/closed-123`;

// The version users installed, from the package's own manifest: one folder above this file in the clone (mock/) and
// in the package (dist/).
function packageVersion(): string {
  const manifest = readFileSync(new URL("../package.json", import.meta.url), "utf8");
  return (JSON.parse(manifest) as { version: string }).version;
}

function program(): Command {
  return (
    new Command("fake-jelou")
      .description(
        "The fake Jelou: the Jelou External Support API (integrations, start, close, get conversation), stateful, with scenario switches.",
      )
      .version(packageVersion(), "--version", "print fake-jelou's version")
      .addOption(
        new Option("--port <n>", "TCP port; 0 picks a free one")
          .env("FAKE_JELOU_PORT")
          .default(4010)
          .argParser(integer("--port", 0, 65_535)),
      )
      .addOption(
        new Option("--host <address>", "interface to bind; 0.0.0.0 exposes the fake to your network")
          .env("FAKE_JELOU_HOST")
          .default("127.0.0.1"),
      )
      .addOption(
        new Option("--scenario <name>", "default scenario")
          .env("FAKE_JELOU_SCENARIO")
          .default("active")
          .argParser((value: string) => {
            if (!parseScenario(value)) throw new InvalidArgumentError(`valid scenarios: ${SCENARIOS.join(", ")}.`);
            return value;
          }),
      )
      .addOption(new Option("--seed <text>", "seed of the generated data").env("FAKE_JELOU_SEED").default("fake-jelou"))
      .addOption(
        new Option("--api-key <key>", "accept only this API key (repeatable; env: comma-separated)")
          .env("FAKE_JELOU_API_KEYS")
          .argParser(collect),
      )
      .addOption(
        new Option("--basic <id:secret>", "accept only this Basic pair (repeatable; env: comma-separated)")
          .env("FAKE_JELOU_BASIC")
          .argParser(collect),
      )
      .addOption(
        new Option("--delay <ms>", `delay before every response, up to ${MAX_DELAY_MS}`)
          .env("FAKE_JELOU_DELAY_MS")
          .default(0)
          .argParser(integer("--delay", 0, MAX_DELAY_MS)),
      )
      .addOption(
        new Option("--shutdown-grace <ms>", "on SIGTERM/SIGINT, how long requests in flight may take to finish")
          .env("FAKE_JELOU_SHUTDOWN_GRACE_MS")
          .default(5_000)
          .argParser(integer("--shutdown-grace", 0, MAX_SHUTDOWN_GRACE_MS)),
      )
      .addOption(new Option("--no-admin", "do not serve the admin API under /__admin (env: FAKE_JELOU_ADMIN=off)"))
      .addOption(
        new Option(
          "--admin-token <token>",
          "require Authorization: Bearer <token> on /__admin (generated and printed when --host is not loopback)",
        ).env("FAKE_JELOU_ADMIN_TOKEN"),
      )
      .addOption(
        new Option(
          "--allowed-host <name>",
          "without a token, also answer /__admin for this Host name (repeatable; env: comma-separated)",
        )
          .env("FAKE_JELOU_ALLOWED_HOSTS")
          .argParser(collect),
      )
      .addOption(
        new Option("--state <file>", "start with this state (JSON, as GET /__admin/state exports it)").env(
          "FAKE_JELOU_STATE",
        ),
      )
      .addOption(
        new Option(
          "--require-https-webhooks",
          "accept only public https webhook URLs, as Jelou does (env: FAKE_JELOU_REQUIRE_HTTPS_WEBHOOKS=on)",
        ),
      )
      .addOption(
        new Option("--webhook-retries <n>", "retries of a failed webhook delivery, with exponential back-off")
          .env("FAKE_JELOU_WEBHOOK_RETRIES")
          .default(0)
          .argParser(integer("--webhook-retries", 0, MAX_WEBHOOK_RETRIES)),
      )
      .addOption(
        new Option("--webhook-timeout <ms>", "how long one webhook delivery attempt may take")
          .env("FAKE_JELOU_WEBHOOK_TIMEOUT_MS")
          .default(20_000)
          .argParser(integer("--webhook-timeout", 1, MAX_WEBHOOK_TIMEOUT_MS)),
      )
      .addOption(
        new Option(
          "--webhook-allow <host>",
          "also deliver webhooks to this host; beyond loopback, only to these (repeatable; env: comma-separated)",
        )
          .env("FAKE_JELOU_WEBHOOK_ALLOW")
          .argParser(collect),
      )
      .addOption(
        new Option("--log-level <level>", "request logging")
          .env("FAKE_JELOU_LOG_LEVEL")
          .choices(LOG_LEVELS)
          .default("info"),
      )
      .addOption(
        new Option("--journal-size <n>", "requests kept by GET /__admin/requests")
          .env("FAKE_JELOU_JOURNAL_SIZE")
          .default(1000)
          .argParser(integer("--journal-size", 0, MAX_JOURNAL_LIMIT)),
      )
      .addOption(
        new Option("--now <date>", "generated dates lie before this instant (default: today's UTC midnight)")
          .env("FAKE_JELOU_NOW")
          .argParser((value: string) => {
            if (Number.isNaN(Date.parse(value)))
              throw new InvalidArgumentError("expected an ISO 8601 date, e.g. 2026-01-15T00:00:00Z.");
            return value;
          }),
      )
      .addHelpText("after", help)
      .showHelpAfterError(USAGE_HINT)
      // A mistyped flag such as --basics=id:secret must not be echoed with its value.
      .configureOutput({ outputError: (text, write) => write(text.replace(/'(--?[\w-]+)=[^']*'/g, "'$1=…'")) })
      .exitOverride()
  );
}

interface CliOptions {
  port: number;
  host: string;
  scenario: string;
  seed: string;
  apiKey?: string[];
  basic?: string[];
  delay: number;
  shutdownGrace: number;
  admin: boolean;
  adminToken?: string;
  allowedHost?: string[];
  logLevel: LogLevel;
  journalSize: number;
  now?: string;
  state?: string;
  requireHttpsWebhooks?: boolean;
  webhookRetries: number;
  webhookTimeout: number;
  webhookAllow?: string[];
}

const SWITCH_VALUES: ReadonlyMap<string, boolean> = new Map([
  ["on", true],
  ["true", true],
  ["1", true],
  ["off", false],
  ["false", false],
  ["0", false],
]);

// Commander turns a boolean flag on for any value of its env var, so "FAKE_JELOU_ADMIN=off" would switch it on;
// these env vars are read here instead, and the flag on the command line wins over them.
function switchOf(command: Command, flag: "admin" | "requireHttpsWebhooks", env: string, fallback: boolean): boolean {
  const value = process.env[env];
  if (command.getOptionValueSource(flag) === "cli" || value === undefined) return fallback;
  const on = SWITCH_VALUES.get(value.trim().toLowerCase());
  if (on === undefined) throw new UsageError(`${env} must be on or off (also true/false, 1/0).`);
  return on;
}

// The state file is read here so that its problems are usage errors; its content (secrets) is never repeated.
function stateFile(path: string | undefined): unknown {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--state / FAKE_JELOU_STATE: cannot read ${path} (${(error as NodeJS.ErrnoException).code}).`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--state / FAKE_JELOU_STATE: ${path} is not valid JSON (content not shown).`);
  }
}

function credentials(options: CliOptions): { apiKeys: string[]; basic: BasicCredential[] } {
  const apiKeys = (options.apiKey ?? []).map((k) => k.trim());
  if (apiKeys.some((k) => k === "")) throw new UsageError("--api-key / FAKE_JELOU_API_KEYS has an empty key.");
  const basic = (options.basic ?? []).map((pair) => {
    const parsed = parseBasicPair(pair.trim());
    if (!parsed) {
      throw new UsageError(
        "--basic / FAKE_JELOU_BASIC expects clientId:clientSecret, both non-empty (value not shown).",
      );
    }
    return parsed;
  });
  const badHost = (options.allowedHost ?? []).find((name) => !isAllowedHostName(name.trim()));
  if (badHost !== undefined) {
    throw new UsageError(
      `--allowed-host / FAKE_JELOU_ALLOWED_HOSTS takes host names without scheme or port (e.g. fake-jelou.test), not "${badHost.slice(0, 100)}".`,
    );
  }
  const badWebhookHost = (options.webhookAllow ?? []).find((name) => !isWebhookHost(name.trim()));
  if (badWebhookHost !== undefined) {
    throw new UsageError(
      `--webhook-allow / FAKE_JELOU_WEBHOOK_ALLOW takes host names or IP addresses without scheme or port (e.g. hooks.example.com, .example.com for its subdomains, 10.0.0.5), not "${badWebhookHost.slice(0, 100)}".`,
    );
  }
  if (options.adminToken !== undefined && !isAdminToken(options.adminToken)) {
    throw new UsageError(
      "--admin-token / FAKE_JELOU_ADMIN_TOKEN must be 1 to 1024 visible ASCII characters, without spaces (value not shown).",
    );
  }
  return { apiKeys, basic };
}

async function main(argv: string[]): Promise<void> {
  let options: CliOptions;
  let auth: ReturnType<typeof credentials>;
  let state: unknown;
  try {
    const command = program().parse(argv, { from: "node" });
    options = command.opts<CliOptions>();
    options.admin = switchOf(command, "admin", "FAKE_JELOU_ADMIN", options.admin);
    options.requireHttpsWebhooks = switchOf(
      command,
      "requireHttpsWebhooks",
      "FAKE_JELOU_REQUIRE_HTTPS_WEBHOOKS",
      options.requireHttpsWebhooks ?? false,
    );
    auth = credentials(options);
    state = stateFile(options.state);
  } catch (error) {
    // Commander has already printed its own errors, with the usage hint; ours still need saying.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    console.error(`error: ${(error as Error).message}\n${USAGE_HINT}`);
    process.exit(EXIT_USAGE);
  }

  const level = options.logLevel;
  const { startMockServer } = await import("./http/server.ts");
  const server = await startMockServer({
    port: options.port,
    host: options.host,
    scenario: parseScenario(options.scenario) as Scenario,
    seed: options.seed,
    apiKeys: auth.apiKeys,
    basic: auth.basic,
    delayMs: options.delay,
    shutdownGraceMs: options.shutdownGrace,
    admin: options.admin,
    ...(options.adminToken !== undefined && { adminToken: options.adminToken }),
    allowedHosts: (options.allowedHost ?? []).map((name) => name.trim()).filter((name) => name !== ""),
    journalLimit: options.journalSize,
    ...(options.now !== undefined && { now: options.now }),
    ...(state !== undefined && { state }),
    requireHttpsWebhooks: options.requireHttpsWebhooks,
    webhookRetries: options.webhookRetries,
    webhookTimeoutMs: options.webhookTimeout,
    ...(options.webhookAllow !== undefined && {
      webhookAllow: options.webhookAllow.map((name) => name.trim()).filter((name) => name !== ""),
    }),
    onRequest: (entry) => {
      const line = formatRequestLine(entry, level);
      if (line) console.log(line);
    },
  });

  const authMode =
    auth.apiKeys.length + auth.basic.length === 0
      ? "any non-empty credential"
      : `${auth.apiKeys.length} API key(s), ${auth.basic.length} Basic pair(s)`;
  const adminMode = !options.admin
    ? "admin off"
    : options.adminToken !== undefined
      ? // The token the user chose is theirs to keep out of logs: the URL says where it goes, not what it is.
        `admin on, token required, console: ${server.consoleUrl?.split("?")[0]}?token=<admin token>`
      : server.adminToken !== undefined
        ? `admin on, admin token: ${server.adminToken}, console: ${server.consoleUrl}`
        : `admin on, loopback hosts only, console: ${server.consoleUrl}`;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`fake-jelou: ${signal} again, exiting without waiting for in-flight requests.`);
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    console.log(
      `fake-jelou: ${signal} received, finishing in-flight requests (connections still open in ${options.shutdownGrace} ms are closed).`,
    );
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`fake-jelou: failed to close cleanly: ${(error as Error).message}`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // Only now: a script that waits for this line and then signals must find the handlers in place.
  console.log(
    `fake-jelou ready on ${server.baseUrl} (scenario ${server.scenario()}, seed "${options.seed}", auth: ${authMode}, ${adminMode})`,
  );
}

const subcommand = process.argv[2];
let run: Promise<void>;
if (subcommand === "verify-pact") {
  run = import("./verify-pact-cli.ts")
    .then(({ runVerifyPactCli }) => runVerifyPactCli(process.argv.slice(3)))
    .then((code) => process.exit(code));
} else if (subcommand === "validate-webhook") {
  // exitCode, not exit(): a report piped to another process is written asynchronously, and exit() would cut it short.
  run = import("./validate-webhook-cli.ts")
    .then(({ runValidateWebhookCli }) => runValidateWebhookCli(process.argv.slice(3)))
    .then((code) => {
      process.exitCode = code;
    });
} else {
  run = main(process.argv);
}
run.catch(async (error: unknown) => {
  // These errors come from the modules main() imported: importing them again costs nothing.
  const [{ MockListenError }, { SpecLoadError }, { MockConfigError }] = await Promise.all([
    import("./http/server.ts"),
    import("../spec/load-spec.ts"),
    import("./options.ts"),
  ]);
  if (error instanceof MockListenError || error instanceof SpecLoadError) {
    console.error(`fake-jelou: ${error.message}`);
    process.exit(EXIT_FAILURE);
  }
  // A value the library refused (a --state it cannot load): a usage error like any other.
  if (error instanceof MockConfigError) {
    console.error(`error: ${error.message}\n${USAGE_HINT}`);
    process.exit(EXIT_USAGE);
  }
  console.error("fake-jelou: unexpected failure:", error);
  process.exit(EXIT_FAILURE);
});
