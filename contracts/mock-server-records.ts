// Pact's mock server (pact-ffi 0.5.4, under pact-js 16.5) answers a request before it records it: the match result
// goes through a channel to a task that stores it later. `executeTest` reads those records as soon as the test
// function resolves, so on a busy machine it can find none and report "expected but not received" for a request the
// client sent and got its answer to (pact-js#1835; fixed in pact-ffi 0.5.6). See docs/pact-flake.md.
import { setTimeout as sleep } from "node:timers/promises";
import type { PactV4 } from "@pact-foundation/pact";

/** What the mock server recorded, as pact-core reports it: an empty list when every expected request matched. */
export interface MockServerResult {
  type: string;
}

/** The part of pact-core's handle that reads a mock server's records, by port. */
interface MockServerRecords {
  mockServerMismatches(port: number): MockServerResult[];
}

export interface WaitForRecordsOptions {
  /** How long to wait for the records before leaving the verdict to Pact, in ms (default 5000). */
  timeoutMs?: number;
  /** Pause between two reads of the records, in ms (default 2). */
  pollMs?: number;
}

/**
 * True once the records can be judged: nothing is missing, or something else (a mismatch, an unexpected request) was
 * recorded. Only "missing-request" entries mean the records may still be on their way.
 */
export const recordsSettled = (results: readonly MockServerResult[]): boolean =>
  results.length === 0 || results.some((r) => r.type !== "missing-request");

/**
 * Wraps an `executeTest` body: once it has run (returned or thrown), waits until the mock server has recorded what it
 * answered, so that Pact judges the whole interaction. Never changes a verdict: a request that was never sent is still
 * reported missing, after `timeoutMs`.
 */
export function waitForRecords<M extends { port: number }, T>(
  pact: PactV4,
  test: (mock: M) => Promise<T>,
  options: WaitForRecordsOptions = {},
): (mock: M) => Promise<T> {
  const { timeoutMs = 5_000, pollMs = 2 } = options;
  return async (mock) => {
    try {
      return await test(mock);
    } finally {
      const core = coreOf(pact);
      const deadline = performance.now() + timeoutMs;
      while (!recordsSettled(core.mockServerMismatches(mock.port)) && performance.now() < deadline) {
        await sleep(pollMs);
      }
    }
  };
}

// pact-js exposes no public way to read a running mock server's records; PactV4 keeps its pact-core handle in the
// private field `pact`, and the core looks mock servers up by port.
function coreOf(pact: PactV4): MockServerRecords {
  const core = (pact as unknown as { pact?: Partial<MockServerRecords> }).pact;
  if (typeof core?.mockServerMismatches !== "function") {
    throw new Error(
      "Failed to read the records of Pact's mock server: PactV4 no longer keeps its pact-core handle in `pact`. " +
        "If this pact-js ships pact-ffi 0.5.6 or later, remove waitForRecords (docs/pact-flake.md); else adapt coreOf.",
    );
  }
  return core as MockServerRecords;
}
