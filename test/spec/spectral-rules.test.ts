import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { runBinAsync } from "../helpers/run-bin.ts";

interface SpectralResult {
  code: string;
  path: string[];
}
// biome-ignore lint/suspicious/noExplicitAny: the spec is edited as plain parsed YAML, into shapes no type allows.
type Doc = Record<string, any>;

const scratch = mkdtempSync(join(tmpdir(), "fake-jelou-spectral-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function lint(specText: string): Promise<SpectralResult[]> {
  const file = join(scratch, `spec-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, specText);
  const run = await runBinAsync("@stoplight/spectral-cli", "spectral", [
    "lint",
    file,
    "--ruleset",
    ".spectral.yaml",
    "--format",
    "json",
    "--quiet",
  ]);
  return JSON.parse(run.stdout) as SpectralResult[];
}

/** The committed spec with every edit, linted once; only fake-jelou's own findings and the spec's example checks. */
async function lintEdited(edits: readonly ((spec: Doc, op: Doc) => void)[]): Promise<{ code: string; path: string }[]> {
  const spec = parse(readFileSync(SPEC_PATH, "utf8")) as Doc;
  for (const edit of edits)
    edit(spec, spec.paths["/v1/external-support/{projectId}/conversations/{conversationId}"].get);
  return (await lint(stringify(spec))).map((r) => ({ code: r.code, path: r.path.join(".") }));
}

const OP = "paths./v1/external-support/{projectId}/conversations/{conversationId}.get";

// Each edit breaks its own place of the spec, and each must be found where it is: one Spectral process lints them
// all (a process costs about two seconds of CPU), beside the one that lints the committed spec.
describe.concurrent("npm run lint:spec (Spectral with fake-jelou's rules)", () => {
  it("finds nothing in the committed spec", async () => {
    expect(await lint(readFileSync(SPEC_PATH, "utf8"))).toEqual([]);
  });

  const CASES: [string, (spec: Doc, op: Doc) => void, { code: string; path: string }][] = [
    [
      "a response without named examples",
      (_s, op) => delete op.responses["404"].content["application/json"].examples,
      { code: "fake-jelou-response-named-examples", path: `${OP}.responses.404.content.application/json` },
    ],
    [
      "a response with an empty examples map",
      (_s, op) => (op.responses["500"].content["application/json"].examples = {}),
      { code: "fake-jelou-response-named-examples", path: `${OP}.responses.500.content.application/json.examples` },
    ],
    [
      "a media type other than JSON",
      (_s, op) =>
        (op.responses["200"].content["text/html"] = {
          schema: { type: "string" },
          examples: { page: { value: "<p>" } },
        }),
      { code: "fake-jelou-json-only", path: `${OP}.responses.200.content.text/html` },
    ],
    [
      "an error response off the envelope",
      (_s, op) =>
        (op.responses["500"].content["application/json"].schema = {
          $ref: "#/components/schemas/GetConversationResponse",
        }),
      { code: "fake-jelou-error-envelope", path: `${OP}.responses.500.content.application/json.schema.$ref` },
    ],
    [
      "an operation without its 401",
      (_s, op) => delete op.responses["401"],
      { code: "fake-jelou-secured-operation-declares-401", path: `${OP}.responses` },
    ],
    [
      "a shared example that violates its schema",
      (s) => (s.components.examples.Unauthorized.value.status = "0"),
      { code: "oas3-valid-media-example", path: "components.examples.Unauthorized.value.status" },
    ],
    [
      "an open set closed with enum",
      (s) => (s.components.schemas.BotType.enum = ["Whatsapp"]),
      { code: "fake-jelou-open-enum-stays-open", path: "components.schemas.BotType.enum" },
    ],
    [
      "a nested open set closed with enum",
      (s) =>
        (s.components.schemas.ConversationBot.properties.name = {
          type: "string",
          "x-known-values": ["A"],
          enum: ["A"],
        }),
      { code: "fake-jelou-open-enum-stays-open", path: "components.schemas.ConversationBot.properties.name.enum" },
    ],
    [
      "an example that violates its schema (spectral:oas)",
      (_s, op) => (op.responses["200"].content["application/json"].examples.active.value.data.state = "archived"),
      {
        code: "oas3-valid-media-example",
        path: `${OP}.responses.200.content.application/json.examples.active.value.data.state`,
      },
    ],
  ];
  let edited: Promise<{ code: string; path: string }[]> | undefined;
  it.each(CASES)("reports %s where it is", async (_title, _edit, expected) => {
    edited ??= lintEdited(CASES.map(([, edit]) => edit));
    expect(await edited).toContainEqual(expected);
  });
});
