import { describe, expect, it } from "vitest";
import { compareResponse, typeOf } from "../../scripts/drift/compare.ts";
import { MAX_RETRY_AFTER_MS, retryAfter } from "../../scripts/drift/request.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { createSpecValidator } from "../../spec/schema-validator.ts";

const spec = loadSpec();
const context = {
  spec,
  validator: createSpecValidator(spec),
  strictValidator: createSpecValidator(spec, { strict: true }),
  showValues: false,
};
const envelope = { statusMessage: "failed", status: 0, error: { code: "E1404", key: "CONVERSATION_NOT_FOUND" } };
const compare = (status: number, body: unknown, expected = 404) =>
  compareResponse(
    context,
    { status: expected },
    { status, contentType: "application/json", bodyText: JSON.stringify(body) },
  ).map(({ severity, rule, pointer, expected: want, observed }) => ({
    severity,
    rule,
    pointer,
    expected: want,
    observed,
  }));

describe("compareResponse", () => {
  it("reports a message of the wrong type once, with what either branch of the oneOf expected", () => {
    expect(compare(404, { ...envelope, message: 42 })).toEqual([
      {
        severity: "breaking",
        rule: "type-changed",
        pointer: "/message",
        expected: "string or array",
        observed: "integer",
      },
    ]);
  });

  it("reports a declared status that is not the one the check expects", () => {
    expect(compare(401, { ...envelope, message: "no" })).toEqual([
      { severity: "breaking", rule: "unexpected-status", pointer: "", expected: "404", observed: "401" },
    ]);
  });

  it("reports a body that is not JSON", () => {
    const findings = compareResponse(
      context,
      { status: 404 },
      { status: 404, contentType: "application/json", bodyText: "<html>" },
    );
    expect(findings.map((f) => f.rule)).toEqual(["invalid-json"]);
  });

  it("reports types, never values, unless asked", () => {
    const [finding] = compareResponse(
      context,
      { status: 404 },
      {
        status: 404,
        contentType: "application/json",
        bodyText: JSON.stringify({ ...envelope, message: ["x"], status: "Ana Souza" }),
      },
    );
    expect(finding).toMatchObject({ pointer: "/status", observed: "string" });
    expect(JSON.stringify(finding)).not.toContain("Ana Souza");
  });
});

describe("compareResponse privacy", () => {
  const success = {
    message: ["ok"],
    statusMessage: "success",
    status: 1,
    data: {
      _id: "c",
      roomId: "r",
      state: "active",
      startAt: "2026-01-15T10:30:00.000Z",
      User: { id: "u", names: "n", referenceId: "r", createdAt: "2026-01-01T00:00:00.000Z" },
      Bot: { id: "b", name: "n", type: "Whatsapp" },
    },
  };
  const findings = (body: unknown, showValues = false) =>
    compareResponse(
      { ...context, showValues },
      { status: 200 },
      { status: 200, contentType: "application/json", bodyText: JSON.stringify(body) },
    );

  it.each([
    ["a closed-set value that is free text", { ...success, statusMessage: "Hola Ana Souza" }, "/statusMessage"],
    [
      "an open-set value that is free text",
      { ...success, data: { ...success.data, Bot: { ...success.data.Bot, type: "Ana Souza bot" } } },
      "/data/Bot/type",
    ],
  ])("hides %s, reporting its type", (_title, body, pointer) => {
    const [finding] = findings(body);
    expect(finding).toMatchObject({ pointer, observed: "a string (not shown)" });
    expect(JSON.stringify(findings(body))).not.toContain("Ana Souza");
    expect(findings(body, true)[0]).toMatchObject({ observed: expect.stringContaining("Ana Souza") });
  });

  it("shows a value that looks like a code, since the new code is the finding", () => {
    const body = { ...success, data: { ...success.data, Bot: { ...success.data.Bot, type: "Telegram" } } };
    expect(findings(body)).toEqual([expect.objectContaining({ rule: "new-open-enum-value", observed: '"Telegram"' })]);
  });

  it("reports an unknown state and still every drift, at every depth, of the fields all states share", () => {
    const body = {
      ...success,
      statusMessage: "failed",
      data: {
        ...success.data,
        state: "archived",
        User: { ...success.data.User, id: 42, nickname: "x" },
        Bot: { ...success.data.Bot, type: "telegram" },
      },
    };
    expect(findings(body).map(({ severity, rule, pointer }) => [severity, rule, pointer])).toEqual([
      ["breaking", "closed-enum-value", "/statusMessage"],
      ["breaking", "closed-enum-value", "/data/state"],
      ["breaking", "type-changed", "/data/User/id"],
      ["info", "undocumented-field", "/data/User/nickname"],
      ["warning", "new-open-enum-value", "/data/Bot/type"],
    ]);
  });

  it("does not blame an unknown state's body for what only one state requires", () => {
    const body = { ...success, data: { ...success.data, state: "archived", endAt: "2026-01-15T10:45:00.000Z" } };
    expect(findings(body).map((f) => [f.rule, f.pointer])).toEqual([["closed-enum-value", "/data/state"]]);
  });

  it("reports a wrong type once, not again as a closed-set value", () => {
    expect(findings({ ...success, status: "one" }).map((f) => f.rule)).toEqual(["type-changed"]);
  });
});

describe("typeOf", () => {
  it.each([
    [undefined, "absent"],
    [null, "null"],
    [[1], "array"],
    [1, "integer"],
    [1.5, "number"],
    ["s", "string"],
    [{}, "object"],
  ])("names %j as %s", (value, name) => {
    expect(typeOf(value)).toBe(name);
  });
});

describe("retryAfter", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  it.each([
    ["2", 2_000],
    ["0", 0],
    ["Wed, 25 Nov 2026 12:00:10 GMT", 10_000],
    ["3600", MAX_RETRY_AFTER_MS],
    ["soon", undefined],
    [null, undefined],
  ])("reads Retry-After %j as %j ms", (header, ms) => {
    expect(retryAfter(header, now)).toBe(ms);
  });
});
