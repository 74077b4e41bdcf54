import type { JournalEntry } from "./journal.ts";

/** How much the CLI prints: nothing, one line per request, or that line with the decision's details. */
export const LOG_LEVELS = ["silent", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One log line for a finished request, built from its journal entry: never a credential or a header value. */
export function formatRequestLine(entry: JournalEntry, level: LogLevel): string | undefined {
  if (level === "silent") return undefined;
  const status = entry.status ?? "-";
  const path = entry.truncated ? `${entry.path}…` : entry.path;
  const line = `${entry.method} ${path} ${status} ${entry.scenario ?? "-"} ${entry.durationMs}ms`;
  if (level === "info") return line;
  return `${line} source=${entry.scenarioSource ?? "-"} auth=${entry.auth}`;
}
