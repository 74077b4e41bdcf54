// The drift check's write flow (--allow-writes), in a sandbox project: create (or reuse) an integration, read it,
// patch it, start a conversation, read it, close it, read it again, and delete what the flow created. Every answer
// is judged like any check; whatever fails half-way, what was created is removed, and the report says what.

import type { Check, Judge } from "./check.ts";
import type { DriftConfig } from "./config.ts";
import type { CheckId, CheckResult, DriftReport } from "./report.ts";
import type { Answer } from "./request.ts";

/** How the flow reaches Jelou: reads are retried, writes are sent once. */
export interface WriteTransport {
  get(path: string): Promise<Answer>;
  write(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<Answer>;
}

type Sandbox = NonNullable<DriftConfig["writes"]>;

const TEMPLATES = {
  integration: "/v1/external-support/{projectId}",
  start: "/v1/external-support/{projectId}/conversations/start",
  close: "/v1/external-support/{projectId}/conversations/close",
  conversation: "/v1/external-support/{projectId}/conversations/{conversationId}",
} as const;

const dataOf = (body: unknown): Record<string, unknown> | undefined => {
  const data = (body as { data?: unknown } | undefined)?.data;
  return typeof data === "object" && data !== null ? (data as Record<string, unknown>) : undefined;
};

/** Runs the write flow; resolves with its checks and what it created, removed or left in place. Never throws. */
export async function runWriteFlow(
  sandbox: Sandbox,
  auth: CheckResult["request"]["auth"],
  judge: Judge,
  transport: WriteTransport,
): Promise<{ results: CheckResult[]; writes: NonNullable<DriftReport["writes"]> }> {
  const project = `/v1/external-support/${encodeURIComponent(sandbox.projectId)}`;
  const pair = { botId: sandbox.botId, userId: sandbox.userId };
  const results: CheckResult[] = [];
  const writes: NonNullable<DriftReport["writes"]> = { created: [], removed: [], leftInPlace: [] };
  const check = (
    id: CheckId,
    title: string,
    method: NonNullable<Check["method"]>,
    path: string,
    template: string,
    expect: Check["expect"],
    extra: Partial<Check> = {},
  ): Check => ({ id, title, method, path, template, auth, expect, ...extra });
  const step = async (c: Check, send: () => Promise<Answer>) => {
    const { result, body } = await judge(c, send);
    results.push(result);
    return { ok: result.outcome === "pass", status: result.status, body };
  };

  let createdIntegration = false;
  let startSent = false;
  let conversationId: string | undefined;
  let closed = false;
  try {
    const created = await step(
      check(
        "write-create-integration",
        "create an integration (a 409 means one exists: it is reused, and left in place)",
        "POST",
        project,
        TEMPLATES.integration,
        { status: 200, operationId: "createIntegration" },
        { alsoAccepted: 409 },
      ),
      () => transport.write("POST", project, { webhookUrl: sandbox.webhookUrl, authType: "no_auth" }),
    );
    if (created.status === 200) {
      createdIntegration = true;
      writes.created.push("integration");
    } else if (created.status === 409) {
      writes.leftInPlace.push("integration (it existed before the run)");
    } else {
      // No answer (a timeout, a 5xx): Jelou may have created it all the same. Deleting what may not be ours is not
      // the flow's to do; saying so is.
      if (created.status === null || created.status >= 500) {
        writes.leftInPlace.push("integration (may exist: the create got no clear answer)");
      }
      return { results, writes };
    }

    const read = await step(
      check("write-get-integration", "read the integration", "GET", project, TEMPLATES.integration, {
        status: 200,
        operationId: "getIntegration",
      }),
      () => transport.get(project),
    );
    // The same webhook URL it has: a patch the flow can make to an integration it did not create, changing nothing.
    // Without it (the read failed), an integration the flow did not create is not patched at all.
    const current = dataOf(read.body)?.webhookUrl;
    const webhookUrl = typeof current === "string" ? current : createdIntegration ? sandbox.webhookUrl : undefined;
    if (webhookUrl !== undefined) {
      await step(
        check(
          "write-update-integration",
          "patch the integration (its own webhook URL)",
          "PATCH",
          project,
          TEMPLATES.integration,
          {
            status: 200,
            operationId: "updateIntegration",
          },
        ),
        () => transport.write("PATCH", project, { webhookUrl }),
      );
    }

    startSent = true;
    const started = await step(
      check(
        "write-start-conversation",
        "start a conversation with the sandbox user",
        "POST",
        `${project}/conversations/start`,
        TEMPLATES.start,
        {
          status: 200,
          operationId: "startConversation",
        },
      ),
      () => transport.write("POST", `${project}/conversations/start`, pair),
    );
    const id = dataOf(started.body)?._id;
    if (started.status !== 200 || typeof id !== "string") return { results, writes };
    conversationId = id;
    writes.created.push(`conversation ${id}`);
    const path = `${project}/conversations/${encodeURIComponent(id)}`;
    await step(
      check(
        "write-get-active-conversation",
        "read the conversation started: active",
        "GET",
        path,
        TEMPLATES.conversation,
        {
          status: 200,
          state: "active",
        },
      ),
      () => transport.get(path),
    );
    const closing = await step(
      check("write-close-conversation", "close it", "POST", `${project}/conversations/close`, TEMPLATES.close, {
        status: 200,
        operationId: "closeConversation",
      }),
      () => transport.write("POST", `${project}/conversations/close`, pair),
    );
    closed = closing.status === 200;
    if (closed) writes.removed.push(`conversation ${id} (closed)`);
    await step(
      check("write-get-closed-conversation", "read it again: closed", "GET", path, TEMPLATES.conversation, {
        status: 200,
        state: "closed",
      }),
      () => transport.get(path),
    );
  } finally {
    // Whatever happened above, what the flow opened is closed and what it created is deleted. A start sent without
    // a clear answer may have opened a conversation: close finds it by the bot and user, id or no id.
    if (startSent && !closed) {
      const name =
        conversationId === undefined ? "a conversation the start may have opened" : `conversation ${conversationId}`;
      const answer = await transport.write("POST", `${project}/conversations/close`, pair);
      const status = answer.kind === "response" ? answer.status : undefined;
      if (status === 200) writes.removed.push(`${name} (closed)`);
      // A 404 to a start that got no id: nothing was open, so nothing was left.
      else if (!(status === 404 && conversationId === undefined))
        writes.leftInPlace.push(`${name} (could not be closed)`);
    }
    if (createdIntegration) {
      const deleted = await step(
        check(
          "write-delete-integration",
          "delete the integration the flow created",
          "DELETE",
          project,
          TEMPLATES.integration,
          {
            status: 200,
            operationId: "deleteIntegration",
          },
        ),
        () => transport.write("DELETE", project),
      );
      if (deleted.status === 200) writes.removed.push("integration");
      else writes.leftInPlace.push("integration (could not be deleted)");
    }
  }
  return { results, writes };
}
