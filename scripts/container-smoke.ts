// The smoke test of a running fake-jelou container (or of the same start without an engine): it serves a
// conversation, refuses a request without credentials, answers its health check, and guards its admin API.
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** What the smoke test found wrong; empty when the fake at `origin` behaves. */
export async function smokeTest(origin: string, adminToken: string): Promise<string[]> {
  const problems: string[] = [];
  const expectStatus = async (what: string, path: string, headers: Record<string, string>, status: number) => {
    const response = await fetch(`${origin}${path}`, { headers, signal: AbortSignal.timeout(5_000) });
    const body = await response.text();
    if (response.status !== status) problems.push(`${what}: expected ${status}, got ${response.status}: ${body}`);
    return body;
  };
  const conversation = "/jelouapi/v1/external-support/my-project/conversations/closed-1";
  const body = await expectStatus("a conversation with a key", conversation, { "x-api-key": "any-key" }, 200);
  if (!body.includes('"state":"closed"'))
    problems.push(`a conversation with a key: not a closed conversation: ${body}`);
  await expectStatus("a conversation without credentials", conversation, {}, 401);
  await expectStatus("the health check", "/__admin/health", {}, 200);
  await expectStatus("the admin API without the token", "/__admin/requests", {}, 401);
  await expectStatus(
    "the admin API with the token",
    "/__admin/requests",
    { authorization: `Bearer ${adminToken}` },
    200,
  );
  return problems;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { origin: { type: "string" }, "admin-token-env": { type: "string" } } });
  const tokenEnv = values["admin-token-env"] ?? "FAKE_JELOU_ADMIN_TOKEN";
  const token = process.env[tokenEnv];
  if (!values.origin || !token) {
    console.error(`Usage: container-smoke --origin http://127.0.0.1:4010 (the admin token in $${tokenEnv})`);
    process.exit(2);
  }
  const problems = await smokeTest(values.origin, token);
  for (const problem of problems) console.error(`fake-jelou smoke test: ${problem}`);
  if (problems.length === 0) console.log(`fake-jelou smoke test: ${values.origin} passed`);
  process.exit(problems.length === 0 ? 0 : 1);
}

// Compared as real paths: a symlinked checkout must not turn the CI step into one that tests nothing.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) await main();
