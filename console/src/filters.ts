// The Requests view's filters: pure, so that they are tested as a table without a browser.
import type { JournalEntry } from "../../mock/journal.ts";

/** A status filter: any status, one status, a class (4 for 4xx), or no response at all. */
export type StatusFilter =
  | { kind: "any" }
  | { kind: "exact"; status: number }
  | { kind: "class"; digit: number }
  | { kind: "none" };

/** What the user typed in the status field, or undefined when it means nothing (the field then says so). */
export function parseStatusFilter(text: string): StatusFilter | undefined {
  const value = text.trim().toLowerCase();
  if (value === "") return { kind: "any" };
  if (value === "none" || value === "-") return { kind: "none" };
  const exact = /^([1-5]\d\d)$/.exec(value);
  if (exact) return { kind: "exact", status: Number(exact[1]) };
  const range = /^([1-5])xx$/.exec(value);
  if (range) return { kind: "class", digit: Number(range[1]) };
  return undefined;
}

/** The three filters; an empty operation or project matches any. */
export interface RequestFilter {
  operation: string;
  status: StatusFilter;
  projectId: string;
}

/** True when an entry passes every filter. */
export function matchesFilter(entry: JournalEntry, filter: RequestFilter): boolean {
  if (filter.operation !== "" && entry.operation !== filter.operation) return false;
  if (filter.projectId !== "" && entry.projectId !== filter.projectId) return false;
  const { status } = entry;
  switch (filter.status.kind) {
    case "any":
      return true;
    case "none":
      return status === null;
    case "exact":
      return status === filter.status.status;
    case "class":
      return status !== null && Math.floor(status / 100) === filter.status.digit;
  }
}
