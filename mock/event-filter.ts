// Which events a watcher asked for (`GET /__admin/events?types=&operation=&status=&projectId=&backlog=`): read from
// the query once, then matched against each event.
import { FAKE_EVENT_TYPES, type FakeEvent, type FakeEventType } from "./event-hub.ts";

/** The most backlog events of each kind a stream may ask for. */
export const MAX_EVENT_BACKLOG = 1_000;
const DEFAULT_BACKLOG = 100;

/** What a stream sends: its event types, the request events' operations and statuses, one project, the backlog. */
export interface EventFilter {
  types: ReadonlySet<FakeEventType>;
  operations?: ReadonlySet<string>;
  /** Exact codes (`404`), classes (`4xx`) or `none` (no response was sent). */
  statuses?: readonly string[];
  projectId?: string;
  /** How many of the newest journal entries and deliveries the stream starts with, each. */
  backlog: number;
}

export type EventFilterResult = { ok: true; filter: EventFilter } | { ok: false; field: string; message: string };

/** Reads a filter from a parsed query string; refuses naming the first bad field. */
export function readEventFilter(query: Record<string, unknown>): EventFilterResult {
  const { types, operation, status, projectId, backlog, ...rest } = query;
  const refuse = (field: string, message: string): EventFilterResult => ({ ok: false, field, message });
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    return refuse(unknown.slice(0, 100), "Filter events by types, operation, status, projectId and backlog.");
  for (const [field, value] of Object.entries({ types, operation, status, projectId, backlog })) {
    if (value !== undefined && typeof value !== "string") return refuse(field, `${field} must be given once.`);
  }
  const list = (value: unknown) => (value as string).split(",").map((item) => item.trim());
  const typeList = types === undefined ? [...FAKE_EVENT_TYPES] : list(types);
  const badType = typeList.find((type) => !FAKE_EVENT_TYPES.includes(type as FakeEventType));
  if (badType !== undefined)
    return refuse("types", `types is a comma-separated list of ${FAKE_EVENT_TYPES.join(", ")}.`);
  const statuses = status === undefined ? undefined : list(status);
  if (statuses?.some((s) => !/^([1-5]\d\d|[1-5]xx|none)$/.test(s))) {
    return refuse("status", "status is a comma-separated list of codes (404), classes (4xx) or none.");
  }
  if (backlog !== undefined && (!/^\d{1,4}$/.test(backlog as string) || Number(backlog) > MAX_EVENT_BACKLOG)) {
    return refuse("backlog", `backlog must be a whole number from 0 to ${MAX_EVENT_BACKLOG}.`);
  }
  return {
    ok: true,
    filter: {
      types: new Set(typeList as FakeEventType[]),
      ...(operation !== undefined && { operations: new Set(list(operation)) }),
      ...(statuses !== undefined && { statuses }),
      ...(projectId !== undefined && { projectId: projectId as string }),
      backlog: backlog === undefined ? DEFAULT_BACKLOG : Number(backlog),
    },
  };
}

/** Whether a stream with this filter sends the event. */
export function eventMatches(filter: EventFilter, event: FakeEvent): boolean {
  if (!filter.types.has(event.type)) return false;
  if (event.type === "change") return true;
  if (filter.projectId !== undefined && event.data.projectId !== filter.projectId) return false;
  if (event.type === "delivery") return true;
  const { operation, status } = event.data;
  if (filter.operations && (operation === undefined || !filter.operations.has(operation))) return false;
  return filter.statuses === undefined || filter.statuses.some((wanted) => statusMatches(wanted, status));
}

function statusMatches(wanted: string, status: number | null): boolean {
  if (wanted === "none") return status === null;
  if (status === null) return false;
  return wanted.endsWith("xx") ? String(status)[0] === wanted[0] : Number(wanted) === status;
}
