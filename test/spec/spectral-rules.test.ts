import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runBin } from "../helpers/run-bin.ts";

interface SpectralResult {
  code: string;
  path: string[];
}

function lint(specText: string): SpectralResult[] {
  const file = join(mkdtempSync(join(tmpdir(), "fake-jelou-spectral-")), "spec.yaml");
  writeFileSync(file, specText);
  const run = runBin("@stoplight/spectral-cli", "spectral", [
    "lint",
    file,
    "--ruleset",
    ".spectral.yaml",
    "--format",
    "json",
    "--quiet",
  ]);
  if (run.error) throw run.error;
  return JSON.parse(run.stdout) as SpectralResult[];
}

describe("npm run lint:spec (Spectral with fake-jelou's rules)", () => {
  it("finds nothing in the committed spec", () => {
    expect(lint(readFileSync(SPEC_PATH, "utf8"))).toEqual([]);
  });

  it("catches each of fake-jelou's own rules being broken", () => {
    const spec = parse(readFileSync(SPEC_PATH, "utf8"));
    const op = spec.paths["/v1/external-support/{projectId}/conversations/{conversationId}"].get;
    delete op.responses["404"].content["application/json"].examples;
    op.responses["500"].content["application/json"].schema = { $ref: "#/components/schemas/GetConversationResponse" };
    op.responses["500"].content["text/plain"] = { schema: { type: "string" }, examples: { text: { value: "oops" } } };
    delete op.responses["401"];
    spec.components.schemas.BotType.enum = ["Whatsapp"];

    const codes = new Set(lint(stringify(spec)).map((r) => r.code));
    expect([...codes].filter((c) => c.startsWith("fake-jelou-")).sort()).toEqual([
      "fake-jelou-error-envelope",
      "fake-jelou-json-only",
      "fake-jelou-open-enum-stays-open",
      "fake-jelou-response-named-examples",
      "fake-jelou-secured-operation-declares-401",
    ]);
  });

  it("catches an example that violates its schema (spectral:oas)", () => {
    const spec = parse(readFileSync(SPEC_PATH, "utf8"));
    const op = spec.paths["/v1/external-support/{projectId}/conversations/{conversationId}"].get;
    op.responses["200"].content["application/json"].examples.active.value.data.state = "archived";
    expect(lint(stringify(spec))).toContainEqual(
      expect.objectContaining({
        code: "oas3-valid-media-example",
        path: expect.arrayContaining(["examples", "active", "value"]),
      }),
    );
  });
});
