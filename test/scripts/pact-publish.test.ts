import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runScriptAsync } from "../helpers/run-bin.ts";
import { answer, type ScriptedServer, startScriptedServer } from "../helpers/scripted-server.ts";

const TOKEN = "SECRET-broker-token-51f0";
const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-publish-"));
const pactFile = join(scratch, "consumer-provider.json");
const pactText = JSON.stringify({
  consumer: { name: "fake-jelou-client" },
  provider: { name: "jelou" },
  interactions: [],
});
writeFileSync(pactFile, pactText);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the publish script with a clean environment plus `env`. */
async function publish(env: Record<string, string>, ...args: string[]) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("PACT_")));
  const run = await runScriptAsync("scripts/pact-publish.ts", ["--pact-dir", scratch, ...args], { ...clean, ...env });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

let broker: ScriptedServer;
let bodies: string[];
beforeAll(async () => {
  bodies = [];
  broker = await startScriptedServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => {
      text += chunk;
    });
    req.on("end", () => {
      bodies.push(text);
      answer(200, { notices: [{ type: "success", text: "Pact published" }] })(req, res);
    });
  });
});
afterAll(() => broker.close());

describe("npm run pact:publish", () => {
  it("posts the pacts to {broker}/contracts/publish with the git SHA, the branch and a bearer token", async () => {
    const run = await publish({
      PACT_BROKER_BASE_URL: `${broker.url}/base`,
      PACT_BROKER_TOKEN: TOKEN,
      PACT_BROKER_BRANCH: "main",
    });
    expect(run.status).toBe(0);
    const request = broker.requests.at(-1);
    expect(request).toMatchObject({ method: "POST", url: "/base/contracts/publish" });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const body = JSON.parse(bodies.at(-1) ?? "{}");
    expect(body).toMatchObject({
      pacticipantName: "fake-jelou-client",
      pacticipantVersionNumber: expect.stringMatching(/^[0-9a-f]{40}$/),
      branch: "main",
      contracts: [
        {
          consumerName: "fake-jelou-client",
          providerName: "jelou",
          specification: "pact",
          contentType: "application/json",
        },
      ],
    });
    expect(Buffer.from(body.contracts[0].content, "base64").toString()).toBe(readFileSync(pactFile, "utf8"));
    expect(run.out).toContain("Published 1 pact(s) of fake-jelou-client version");
    expect(run.out).toContain("Pact published");
    expect(run.out).not.toContain(TOKEN);
  });

  it("uses Basic auth and an explicit version when asked", async () => {
    const run = await publish({
      PACT_BROKER_BASE_URL: broker.url,
      PACT_BROKER_USERNAME: "ci",
      PACT_BROKER_PASSWORD: "SECRET-pass",
      PACT_CONSUMER_VERSION: "1.2.3",
    });
    expect(run.status).toBe(0);
    expect(broker.requests.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from("ci:SECRET-pass").toString("base64")}`,
    );
    expect(JSON.parse(bodies.at(-1) ?? "{}").pacticipantVersionNumber).toBe("1.2.3");
    expect(run.out).not.toContain("SECRET");
  });

  // The tests from here on read nothing the shared broker records: they run concurrently.
  it.concurrent("fails with exit 1 when the broker refuses, without echoing the token the broker sent back", async () => {
    const refusing = await startScriptedServer(answer(401, { error: `token ${TOKEN} is not valid` }));
    const run = await publish({ PACT_BROKER_BASE_URL: refusing.url, PACT_BROKER_TOKEN: TOKEN });
    await refusing.close();
    expect(run.status).toBe(1);
    expect(run.out).toContain("the broker answered 401");
    expect(run.out).toContain("[redacted]");
    expect(run.out).not.toContain(TOKEN);
  });

  it.concurrent("fails with exit 1 when the broker cannot be reached", async () => {
    const gone = await startScriptedServer(answer(200, {}));
    await gone.close();
    const run = await publish({ PACT_BROKER_BASE_URL: gone.url, PACT_BROKER_TOKEN: TOKEN });
    expect(run.status).toBe(1);
    expect(run.out).toContain("ECONNREFUSED");
    expect(run.out).not.toContain(TOKEN);
  });

  it.concurrent("redacts a token the broker echoes even where its long answer would be cut", async () => {
    const long = await startScriptedServer(answer(500, `${"x".repeat(1_995)}${TOKEN}`, "text/plain"));
    const run = await publish({ PACT_BROKER_BASE_URL: long.url, PACT_BROKER_TOKEN: TOKEN });
    await long.close();
    expect(run.status).toBe(1);
    expect(run.out).not.toContain(TOKEN.slice(0, 5));
  });

  it.concurrent("fails with exit 2 for a file that is not a pact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fake-jelou-badpact-"));
    writeFileSync(join(dir, "broken.json"), "{not json");
    const run = await runScriptAsync("scripts/pact-publish.ts", ["--pact-dir", dir], {
      ...process.env,
      PACT_BROKER_BASE_URL: broker.url,
      PACT_BROKER_TOKEN: TOKEN,
    });
    rmSync(dir, { recursive: true, force: true });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("broken.json is not a pact file");
    expect(run.stderr).not.toContain("    at ");
  });

  it.concurrent.each([
    ["no broker URL", { PACT_BROKER_TOKEN: TOKEN }, "PACT_BROKER_BASE_URL is not set"],
    ["no credentials", { PACT_BROKER_BASE_URL: "http://127.0.0.1:9" }, "set PACT_BROKER_TOKEN"],
    [
      "credentials in the URL",
      { PACT_BROKER_BASE_URL: `http://u:${TOKEN}@127.0.0.1:9`, PACT_BROKER_TOKEN: TOKEN },
      "not in the URL",
    ],
  ])("fails with exit 2 for %s, saying which setting", async (_title, env, message) => {
    const run = await publish(env);
    expect(run.status).toBe(2);
    expect(run.out).toContain(message);
    expect(run.out).not.toContain(TOKEN);
  });
});
