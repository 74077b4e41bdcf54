import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { boundedEntry, cutUtf8, Journal, type JournalEntry, MAX_JOURNAL_FIELD_BYTES } from "../../mock/journal.ts";

const entry = (path: string, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  time: "2026-01-01T00:00:00.000Z",
  method: "GET",
  path,
  status: 200,
  durationMs: 1,
  auth: "api-key",
  ...extra,
});

describe("cutUtf8", () => {
  it.each([
    ["ASCII within the limit", "abc", 3, "abc"],
    ["ASCII over the limit", "abcdef", 4, "abcd"],
    ["never half a two-byte character", "ééé", 5, "éé"],
    ["never half a surrogate pair", "a😀", 4, "a"],
    ["a whole surrogate pair when it fits", "a😀", 5, "a😀"],
  ])("%s", (_title, text, max, want) => {
    expect(cutUtf8(text, max)).toBe(want);
    expect(Buffer.byteLength(cutUtf8(text, max))).toBeLessThanOrEqual(max);
  });
});

describe("boundedEntry", () => {
  it("keeps a short entry as it is, unmarked", () => {
    const short = entry("/p/c", { projectId: "p", conversationId: "c" });
    expect(boundedEntry(short)).toEqual(short);
  });

  it("keeps the first 1 KiB of a long path and of long ids, and marks the entry as truncated", () => {
    const long = "x".repeat(8_000);
    const stored = boundedEntry(entry(`/${long}`, { projectId: long, conversationId: "c" }));
    expect(stored.path).toBe(`/${long}`.slice(0, MAX_JOURNAL_FIELD_BYTES));
    expect(stored.projectId).toHaveLength(MAX_JOURNAL_FIELD_BYTES);
    expect(stored.conversationId).toBe("c");
    expect(stored.truncated).toBe(true);
  });
});

describe("Journal", () => {
  it("drops the oldest entries past its count", () => {
    const journal = new Journal(2, 1_000_000);
    for (const path of ["/a", "/b", "/c"]) journal.add(entry(path));
    expect(journal.list().map((e) => e.path)).toEqual(["/b", "/c"]);
  });

  it("drops the oldest entries past its byte budget, and keeps counting right after many evictions", () => {
    const journal = new Journal(100_000, 10 * 1_300);
    for (let i = 0; i < 5_000; i++) journal.add(entry(`/${i}-${"y".repeat(1_000)}`));
    expect(journal.bytes).toBeLessThanOrEqual(journal.budgetBytes);
    expect(journal.size).toBeGreaterThan(0);
    expect(journal.list().at(-1)?.path).toMatch(/^\/4999-/);
    expect(journal.list().map((e) => e.path)).toEqual(
      Array.from({ length: journal.size }, (_, k) => `/${5_000 - journal.size + k}-${"y".repeat(1_000)}`),
    );
  });

  it("lists a page, oldest first, and gives everything back on clear", () => {
    const journal = new Journal(10, 1_000_000);
    for (const path of ["/a", "/b", "/c", "/d"]) journal.add(entry(path));
    expect(journal.list(1, 2).map((e) => e.path)).toEqual(["/b", "/c"]);
    expect(journal.list(3, 10).map((e) => e.path)).toEqual(["/d"]);
    expect(journal.list(9)).toEqual([]);
    journal.clear();
    expect([journal.size, journal.bytes, journal.list()]).toEqual([0, 0, []]);
  });
});

describe("what an entry holds", () => {
  it("holds its own characters, not the URL its path and ids were sliced from", () => {
    // A path of 40 characters sliced from an 8 KiB URL would keep the 8 KiB alive: 2000 entries, 16 MB.
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const journal = new Journal(100_000, 1 << 30);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2_000; i++) {
      const url = `/jelouapi/${i}/${"u".repeat(8_000)}`;
      journal.add(entry(url.slice(0, 40), { projectId: url.slice(10, 30), conversationId: url.slice(1, 60) }));
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(journal.size).toBe(2_000);
    expect(retained).toBeLessThan(4_000_000);
  });
});
