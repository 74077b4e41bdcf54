import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadSpec, SPEC_PATH, SpecLoadError } from "../../spec/load-spec.ts";

const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-spec-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
function specFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("loadSpec", () => {
  it("loads the committed OpenAPI 3.1.0 document", () => {
    const spec = loadSpec();
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual([
      "/v1/external-support/{projectId}",
      "/v1/external-support/{projectId}/conversations/start",
      "/v1/external-support/{projectId}/conversations/close",
      "/v1/external-support/{projectId}/conversations/{conversationId}",
      "/v1/external-support/webhook",
    ]);
    expect(Object.keys(spec.webhooks ?? {})).toEqual(["conversation.start", "conversation.close", "message"]);
  });

  it.each([
    ["a missing file", join(scratch, "absent.yaml"), /Failed to read the spec at .*absent\.yaml/],
    [
      "broken YAML",
      specFile("broken.yaml", "openapi: 3.1.0\npaths: [\n"),
      /Failed to parse the spec at .*broken\.yaml/,
    ],
    [
      "a duplicate key",
      specFile("dup.yaml", "openapi: 3.1.0\nopenapi: 3.1.0\npaths: {}\ncomponents: {schemas: {}}\n"),
      /Failed to parse the spec at .*dup\.yaml: .*unique/i,
    ],
    [
      "an OpenAPI 3.0 document",
      specFile("v30.yaml", "openapi: 3.0.3\npaths: {}\ncomponents: {schemas: {}}\n"),
      /not an OpenAPI 3\.1 document/,
    ],
  ])("rejects %s with a SpecLoadError naming the file", (_title, path, message) => {
    expect(() => loadSpec(path)).toThrow(SpecLoadError);
    expect(() => loadSpec(path)).toThrow(message);
  });

  it("points SPEC_PATH at spec/jelou-external-support.openapi.yaml", () => {
    expect(SPEC_PATH.endsWith(join("spec", "jelou-external-support.openapi.yaml"))).toBe(true);
  });
});
