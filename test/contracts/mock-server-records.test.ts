// The flake of docs/pact-flake.md, made deterministic: pact-js's own executeTest (the internal function every
// `addInteraction()...executeTest()` ends in) against a stand-in for pact-core whose mock server answers a request
// at once but records it later, as pact-ffi 0.5.4 does when its recording task is not scheduled in time.
import type { PactV4 } from "@pact-foundation/pact";
import { executeTest } from "@pact-foundation/pact/src/v4/http/index.js";
import { describe, expect, it } from "vitest";
import { type MockServerResult, recordsSettled, waitForRecords } from "../../contracts/mock-server-records.ts";

const PORT = 40_123;
const expected = { method: "GET", path: "/v1/conversation", request: { method: "GET", path: "/v1/conversation" } };
const missing = { type: "missing-request", ...expected };

/** A pact-core stand-in with one mock server whose records land `recordAfterMs` after it answered. */
function lateRecordingCore(recordAfterMs: number) {
  let recorded = false;
  const core = {
    pactffiCreateMockServerForTransport: () => PORT,
    mockServerMismatches: (port: number) => (port === PORT && recorded ? [] : [missing]),
    mockServerMatchedSuccessfully: (port: number) => port === PORT && recorded,
    writePactFile: () => undefined,
    cleanupMockServer: () => true,
    cleanupPlugins: () => undefined,
  };
  /** What the client sees: the answer now; the record comes later. */
  const request = async () => {
    setTimeout(() => {
      recorded = true;
    }, recordAfterMs);
    return { status: 200 };
  };
  return { core, request, pact: { pact: core } as unknown as PactV4 };
}

const run = (core: object, testFn: (mock: { port: number }) => Promise<unknown>) =>
  executeTest(
    core as Parameters<typeof executeTest>[0],
    { consumer: "c", provider: "p", dir: "unused" },
    testFn,
    () => {
      // PactV4 resets itself here; nothing to reset in the stand-in.
    },
  );

describe("waitForRecords", () => {
  it("without it, Pact reports a request the client got its answer to as expected but not received", async () => {
    const { core, request } = lateRecordingCore(20);
    await expect(
      run(core, async () => {
        expect(await request()).toEqual({ status: 200 });
      }),
    ).rejects.toThrow("The following request was expected but not received");
  });

  it("lets the late record land before Pact judges the interaction", async () => {
    const { core, request, pact } = lateRecordingCore(20);
    await expect(
      run(
        core,
        waitForRecords(pact, async () => (await request()).status),
      ),
    ).resolves.toBe(200);
  });

  it("still fails an interaction whose request was never sent, once the wait is over", async () => {
    const { core, pact } = lateRecordingCore(20);
    const started = performance.now();
    await expect(
      run(
        core,
        waitForRecords(pact, async () => "sent nothing", { timeoutMs: 100 }),
      ),
    ).rejects.toThrow("The following request was expected but not received");
    expect(performance.now() - started).toBeGreaterThanOrEqual(100);
  });

  it("waits after a test that threw too, so Pact's report of the mock server is complete", async () => {
    const { core, request, pact } = lateRecordingCore(20);
    let checkedAfterWait: boolean | undefined;
    const failing = waitForRecords(pact, async () => {
      await request();
      throw new Error("assertion failed in the test");
    });
    await expect(
      run(core, async (mock) => {
        try {
          return await failing(mock);
        } finally {
          checkedAfterWait = core.mockServerMatchedSuccessfully(mock.port);
        }
      }),
    ).rejects.toThrow("assertion failed in the test");
    expect(checkedAfterWait).toBe(true);
  });

  it("fails loudly when pact-js no longer keeps its core handle where it is read", async () => {
    const wrapped = waitForRecords({} as PactV4, async () => undefined);
    await expect(wrapped({ port: PORT })).rejects.toThrow("Failed to read the records of Pact's mock server");
  });
});

describe("recordsSettled", () => {
  const cases: [string, { given: MockServerResult[]; want: boolean }][] = [
    ["is settled when every expected request matched", { given: [], want: true }],
    ["is not settled while an expected request is still missing", { given: [missing], want: false }],
    ["is settled once a mismatch was recorded", { given: [{ type: "request-mismatch" }], want: true }],
    [
      "is settled once an unexpected request was recorded, even with one still missing",
      { given: [{ type: "request-not-found" }, missing], want: true },
    ],
  ];
  it.each(cases)("%s", (_title, { given, want }) => {
    expect(recordsSettled(given)).toBe(want);
  });
});
