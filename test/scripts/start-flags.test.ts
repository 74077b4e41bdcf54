// npm start, the container, the bench and the soak must run the fake with the same V8 flags, or the bench measures
// another fake.
import { readFileSync } from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { describe, expect, it } from "vitest";
import { NPM_START_V8_FLAGS } from "../../scripts/bench/measure.ts";

describe("the fake's V8 flags", () => {
  it("are the ones npm start passes", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.scripts.start).toBe(`node ${NPM_START_V8_FLAGS.join(" ")} --import tsx mock/cli.ts`);
  });

  it("are the ones the container's ENTRYPOINT passes", () => {
    const dockerfile = DockerfileParser.parse(readFileSync(new URL("../../Dockerfile", import.meta.url), "utf8"));
    const entrypoint = dockerfile.getInstructions().find((instruction) => instruction.getKeyword() === "ENTRYPOINT");
    expect(JSON.parse(entrypoint?.getArgumentsContent() ?? "[]")).toEqual([
      "node",
      ...NPM_START_V8_FLAGS,
      "/app/dist/cli.js",
    ]);
  });
});
