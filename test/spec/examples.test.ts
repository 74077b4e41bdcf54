import { describe, expect, it } from "vitest";
import { listExamples } from "../../spec/examples.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator, formatViolations } from "../../spec/schema-validator.ts";

const spec = loadSpec();
// biome-ignore lint/suspicious/noExplicitAny: a copy of the spec is broken below as plain parsed YAML.
type Doc = Record<string, any>;
const validator = createSpecValidator(spec);
const examples = listExamples(spec);
const responses = "/paths/~1v1~1external-support~1{projectId}~1conversations~1{conversationId}/get/responses";

describe("examples in the spec", () => {
  it.each(examples.map((e) => [e.pointer, e] as const))("%s validates against its schema", (pointer, example) => {
    const violations = validator.validateAt(example.schemaPointer, example.value);
    expect(
      violations,
      `example ${pointer} violates ${example.schemaPointer}:\n${formatViolations(violations)}`,
    ).toEqual([]);
  });

  it.each([
    ["200", ["active", "closed"]],
    ["401", ["unauthorized"]],
    ["404", ["notFound"]],
    ["500", ["serverError"]],
  ])("response %s carries the named examples %j", (status, names) => {
    const named = examples
      .filter((e) => e.pointer.startsWith(`${responses}/${status}/content/application~1json/examples/`))
      .map((e) => e.name);
    expect(named).toEqual(names);
  });

  it("finds schema-level examples and known values too, not only response examples", () => {
    const pointers = examples.map((e) => e.pointer);
    expect(pointers).toContain("/components/schemas/EndedReason/x-known-values/0");
    expect(pointers).toContain("/components/schemas/BotType/examples/0");
    expect(pointers).toContain("/components/parameters/ProjectId/example");
  });

  it("finds request-body examples, checked against the request's schema", () => {
    const create = "/paths/~1v1~1external-support~1{projectId}/post/requestBody/content/application~1json";
    expect(examples.filter((e) => e.pointer.startsWith(`${create}/examples/`))).toEqual([
      expect.objectContaining({ name: "bearer", schemaPointer: `${create}/schema` }),
      expect.objectContaining({ name: "noAuth", schemaPointer: `${create}/schema` }),
    ]);
  });

  it("lists a named example written as a $ref with the value it refers to", () => {
    const get = "/paths/~1v1~1external-support~1{projectId}/get/responses/401/content/application~1json/examples";
    const unauthorized = examples.find((e) => e.pointer === `${get}/unauthorized`);
    expect(unauthorized?.value).toEqual((spec.components.examples as Doc).Unauthorized.value);
    expect(unauthorized?.value).toMatchObject({ error: { key: "UNAUTHORIZED" } });
  });

  it("names the example and the violation when an example breaks its schema", () => {
    const broken = structuredClone(spec);
    const path = broken.paths["/v1/external-support/{projectId}/conversations/{conversationId}"] as Doc;
    path.get.responses["200"].content["application/json"].examples.active.value.data.endAt = "2026-01-15T10:45:00.000Z";
    const brokenValidator = createSpecValidator(broken);
    const failures = listExamples(broken).flatMap((e) =>
      brokenValidator.validateAt(e.schemaPointer, e.value).map((v) => `${e.pointer} ${formatViolations([v])}`),
    );
    expect(failures).toEqual([
      `${responses}/200/content/application~1json/examples/active /data/endAt must not be present (false schema)`,
    ]);
  });

  it("shows the lifecycle in the named examples: active has no end, closed has both endAt and endedReason", () => {
    const value = (name: string) => examples.find((e) => e.name === name)?.value as { data: Record<string, unknown> };
    expect(value("active").data).not.toHaveProperty("endAt");
    expect(value("active").data).not.toHaveProperty("endedReason");
    expect(value("closed").data).toMatchObject({ state: "closed", endedReason: "closed_by_operator" });
    expect(value("closed").data).toHaveProperty("endAt");
  });
});
