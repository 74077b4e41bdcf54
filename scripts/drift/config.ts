// The drift check's configuration: environment first, flags override. Pure: argv and env are parameters.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";

export const DEFAULT_BASE_URL = "https://gateway.jelou.ai/jelouapi";

export type Credentials =
  | { kind: "api-key"; apiKey: string }
  | { kind: "basic"; clientId: string; clientSecret: string };

export interface DriftConfig {
  baseUrl: string;
  projectId: string;
  conversationId: string;
  closedConversationId?: string;
  activeConversationId?: string;
  missingConversationId: string;
  credentials: Credentials;
  reportDir: string;
  strict: boolean;
  showValues: boolean;
  timeoutMs: number;
  retries: number;
  maxDurationMs: number;
  /** With --allow-writes: where the write flow may create, change and delete (a sandbox project, a test user). */
  writes?: { projectId: string; botId: string; userId: string; webhookUrl: string };
}

/** Configuration that cannot work: exit 2, saying which variable or flag. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

export const USAGE = `Usage: npm run verify:live [-- options]
Calls Jelou's Get Conversation and Get Integration (GET only; with --allow-writes, also the write flow in a sandbox
project) and reports where they differ from spec/.

Environment (flags override):
  JELOU_BASE_URL                 default ${DEFAULT_BASE_URL}              (--base-url)
  JELOU_PROJECT_ID               required                                   (--project-id)
  JELOU_CONVERSATION_ID          required: a conversation that exists       (--conversation-id)
  JELOU_CLOSED_CONVERSATION_ID   optional: one that is closed               (--closed-conversation-id)
  JELOU_ACTIVE_CONVERSATION_ID   optional: one that is active               (--active-conversation-id)
  JELOU_MISSING_CONVERSATION_ID  default missing-<random>                   (--missing-conversation-id)
  JELOU_API_KEY, or JELOU_CLIENT_ID + JELOU_CLIENT_SECRET (environment only, never flags)
Options:
  --report-dir <dir>    where reports go (default reports/)
  --strict              warnings fail the run too (exit 1)
  --timeout <ms>        per request (default 10000)
  --retries <n>         retries on network errors, timeouts, 429 and every 5xx (default 3)
  --max-duration <ms>   hard cap on the whole run (default 120000)
  --show-values         put observed values in reports (end users' data: off by default)
  --allow-writes        also run the write flow: create (or reuse) an integration, get, patch, start a
                        conversation, get it, close it, get it, delete what was created; needs:
    JELOU_SANDBOX_PROJECT_ID   a project the check may write to                 (--sandbox-project-id)
    JELOU_SANDBOX_BOT_ID, JELOU_SANDBOX_USER_ID   a bot and a test user of it    (--sandbox-bot-id, --sandbox-user-id)
    JELOU_SANDBOX_WEBHOOK_URL  the webhook of an integration it creates          (--sandbox-webhook-url)
Exit codes: 0 conformant, 1 breaking drift (or warnings with --strict), 2 configuration, 3 Jelou unreachable,
4 verify:live itself failed (a bug: please report it).`;

const integer = (name: string, value: string | undefined, fallback: number, min: number, max: number): number => {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}.`);
  return n;
};

/** Reads argv and env into a config, or throws ConfigError naming what is missing or wrong. */
export function readConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DriftConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        "base-url": { type: "string" },
        "project-id": { type: "string" },
        "conversation-id": { type: "string" },
        "closed-conversation-id": { type: "string" },
        "active-conversation-id": { type: "string" },
        "missing-conversation-id": { type: "string" },
        "report-dir": { type: "string" },
        strict: { type: "boolean" },
        timeout: { type: "string" },
        retries: { type: "string" },
        "max-duration": { type: "string" },
        "show-values": { type: "boolean" },
        "allow-writes": { type: "boolean" },
        "sandbox-project-id": { type: "string" },
        "sandbox-bot-id": { type: "string" },
        "sandbox-user-id": { type: "string" },
        "sandbox-webhook-url": { type: "string" },
      },
    }));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const pick = (flag: string, variable: string): string | undefined => {
    const value = (values[flag] as string | undefined) ?? env[variable];
    return value?.trim() ? value.trim() : undefined;
  };
  const require = (flag: string, variable: string): string => {
    const value = pick(flag, variable);
    if (!value) throw new ConfigError(`${variable} is not set (or pass --${flag}).`);
    return value;
  };

  const baseUrl = (pick("base-url", "JELOU_BASE_URL") ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new ConfigError("JELOU_BASE_URL must be an absolute http(s) URL.");
  if (url.username || url.password)
    throw new ConfigError("JELOU_BASE_URL must not carry user:password@; use JELOU_API_KEY or JELOU_CLIENT_ID/SECRET.");

  const projectId = require("project-id", "JELOU_PROJECT_ID");
  const conversationId = require("conversation-id", "JELOU_CONVERSATION_ID");
  const closedConversationId = pick("closed-conversation-id", "JELOU_CLOSED_CONVERSATION_ID");
  const activeConversationId = pick("active-conversation-id", "JELOU_ACTIVE_CONVERSATION_ID");
  // Unknown to production, and not the fake's magic-id "closed-" either: a clean 404 on both.
  const missingConversationId =
    pick("missing-conversation-id", "JELOU_MISSING_CONVERSATION_ID") ?? `missing-${randomBytes(8).toString("hex")}`;

  const apiKey = env.JELOU_API_KEY?.trim();
  const clientId = env.JELOU_CLIENT_ID?.trim();
  const clientSecret = env.JELOU_CLIENT_SECRET;
  let credentials: Credentials;
  if (apiKey && (clientId || clientSecret)) {
    throw new ConfigError("Set JELOU_API_KEY or JELOU_CLIENT_ID + JELOU_CLIENT_SECRET, not both.");
  } else if (apiKey) {
    credentials = { kind: "api-key", apiKey };
  } else if (clientId && clientSecret) {
    if (clientId.includes(":")) throw new ConfigError("JELOU_CLIENT_ID must not contain ':'.");
    credentials = { kind: "basic", clientId, clientSecret };
  } else if (clientId || clientSecret) {
    throw new ConfigError(`${clientId ? "JELOU_CLIENT_SECRET" : "JELOU_CLIENT_ID"} is not set (Basic needs both).`);
  } else {
    throw new ConfigError("JELOU_API_KEY is not set (or set JELOU_CLIENT_ID and JELOU_CLIENT_SECRET for Basic).");
  }

  // Writes happen only when asked for, and only where named: a project of their own, never JELOU_PROJECT_ID by default.
  let writes: DriftConfig["writes"];
  if (values["allow-writes"] === true) {
    const need = (flag: string, variable: string) => {
      const value = pick(flag, variable);
      if (!value) throw new ConfigError(`--allow-writes needs ${variable} (or --${flag}).`);
      return value;
    };
    writes = {
      projectId: need("sandbox-project-id", "JELOU_SANDBOX_PROJECT_ID"),
      botId: need("sandbox-bot-id", "JELOU_SANDBOX_BOT_ID"),
      userId: need("sandbox-user-id", "JELOU_SANDBOX_USER_ID"),
      webhookUrl: need("sandbox-webhook-url", "JELOU_SANDBOX_WEBHOOK_URL"),
    };
  }

  return {
    baseUrl,
    projectId,
    conversationId,
    ...(closedConversationId && { closedConversationId }),
    ...(activeConversationId && { activeConversationId }),
    missingConversationId,
    credentials,
    reportDir: (values["report-dir"] as string | undefined) ?? "reports",
    strict: values.strict === true,
    showValues: values["show-values"] === true,
    timeoutMs: integer("--timeout", values.timeout as string | undefined, 10_000, 1, 300_000),
    retries: integer("--retries", values.retries as string | undefined, 3, 0, 10),
    maxDurationMs: integer("--max-duration", values["max-duration"] as string | undefined, 120_000, 1_000, 3_600_000),
    ...(writes && { writes }),
  };
}
