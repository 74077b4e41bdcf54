import { describe, expect, it } from "vitest";
import { matchesFilter, parseStatusFilter, type RequestFilter, type StatusFilter } from "../../console/src/filters.ts";
import type { JournalEntry } from "../../mock/journal.ts";

describe("parseStatusFilter", () => {
  it.each<[string, StatusFilter | undefined]>([
    ["", { kind: "any" }],
    ["  ", { kind: "any" }],
    ["404", { kind: "exact", status: 404 }],
    [" 200 ", { kind: "exact", status: 200 }],
    ["4xx", { kind: "class", digit: 4 }],
    ["5XX", { kind: "class", digit: 5 }],
    ["none", { kind: "none" }],
    ["-", { kind: "none" }],
    ["600", undefined],
    ["4x", undefined],
    ["40", undefined],
    ["ok", undefined],
  ])("reads %j as %j", (text, want) => {
    expect(parseStatusFilter(text)).toEqual(want);
  });
});

describe("matchesFilter", () => {
  const entry = (status: number | null, more: Partial<JournalEntry> = {}): JournalEntry => ({
    time: "2026-01-15T10:30:00.000Z",
    method: "GET",
    path: "/jelouapi/v1/external-support/p1/conversations/c1",
    operation: "getConversation",
    projectId: "p1",
    conversationId: "c1",
    status,
    durationMs: 1,
    auth: "api-key",
    ...more,
  });
  const any: RequestFilter = { operation: "", status: { kind: "any" }, projectId: "" };
  it.each<[string, { given: JournalEntry; filter: Partial<RequestFilter>; want: boolean }]>([
    ["no filter passes everything", { given: entry(null), filter: {}, want: true }],
    [
      "an exact status passes that status",
      { given: entry(404), filter: { status: { kind: "exact", status: 404 } }, want: true },
    ],
    [
      "an exact status stops another",
      { given: entry(409), filter: { status: { kind: "exact", status: 404 } }, want: false },
    ],
    ["a class passes its statuses", { given: entry(422), filter: { status: { kind: "class", digit: 4 } }, want: true }],
    [
      "a class stops other classes",
      { given: entry(500), filter: { status: { kind: "class", digit: 4 } }, want: false },
    ],
    ["a class stops no response", { given: entry(null), filter: { status: { kind: "class", digit: 4 } }, want: false }],
    ["none passes no response", { given: entry(null), filter: { status: { kind: "none" } }, want: true }],
    ["none stops a response", { given: entry(200), filter: { status: { kind: "none" } }, want: false }],
    ["the operation must be equal", { given: entry(200), filter: { operation: "startConversation" }, want: false }],
    ["the project must be equal", { given: entry(200), filter: { projectId: "p" }, want: false }],
    [
      "an entry without a project fails a project filter",
      { given: entry(404, { projectId: undefined }), filter: { projectId: "p1" }, want: false },
    ],
    [
      "every filter at once",
      {
        given: entry(201),
        filter: { operation: "getConversation", projectId: "p1", status: { kind: "class", digit: 2 } },
        want: true,
      },
    ],
  ])("%s", (_title, { given, filter, want }) => {
    expect(matchesFilter(given, { ...any, ...filter })).toBe(want);
  });
});
