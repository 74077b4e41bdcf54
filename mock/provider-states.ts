// Pact provider states the fake understands: a consumer's pact names them (`given(...)`), and verifying it against
// the fake puts the fake in each one before its interaction. A state's values come from its Pact parameters, or from
// the state's name itself when the consumer wrote them there ("conversation c-1 is active").

/** A state's values by placeholder name, e.g. `{projectId: "p1", conversationId: "c1"}`. */
export type StateParams = Readonly<Record<string, unknown>>;

/** What putting the fake in a state means, in the terms of its world. */
export type StateAction =
  | {
      kind: "conversation-rule";
      projectId: string;
      conversationId: string;
      scenario: "active" | "closed" | "not-found";
    }
  | {
      kind: "integration";
      projectId: string;
      webhookUrl: string;
      authType: "bearer" | "api_key" | "basic" | "no_auth";
      authorization?: string;
    }
  | { kind: "no-integration"; projectId: string }
  | { kind: "active-conversation"; projectId: string; botId: string; userId: string; conversationId?: string }
  | { kind: "no-active-conversation"; projectId: string; botId: string; userId: string }
  | { kind: "unknown-bot"; projectId: string }
  | { kind: "default-scenario"; scenario: "server-error" | "unauthorized" };

interface StateTemplate {
  /** The name as documented, with `{placeholders}`. */
  name: string;
  /** Placeholders that must have a value; the template's own are always required. */
  required: readonly string[];
  action(values: Record<string, string>, params: StateParams): StateAction;
}

const AUTH_TYPES = ["bearer", "api_key", "basic", "no_auth"] as const;

/** Every provider state the fake understands, in the order the documentation lists them. */
export const PROVIDER_STATES: readonly StateTemplate[] = [
  ...(["active", "closed"] as const).map((scenario) => ({
    name: `conversation {conversationId} is ${scenario}`,
    required: ["projectId"],
    action: (v: Record<string, string>): StateAction => ({
      kind: "conversation-rule",
      projectId: v.projectId as string,
      conversationId: v.conversationId as string,
      scenario,
    }),
  })),
  {
    name: "conversation {conversationId} does not exist",
    required: ["projectId"],
    action: (v) => ({
      kind: "conversation-rule",
      projectId: v.projectId as string,
      conversationId: v.conversationId as string,
      scenario: "not-found",
    }),
  },
  {
    name: "project {projectId} has an integration",
    required: [],
    action: (v, params) => {
      const authType = AUTH_TYPES.find((type) => type === params.authType) ?? "no_auth";
      return {
        kind: "integration",
        projectId: v.projectId as string,
        webhookUrl: typeof params.webhookUrl === "string" ? params.webhookUrl : "https://example.com/webhook/jelou",
        authType,
        ...(authType !== "no_auth" && {
          authorization: typeof params.authorization === "string" ? params.authorization : "pact-webhook-credential",
        }),
      };
    },
  },
  {
    name: "no integration exists for project {projectId}",
    required: [],
    action: (v) => ({ kind: "no-integration", projectId: v.projectId as string }),
  },
  {
    name: "bot {botId} and user {userId} have an active conversation in project {projectId}",
    required: [],
    action: (v, params) => ({
      kind: "active-conversation",
      projectId: v.projectId as string,
      botId: v.botId as string,
      userId: v.userId as string,
      ...(typeof params.conversationId === "string" && { conversationId: params.conversationId }),
    }),
  },
  {
    name: "bot {botId} and user {userId} have no active conversation in project {projectId}",
    required: [],
    action: (v) => ({
      kind: "no-active-conversation",
      projectId: v.projectId as string,
      botId: v.botId as string,
      userId: v.userId as string,
    }),
  },
  {
    name: "bot {botId} does not exist in project {projectId}",
    required: [],
    action: (v) => ({ kind: "unknown-bot", projectId: v.projectId as string }),
  },
  { name: "jelou fails", required: [], action: () => ({ kind: "default-scenario", scenario: "server-error" }) },
  {
    name: "the credentials are rejected",
    required: [],
    action: () => ({ kind: "default-scenario", scenario: "unauthorized" }),
  },
];

const placeholders = (name: string) => [...name.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// A template as a pattern over state names: each placeholder matches either itself, literally (the value is then a
// parameter), or a value written in the name.
function pattern(name: string): RegExp {
  const parts = name.split(/(\{\w+\})/);
  const source = parts
    .map((part) => {
      const placeholder = /^\{(\w+)\}$/.exec(part)?.[1];
      return placeholder ? `(?<${placeholder}>.+?)` : escapeRegex(part);
    })
    .join("");
  return new RegExp(`^${source}$`, "i");
}
const PATTERNS = PROVIDER_STATES.map((template) => ({ template, regex: pattern(template.name) }));

/** What a named state asks of the fake, or why it cannot be understood (an unknown name, a missing value). */
export function parseProviderState(
  state: string,
  params: StateParams = {},
): { ok: true; action: StateAction } | { ok: false; message: string } {
  for (const { template, regex } of PATTERNS) {
    const match = regex.exec(state.trim());
    if (!match) continue;
    const values: Record<string, string> = {};
    for (const key of [...placeholders(template.name), ...template.required]) {
      const fromParams = params[key];
      const fromName = match.groups?.[key];
      const value =
        typeof fromParams === "string" || typeof fromParams === "number"
          ? String(fromParams)
          : fromName !== undefined && fromName !== `{${key}}`
            ? fromName
            : undefined;
      if (value === undefined || value === "") {
        return {
          ok: false,
          message: `Provider state "${state.slice(0, 200)}" needs a value for ${key}: a Pact parameter "${key}"${template.name.includes(`{${key}}`) ? " or the value in the state's name" : ""}.`,
        };
      }
      values[key] = value;
    }
    return { ok: true, action: template.action(values, params) };
  }
  return {
    ok: false,
    message: `Unknown provider state "${state.slice(0, 200)}". The fake understands: ${PROVIDER_STATES.map((t) => `"${t.name}"`).join(", ")}.`,
  };
}
