import { describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, retryAfter } from "../../scripts/drift/request.ts";
import { compareResponse } from "../../spec/drift/compare.ts";
import { typeOf } from "../../spec/drift/mask.ts";
import { atPointer } from "../../spec/json-pointer.ts";
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

  const withBot = (type: string) => ({ ...success, data: { ...success.data, Bot: { ...success.data.Bot, type } } });
  it.each([
    ["a closed-set value that is free text", { ...success, statusMessage: "Hola Ana Souza" }, "/statusMessage", 14],
    ["an open-set value that is free text", withBot("Ana Souza bot"), "/data/Bot/type", 13],
    ["an open-set value that is a phone number", withBot("5215512345678"), "/data/Bot/type", 13],
    ["a closed-set value that is a name", { ...success, data: { ...success.data, state: "Juan" } }, "/data/state", 4],
  ])("hides %s, reporting its length and type", (_title, body, pointer, length) => {
    const [finding] = findings(body);
    const value = String(atPointer(body, pointer));
    expect(finding).toMatchObject({ pointer, observed: `a ${length}-char string (not shown)` });
    expect(JSON.stringify(findings(body))).not.toContain(value);
    expect(findings(body, true)[0]).toMatchObject({ observed: expect.stringContaining(value) });
  });

  it("shows a value that has a code's shape, since the new code is the finding", () => {
    expect(findings(withBot("telegram"))).toEqual([
      expect.objectContaining({ rule: "new-open-enum-value", observed: '"telegram"' }),
    ]);
  });

  it.each([
    ["a name", "JuanPerez", 9],
    ["a phone number", "+525512345678", 13],
    ["free text", "Juan Pérez", 10],
  ])("hides an undocumented field named with %s, unless --show-values", (_title, key, length) => {
    const body = { ...success, data: { ...success.data, User: { ...success.data.User, [key]: 1 } } };
    expect(findings(body)).toEqual([
      expect.objectContaining({ rule: "undocumented-field", pointer: `/data/User/{${length}-char key}` }),
    ]);
    expect(JSON.stringify(findings(body))).not.toContain(key);
    expect(findings(body, true)[0]?.pointer).toBe(`/data/User/${key}`);
  });

  it("names an undocumented field that looks like the API's own identifiers", () => {
    const body = { ...success, data: { ...success.data, User: { ...success.data.User, lastSeenAt: "x" } } };
    expect(findings(body)[0]?.pointer).toBe("/data/User/lastSeenAt");
  });

  it.each([
    ["error.developerMessages", { developerMessages: { "Juan Pérez": 5, es: 5 } }, "/error/developerMessages"],
    ["validationError", { validationError: { "+525512345678": "x" } }, "/validationError"],
  ])("hides the keys of the free-form map %s, and names its declared fields", (_title, extra, map) => {
    const body =
      "validationError" in extra
        ? { ...envelope, message: "m", ...extra }
        : { ...envelope, message: "m", error: { ...envelope.error, ...extra } };
    const found = compareResponse(
      context,
      { status: 404 },
      { status: 404, contentType: "application/json", bodyText: JSON.stringify(body) },
    );
    const pointers = found.map((f) => f.pointer);
    expect(pointers).toContain(`${map}/{${Object.keys(Object.values(extra)[0])[0]?.length}-char key}`);
    if (map === "/error/developerMessages") expect(pointers).toContain(`${map}/es`);
    expect(JSON.stringify(found)).not.toMatch(/Juan|525512345678/);
  });

  it("reports an undeclared media type as type/subtype only", () => {
    const [finding] = compareResponse(
      context,
      { status: 200 },
      { status: 200, contentType: 'Text/Plain; user="Juan Pérez"', bodyText: "x" },
    );
    expect(finding).toMatchObject({ rule: "undeclared-media-type", observed: "Text/Plain" });
    expect(JSON.stringify(finding)).not.toContain("Juan");
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

  it.each([
    ["absent", undefined, ["breaking", "missing-required-field", "/data/state"]],
    ["null", null, ["breaking", "null-not-allowed", "/data/state"]],
    ["a number", 5, ["breaking", "type-changed", "/data/state"]],
    ["an object", {}, ["breaking", "type-changed", "/data/state"]],
  ])("reports a state that is %s and still every drift of the fields all states share", (_title, state, finding) => {
    const { Bot, ...data } = { ...success.data, User: { ...success.data.User, id: 42 } };
    const body = { ...success, data: { ...data, state, Bot: { id: Bot.id, name: Bot.name } } };
    expect(findings(body).map(({ severity, rule, pointer }) => [severity, rule, pointer])).toEqual([
      finding,
      ["breaking", "type-changed", "/data/User/id"],
      ["breaking", "missing-required-field", "/data/Bot/type"],
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
