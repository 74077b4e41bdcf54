import { describe, expect, it } from "vitest";
import { type AuthConfig, checkCredentials, parseBasic, parseBasicPair } from "../../mock/auth.ts";

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString("base64")}`;
const open: AuthConfig = { apiKeys: [], basic: [] };
const strict: AuthConfig = { apiKeys: ["key-1", "key-2"], basic: [{ clientId: "client", clientSecret: "s3cret" }] };
const keysOnly: AuthConfig = { apiKeys: ["key-1"], basic: [] };

describe("checkCredentials", () => {
  it.each([
    ["no credential at all", {}, open, { ok: false, kind: "none", reason: "missing" }],
    ["an empty API key", { apiKey: "" }, open, { ok: false, kind: "api-key", reason: "empty" }],
    ["a blank API key", { apiKey: "   " }, open, { ok: false, kind: "api-key", reason: "empty" }],
    ["any non-empty API key by default", { apiKey: "whatever" }, open, { ok: true, kind: "api-key" }],
    ["any well-formed Basic pair by default", { authorization: basic("id:secret") }, open, { ok: true, kind: "basic" }],
    [
      "Basic in lower case",
      { authorization: `basic ${Buffer.from("id:x").toString("base64")}` },
      open,
      { ok: true, kind: "basic" },
    ],
    ["an empty Authorization", { authorization: "" }, open, { ok: false, kind: "basic", reason: "empty" }],
    ["a Bearer token", { authorization: "Bearer abc.def" }, open, { ok: false, kind: "basic", reason: "malformed" }],
    [
      "Basic that is not base64",
      { authorization: "Basic ***" },
      open,
      { ok: false, kind: "basic", reason: "malformed" },
    ],
    [
      "Basic with bad padding",
      { authorization: "Basic aWQ6c2VjcmV0=" },
      open,
      { ok: false, kind: "basic", reason: "malformed" },
    ],
    [
      "Basic without a colon",
      { authorization: basic("idsecret") },
      open,
      { ok: false, kind: "basic", reason: "malformed" },
    ],
    [
      "Basic with an empty clientId",
      { authorization: basic(":secret") },
      open,
      { ok: false, kind: "basic", reason: "malformed" },
    ],
    [
      "Basic with an empty secret",
      { authorization: basic("id:") },
      open,
      { ok: false, kind: "basic", reason: "malformed" },
    ],
    ["a configured API key", { apiKey: "key-2" }, strict, { ok: true, kind: "api-key" }],
    [
      "an API key that is not configured",
      { apiKey: "key-3" },
      strict,
      { ok: false, kind: "api-key", reason: "rejected" },
    ],
    ["the configured Basic pair", { authorization: basic("client:s3cret") }, strict, { ok: true, kind: "basic" }],
    [
      "a wrong Basic secret",
      { authorization: basic("client:guess") },
      strict,
      { ok: false, kind: "basic", reason: "rejected" },
    ],
    [
      "any Basic pair when only API keys are configured",
      { authorization: basic("id:x") },
      keysOnly,
      { ok: false, kind: "basic", reason: "rejected" },
    ],
    [
      "a valid Basic pair beside a rejected key",
      { apiKey: "key-9", authorization: basic("client:s3cret") },
      strict,
      { ok: true, kind: "basic" },
    ],
    [
      "a rejected key beside a malformed Basic",
      { apiKey: "key-9", authorization: "Basic !!" },
      strict,
      { ok: false, kind: "api-key", reason: "rejected" },
    ],
  ])("answers %s", (_title, headers, config, want) => {
    expect(checkCredentials(headers, config)).toEqual(want);
  });
});

describe("Basic parsing", () => {
  it("keeps colons that belong to the secret", () => {
    expect(parseBasic(basic("client:a:b"))).toEqual({ clientId: "client", clientSecret: "a:b" });
    expect(parseBasicPair("client:a:b")).toEqual({ clientId: "client", clientSecret: "a:b" });
  });

  it.each(["client", ":secret", "client:", ""])("refuses the --basic value %j", (value) => {
    expect(parseBasicPair(value)).toBeUndefined();
  });
});
