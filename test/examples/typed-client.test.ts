// examples/typed-client.ts, the README's typed client block, must run as printed against the fake: a closed
// conversation prints its end, a refused key prints the error's kind, status and message.
import { afterEach, describe, expect, it, vi } from "vitest";
import { type MockServerOptions, startMockServer } from "../../mock/index.ts";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

/** Runs the example once against a fake started with `options`, and returns what it printed. */
async function runExample(options: MockServerOptions): Promise<unknown[][]> {
  const fake = await startMockServer({ port: 0, ...options });
  try {
    vi.stubEnv("JELOU_BASE_URL", fake.baseUrl);
    vi.stubEnv("JELOU_API_KEY", "key-1");
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("../../examples/typed-client.ts");
    return log.mock.calls;
  } finally {
    await fake.close();
  }
}

describe("examples/typed-client.ts", () => {
  it("prints endAt of a closed conversation", async () => {
    const printed = await runExample({ scenario: "closed" });
    expect(printed).toHaveLength(1);
    expect(printed[0]?.[0]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("prints kind, status and message when the key is refused", async () => {
    const printed = await runExample({ apiKeys: ["another-key"] });
    expect(printed).toEqual([["unauthorized", 401, expect.any(String)]]);
  });
});
