// The Requests view: the journal, newest first, as the event stream feeds it; a row opens the decision behind it.
import type { OperationRule } from "../../mock/operation-rules.ts";
import type { StoredRule } from "../../mock/rules.ts";
import type { ScenarioSource } from "../../mock/scenario.ts";
import { ApiError, adminPath, api, errorText } from "./api.ts";
import type { RequestEvent } from "./contract.ts";
import { append, field, fields, h, jsonBlock, replace, statusBadge, timeOf, type View } from "./dom.ts";
import { matchesFilter, parseStatusFilter, type RequestFilter } from "./filters.ts";

/** The Requests view, fed by the event stream. */
export interface RequestsView extends View {
  /** Forgets every entry (a new connection's backlog follows). */
  clear(): void;
  add(entry: RequestEvent): void;
  /** Counts requests the stream left out (past its rate): the journal still has them. */
  skipped(count: number): void;
}

// Entries kept in memory, and rows shown at once: the journal can be long, the page must stay quick.
const MAX_ENTRIES = 2_000;
const MAX_ROWS = 200;

const SOURCES: Record<ScenarioSource, string> = {
  header: "the X-Fake-Jelou-Scenario header",
  prefer: "Prism's Prefer header",
  rule: "a rule set through the admin API",
  "magic-id": "a magic conversation id",
  default: "the server default",
};

/** Builds the Requests view. */
export function requestsView(): RequestsView {
  let entries: RequestEvent[] = [];
  let filter: RequestFilter = { operation: "", status: { kind: "any" }, projectId: "" };
  const operations = new Set<string>();
  const projects = new Set<string>();

  const operationSelect = h("select", { name: "operation" }, h("option", { value: "" }, "any"));
  const statusInput = h("input", {
    name: "status",
    placeholder: "200, 4xx, none",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "status-hint",
  });
  const projectList = h("datalist", { id: "request-projects" });
  const projectInput = h("input", {
    name: "project",
    list: "request-projects",
    autocomplete: "off",
    spellcheck: "false",
  });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter requests" },
    field("Operation", operationSelect),
    field("Status", statusInput),
    field("Project", projectInput, projectList),
    h("p", { id: "status-hint", class: "hint" }, "Status: a code (404), a class (4xx) or none."),
  );
  const summary = h("p", { class: "count" });
  const list = h("div", { class: "rows" });
  const element = h(
    "section",
    { "aria-labelledby": "requests-title" },
    h("h2", { id: "requests-title", tabindex: -1 }, "Requests"),
    form,
    summary,
    list,
  );

  const readFilter = () => {
    const status = parseStatusFilter(statusInput.value);
    statusInput.setAttribute("aria-invalid", String(status === undefined));
    filter = {
      operation: operationSelect.value,
      status: status ?? filter.status,
      projectId: projectInput.value.trim(),
    };
    render();
  };
  form.addEventListener("input", readFilter);
  form.addEventListener("submit", (event) => event.preventDefault());

  let matched = 0;
  let skipped = 0;
  const render = () => {
    const matching = entries.filter((entry) => matchesFilter(entry, filter));
    matched = matching.length;
    replace(list, matching.slice(-MAX_ROWS).reverse().map(row));
    showCount(matched);
  };
  const showCount = (matching: number) => {
    if (entries.length === 0 && skipped === 0) {
      replace(summary, `No requests yet. Point your Jelou client at ${location.origin}/jelouapi.`);
      return;
    }
    const shown = Math.min(matching, MAX_ROWS);
    replace(
      summary,
      `${matching} of ${entries.length} requests match`,
      shown < matching ? ` (newest ${shown} shown)` : "",
      skipped > 0 ? `; ${skipped} more came faster than the stream shows them (GET /__admin/requests lists them)` : "",
      ".",
    );
  };
  // Options appear as requests name them, in alphabetical order.
  const remember = (entry: RequestEvent) => {
    if (entry.operation && !operations.has(entry.operation)) {
      operations.add(entry.operation);
      const option = h("option", { value: entry.operation }, entry.operation);
      const after = [...operationSelect.options].find((o) => o.value > option.value && o.value !== "");
      operationSelect.insertBefore(option, after ?? null);
    }
    if (entry.projectId !== undefined && !projects.has(entry.projectId)) {
      projects.add(entry.projectId);
      projectList.append(h("option", { value: entry.projectId }));
    }
  };

  return {
    element,
    shown() {},
    clear() {
      entries = [];
      matched = 0;
      skipped = 0;
      replace(list);
      showCount(0);
    },
    skipped(more) {
      skipped += more;
      showCount(matched);
    },
    add(entry) {
      entries.push(entry);
      remember(entry);
      if (entries.length > MAX_ENTRIES) {
        entries = entries.slice(-MAX_ENTRIES / 2);
        return render();
      }
      if (!matchesFilter(entry, filter)) return showCount(matched);
      matched++;
      list.prepend(row(entry));
      list.children[MAX_ROWS]?.remove();
      showCount(matched);
    },
  };
}

// A row is a <details>: its summary is a button for the keyboard and screen readers alike. The body is built the
// first time it opens, so a long journal costs one line per entry.
function row(entry: RequestEvent): HTMLDetailsElement {
  const details = h(
    "details",
    { class: "row request" },
    h(
      "summary",
      null,
      timeOf(entry.time),
      h("span", { class: "method" }, entry.method),
      statusBadge(entry.status),
      h("span", { class: "path" }, entry.path),
      entry.operation && h("span", { class: "tag" }, entry.operation),
      entry.scenario && h("span", { class: `badge scenario ${entry.scenario}` }, entry.scenario),
    ),
  );
  details.addEventListener(
    "toggle",
    () => {
      details.append(decision(entry));
    },
    { once: true },
  );
  return details;
}

function decision(entry: RequestEvent): HTMLElement {
  const body = h(
    "div",
    { class: "detail" },
    fields([
      ["Operation", entry.operation ?? "none (not a spec route)"],
      ["Project", entry.projectId],
      ["Conversation", entry.conversationId],
      ["Scenario", entry.scenario],
      ["Decided by", entry.scenarioSource && `${entry.scenarioSource} (${SOURCES[entry.scenarioSource]})`],
      ["Auth", entry.auth],
      ["Status", entry.status ?? "none: no response was sent"],
      ["Duration", `${entry.durationMs} ms`],
      ["Path", entry.truncated ? "cut to its first 1024 bytes" : undefined],
    ]),
  );
  if (entry.scenarioSource === "rule") {
    const rule = h("div", { class: "rule" }, h("p", null, "Loading the rule…"));
    body.append(rule);
    void showRule(entry, rule);
  }
  const { response } = entry;
  if (response) {
    append(body, [
      h("h3", null, "Response body", response.contentType && h("span", { class: "hint" }, ` ${response.contentType}`)),
      bodyBlock(response.body),
      response.truncated && h("p", { class: "hint" }, "The body was cut."),
    ]);
  } else {
    body.append(h("p", { class: "hint" }, "No body: only requests seen live carry theirs (the journal keeps none)."));
  }
  return body;
}

function bodyBlock(text: string): HTMLPreElement {
  try {
    return jsonBlock(JSON.parse(text));
  } catch {
    return h("pre", { class: "json", tabindex: 0 }, text);
  }
}

// The rule as it is now (it may have changed since the request): the conversation's, else the operation's for the
// project, else the operation's for every project.
async function showRule(entry: RequestEvent, into: HTMLElement): Promise<void> {
  const paths: string[] = [];
  const { projectId, conversationId, operation } = entry;
  if (projectId !== undefined && conversationId !== undefined) {
    paths.push(adminPath("conversations", projectId, conversationId));
  }
  if (operation !== undefined) {
    if (projectId !== undefined) paths.push(adminPath("operations", operation, projectId));
    paths.push(adminPath("operations", operation));
  }
  try {
    for (const path of paths) {
      try {
        const rule = await api<StoredRule | OperationRule>("GET", path);
        replace(into, h("h3", null, "Rule now ", h("span", { class: "hint" }, `GET ${path}`)), jsonBlock(rule));
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
      }
    }
    replace(into, h("p", { class: "hint" }, "The rule is gone: it was removed or replaced since."));
  } catch (error) {
    replace(into, h("p", { class: "error" }, `Failed to load the rule: ${errorText(error)}`));
  }
}
