// What a drift check is: one request, what it expects, and how the reports name it; and the judge that runs one.
import type { Expectation } from "../../spec/drift/compare.ts";
import type { CheckId, CheckResult } from "./report.ts";
import type { Answer } from "./request.ts";

/** One request of the check, what it expects, and how the reports name it. */
export interface Check {
  id: CheckId;
  title: string;
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** The path as requested, and as reports show it without --show-values. */
  path: string;
  template: string;
  auth: CheckResult["request"]["auth"];
  expect: Expectation;
  /** A 404 that is not drift but nothing to compare: the check is then skipped with this reason. */
  skipOn404?: string;
  /** Another status the spec declares that is not drift here (a create that finds the integration already there). */
  alsoAccepted?: number;
}

/** A check's result, and the body it got (parsed when JSON), for a flow whose next request needs it. */
export type Judge = (c: Check, send: () => Promise<Answer>) => Promise<{ result: CheckResult; body: unknown }>;
