// npm start, the bench and the soak must run the fake with the same V8 flags, or the bench measures another fake.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NPM_START_V8_FLAGS } from "../../scripts/bench/measure.ts";

describe("the fake's V8 flags", () => {
  it("are the ones npm start passes", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(pkg.scripts.start).toBe(`node ${NPM_START_V8_FLAGS.join(" ")} --import tsx mock/cli.ts`);
  });
});
