// The README's vitest globalSetup must work as printed: it imports "fake-jelou" by package name.

import { describe, expect, it } from "vitest";
import type { TestProject } from "vitest/node";
import { setup, teardown } from "../../examples/vitest.global-setup.ts";

describe("examples/vitest.global-setup.ts", () => {
  it("starts the fake, provides its base URL to the tests, and stops it", async () => {
    const provided = new Map<string, unknown>();
    await setup({ provide: (key: string, value: unknown) => provided.set(key, value) } as unknown as TestProject);
    const baseUrl = provided.get("jelouBaseUrl") as string;
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/jelouapi$/);
    const response = await fetch(`${baseUrl}/v1/external-support/p/conversations/closed-1`, {
      headers: { "x-api-key": "k" },
    });
    expect(((await response.json()) as { data: { state: string } }).data.state).toBe("closed");
    await teardown();
    await expect(fetch(`${baseUrl}/v1/external-support/p/conversations/c`)).rejects.toThrow();
  });
});
