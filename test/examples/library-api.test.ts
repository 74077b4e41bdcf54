// examples/library-api.ts, which the README links from "Library API", must run as printed: it imports "fake-jelou".
import { afterEach, describe, expect, it, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("examples/library-api.ts", () => {
  it("starts the fake, gets the 404 its rule asks for, journals that request, awaits its webhooks, and stops", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await import("../../examples/library-api.ts");
    expect(log.mock.calls).toEqual([
      [404, 1],
      ["delivered", 1],
    ]);
  });
});
