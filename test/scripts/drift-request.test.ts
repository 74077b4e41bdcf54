// The drift check's requests give up after their timeout even when garbage collection runs meanwhile: Node 20 held
// the timeout signal of AbortSignal.any([AbortSignal.timeout(), deadline]) weakly, and a collected one never fired.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getWithRetry, sendOnce } from "../../scripts/drift/request.ts";
import { type ScriptedServer, startScriptedServer } from "../helpers/scripted-server.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

let silent: ScriptedServer;
let collecting: NodeJS.Timeout;
beforeAll(async () => {
  silent = await startScriptedServer(() => {});
  collecting = setInterval(gc, 10);
});
afterAll(async () => {
  clearInterval(collecting);
  await silent.close();
});

const deadline = () => new AbortController().signal;

describe("a request to a server that never answers, with garbage collection running", () => {
  it("getWithRetry reports the timeout of each attempt", async () => {
    const policy = { retries: 1, timeoutMs: 100, deadline: deadline(), minBackoffMs: 1, maxBackoffMs: 2 };
    const answer = await getWithRetry(`${silent.url}/x`, {}, policy, fetch);
    expect(answer).toMatchObject({ kind: "outage", reason: "no answer within 100 ms", attempts: 2 });
  }, 10_000);

  it("sendOnce reports the timeout", async () => {
    const answer = await sendOnce(
      "POST",
      `${silent.url}/x`,
      {},
      { a: 1 },
      { timeoutMs: 100, deadline: deadline() },
      fetch,
    );
    expect(answer).toMatchObject({ kind: "outage", reason: "no answer within 100 ms", attempts: 1 });
  }, 10_000);
});
