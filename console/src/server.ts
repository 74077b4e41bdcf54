// The Server view: the default scenario (switchable), reset, the seed, and the spec.
import { SCENARIOS } from "../../mock/scenario.ts";
import { ADMIN, api, errorText, onClick, onSubmit } from "./api.ts";
import type { WorldSnapshot } from "./contract.ts";
import { field, fields, h, replace, type View } from "./dom.ts";

/** The Server view; `invalidate()` reloads it when shown, else the next time it is. */
export interface ServerView extends View {
  invalidate(): void;
}

/** Builds the Server view. */
export function serverView(): ServerView {
  const scenario = h(
    "select",
    { name: "scenario", id: "default-scenario" },
    SCENARIOS.map((name) => h("option", { value: name }, name)),
  );
  const current = h("p", { class: "hint" });
  const scenarioStatus = h("p", { class: "status", role: "status" });
  const scenarioForm = h(
    "form",
    { class: "inline", novalidate: true },
    field("Scenario", scenario),
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Apply"), scenarioStatus),
  );
  const resetStatus = h("p", { class: "status", role: "status" });
  const resetButton = h("button", { type: "button", class: "danger" }, "Reset the fake");
  const world = h("div");
  const element = h(
    "section",
    { "aria-labelledby": "server-title" },
    h("h2", { id: "server-title", tabindex: -1 }, "Server"),
    h(
      "section",
      { class: "card" },
      h("h3", null, "Default scenario"),
      h("p", { class: "hint" }, "What every request gets unless a header, a rule or a magic id decides otherwise."),
      current,
      scenarioForm,
    ),
    h(
      "section",
      { class: "card" },
      h("h3", null, "Reset"),
      h(
        "p",
        { class: "hint" },
        "Back to the startup state: default scenario, no rules, empty journal, state and deliveries.",
      ),
      h("div", { class: "actions" }, resetButton, resetStatus),
    ),
    h("section", { class: "card" }, h("h3", null, "Data"), world),
    h(
      "section",
      { class: "card" },
      h("h3", null, "Contract"),
      h(
        "p",
        null,
        "The OpenAPI document the fake serves: ",
        h("a", { href: `${ADMIN}/openapi.yaml` }, "openapi.yaml"),
        " (",
        h("a", { href: `${ADMIN}/openapi.json` }, "JSON"),
        ").",
      ),
    ),
  );
  let stale = true;

  const load = async () => {
    stale = false;
    try {
      const snapshot = await api<WorldSnapshot>("GET", `${ADMIN}/world`);
      replace(current, "Now: ", h("strong", null, snapshot.scenario), ".");
      scenario.value = snapshot.scenario;
      replace(
        world,
        fields([
          ["Seed", h("span", { class: "id" }, snapshot.seed)],
          ["Integrations", snapshot.integrations.length],
          ["Conversations", `${snapshot.conversations.length}${snapshot.truncated ? " (at least)" : ""}`],
        ]),
      );
    } catch (error) {
      replace(current, h("span", { class: "error" }, `Failed to load: ${errorText(error)}`));
    }
  };
  onSubmit(scenarioForm, scenarioStatus, async () => {
    const answer = await api<{ scenario: string }>("PUT", `${ADMIN}/scenario`, { scenario: scenario.value });
    void load();
    return `Default scenario set to ${answer.scenario}.`;
  });
  onClick(resetButton, resetStatus, async () => {
    await api("POST", `${ADMIN}/reset`);
    void load();
    return "Reset: the fake is as it started.";
  });

  return {
    element,
    shown() {
      if (stale) void load();
    },
    invalidate() {
      stale = true;
      if (element.isConnected) void load();
    },
  };
}
