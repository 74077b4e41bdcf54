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

  it("gives each call its own document, as a fresh parse would, however the caller changed the ones before", () => {
    const path = specFile("own.yaml", "openapi: 3.1.0\npaths: {}\ncomponents: {schemas: {A: {type: string}}}\n");
    // The first call parses, the others may not: each must be untouched by the changes made to the previous one.
    for (let call = 0; call < 3; call++) {
      const spec = loadSpec(path);
      expect(spec).toEqual({ openapi: "3.1.0", paths: {}, components: { schemas: { A: { type: "string" } } } });
      spec.openapi = "changed";
      (spec.components.schemas.A as { type: string }).type = "number";
      spec.components.schemas.B = {};
    }
  });

  it("reads the file on every call, so an edited spec is loaded as it now is", () => {
    const path = specFile("edited.yaml", "openapi: 3.1.0\npaths: {}\ncomponents: {schemas: {A: {}}}\n");
    expect(Object.keys(loadSpec(path).components.schemas)).toEqual(["A"]);
    writeFileSync(path, "openapi: 3.1.0\npaths: {}\ncomponents: {schemas: {B: {}}}\n");
    expect(Object.keys(loadSpec(path).components.schemas)).toEqual(["B"]);
    writeFileSync(path, "openapi: 3.1.0\npaths: {}\ncomponents: {schemas: {A: {}}}\nx: [\n");
    expect(() => loadSpec(path)).toThrow(/Failed to parse the spec/);
  });

  it("points SPEC_PATH at spec/jelou-external-support.openapi.yaml", () => {
    expect(SPEC_PATH.endsWith(join("spec", "jelou-external-support.openapi.yaml"))).toBe(true);
  });
});
