// The Conversations view: the sandbox's world per project (its integration, its conversations), a conversation's
// transcript, and what a developer does to one: close it, write as its end user, set what Get Conversation answers.
import type { SchemaConversation } from "../../generated/jelou-external-support.ts";
import type { StoredRule } from "../../mock/rules.ts";
import { SCENARIOS } from "../../mock/scenario.ts";
import type { TranscriptMessage } from "../../mock/state.ts";
import { ADMIN, ApiError, adminPath, api, errorText, onClick, onSubmit } from "./api.ts";
import type { WorldSnapshot } from "./contract.ts";
import { field, fields, h, jsonBlock, plural, replace, timeOf, type View } from "./dom.ts";

/** The Conversations view; `invalidate()` refreshes it soon when shown, else the next time it is. */
export interface WorldView extends View {
  invalidate(): void;
}

type WorldConversation = WorldSnapshot["conversations"][number];
type WorldIntegration = WorldSnapshot["integrations"][number];

// Changes come in bursts (a test starting ten conversations): one fetch after the burst.
const DEBOUNCE_MS = 250;
const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/** Builds the Conversations view. */
export function worldView(): WorldView {
  const status = h("p", { class: "count", role: "status" });
  const container = h("div", { class: "projects" });
  const element = h(
    "section",
    { "aria-labelledby": "world-title" },
    h("h2", { id: "world-title", tabindex: -1 }, "Conversations and integrations"),
    status,
    container,
  );
  const projects = new Map<string, ProjectSection>();
  let stale = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loading: Promise<void> | undefined;

  const load = async () => {
    try {
      apply(await api<WorldSnapshot>("GET", `${ADMIN}/world`));
    } catch (error) {
      replace(status, h("span", { class: "error" }, `Failed to load the world: ${errorText(error)}`));
    }
  };
  const refresh = () => {
    clearTimeout(timer);
    timer = undefined;
    stale = false;
    // One fetch at a time; a change during it asks for one more after it.
    loading = (loading ?? Promise.resolve()).then(load).finally(() => {
      loading = undefined;
    });
  };

  const apply = (world: WorldSnapshot) => {
    const byProject = new Map<string, { integration?: WorldIntegration; conversations: WorldConversation[] }>();
    const group = (projectId: string) =>
      byProject.get(projectId) ?? byProject.set(projectId, { conversations: [] }).get(projectId);
    for (const item of world.integrations) {
      const entry = group(item.projectId);
      if (entry) entry.integration = item;
    }
    for (const item of world.conversations) group(item.projectId)?.conversations.push(item);

    const ids = [...byProject.keys()].sort();
    for (const [id, section] of projects) {
      if (!byProject.has(id)) {
        section.element.remove();
        projects.delete(id);
      }
    }
    ids.forEach((id, index) => {
      let section = projects.get(id);
      if (!section) {
        section = projectSection(id, refresh);
        projects.set(id, section);
      }
      const data = byProject.get(id);
      if (data) section.update(data.integration, data.conversations);
      placeAt(container, section.element, index);
    });
    if (ids.length === 0) {
      replace(
        status,
        "No integration or conversation yet: create an integration and start a conversation through the API " +
          "(the README's sandbox section shows how).",
      );
    } else {
      replace(
        status,
        `${plural(world.integrations.length, "integration")}, ${plural(world.conversations.length, "conversation")}`,
        world.truncated ? " (the newest ones only)" : "",
        ".",
      );
    }
  };

  return {
    element,
    shown() {
      if (stale) refresh();
    },
    invalidate() {
      stale = true;
      if (!element.isConnected) return;
      // A refresh DEBOUNCE_MS after the first change, not after the last: a steady stream of changes (a load test)
      // must not postpone it for ever.
      if (timer === undefined) timer = setTimeout(refresh, DEBOUNCE_MS);
    },
  };
}

// Moves a node to a position only when it is not there: moving a node takes the focus away from whatever is in it.
function placeAt(parent: Element, node: Element, index: number): void {
  const current = parent.children[index];
  if (current !== node) parent.insertBefore(node, current ?? null);
}

interface ProjectSection {
  element: HTMLElement;
  update(integration: WorldIntegration | undefined, conversations: WorldConversation[]): void;
}

function projectSection(projectId: string, refresh: () => void): ProjectSection {
  const integration = h("div", { class: "integration" });
  const list = h("div", { class: "rows" });
  const element = h(
    "section",
    { class: "project" },
    h("h3", null, "Project ", h("span", { class: "id" }, projectId)),
    integration,
    list,
  );
  const cards = new Map<string, ConversationCard>();
  return {
    element,
    update(item, conversations) {
      if (item) {
        const i = item.integration;
        replace(
          integration,
          h("h4", null, "Integration"),
          fields([
            ["Webhook", h("span", { class: "id" }, i.webhookUrl)],
            ["Auth", `${i.authType}${item.hasAuthorization ? " (credential set, never shown)" : ""}`],
            ["Id", h("span", { class: "id" }, i.id)],
            ["Created", timeOf(i.createdAt)],
            ["Updated", i.updatedAt === i.createdAt ? undefined : timeOf(i.updatedAt)],
          ]),
        );
      } else {
        replace(integration, h("p", { class: "hint" }, "No integration: its conversations send no webhooks."));
      }
      const seen = new Set<string>();
      conversations.forEach((item, index) => {
        const id = item.conversation._id;
        seen.add(id);
        let card = cards.get(id);
        if (!card) {
          card = conversationCard(projectId, id, refresh);
          cards.set(id, card);
        }
        card.update(item);
        placeAt(list, card.element, index);
      });
      for (const [id, card] of cards) {
        if (!seen.has(id)) {
          card.element.remove();
          cards.delete(id);
        }
      }
    },
  };
}

interface ConversationCard {
  element: HTMLDetailsElement;
  update(item: WorldConversation): void;
}

function conversationCard(projectId: string, conversationId: string, refresh: () => void): ConversationCard {
  const summary = h("summary");
  const facts = h("div");
  const transcript = h("ol", { class: "transcript", "aria-label": "Transcript" });
  const closeStatus = h("p", { class: "status", role: "status" });
  const closeButton = h("button", { type: "button" }, "Close conversation");
  const send = sendForm(projectId, conversationId, () => void loadTranscript());
  const rule = ruleForm(projectId, conversationId);
  const element = h(
    "details",
    { class: "row conversation" },
    summary,
    h(
      "div",
      { class: "detail" },
      facts,
      h("h4", null, "Transcript"),
      transcript,
      h("div", { class: "actions" }, closeButton, closeStatus),
      send.element,
      rule.element,
    ),
  );
  let shownMessages = -1;
  let messages = 0;

  const loadTranscript = async () => {
    try {
      const body = await api<{ messages: TranscriptMessage[] }>(
        "GET",
        adminPath("conversations", projectId, conversationId, "messages"),
      );
      shownMessages = body.messages.length;
      replace(
        transcript,
        body.messages.length === 0 ? h("li", { class: "hint" }, "No message yet.") : body.messages.map(messageItem),
      );
    } catch (error) {
      replace(transcript, h("li", { class: "error" }, `Failed to load the transcript: ${errorText(error)}`));
    }
  };
  element.addEventListener("toggle", () => {
    if (!element.open) return;
    void loadTranscript();
    rule.load();
  });
  onClick(closeButton, closeStatus, async () => {
    await api("POST", adminPath("conversations", projectId, conversationId, "close"));
    refresh();
    return "Closed.";
  });

  return {
    element,
    update({ conversation, messages: count }) {
      messages = count;
      replace(
        summary,
        h("span", { class: "id" }, conversation._id),
        h("span", { class: `badge state ${conversation.state}` }, conversation.state),
        h("span", null, conversation.User.names),
        h("span", { class: "hint" }, plural(count, "message")),
        timeOf(conversation.startAt),
      );
      replace(facts, conversationFields(conversation));
      const active = conversation.state === "active";
      closeButton.disabled = !active;
      send.setActive(active);
      if (element.open && shownMessages !== messages) void loadTranscript();
    },
  };
}

function conversationFields(c: SchemaConversation): HTMLDListElement {
  return fields([
    ["User", `${c.User.names} (${c.User.referenceId})`],
    ["User id", h("span", { class: "id" }, c.User.id)],
    ["Bot", `${c.Bot.name} (${c.Bot.type})`],
    ["Bot id", h("span", { class: "id" }, c.Bot.id)],
    ["Room", h("span", { class: "id" }, c.roomId)],
    ["Started", timeOf(c.startAt)],
    ["Ended", c.state === "closed" ? [timeOf(c.endAt), ` ${c.endedReason}`] : undefined],
  ]);
}

function messageItem(message: TranscriptMessage): HTMLLIElement {
  const { value } = message;
  let content: HTMLElement;
  switch (value.type) {
    case "text":
      content = h("p", { class: "text" }, value.content.body);
      break;
    case "image":
    case "video":
    case "audio":
    case "document":
      // Media are named, never loaded: the CSP allows no image from elsewhere, and a URL from a test may be anything.
      content = h(
        "p",
        { class: "text" },
        `${value.type}: `,
        h("span", { class: "id" }, value.content.url),
        "caption" in value.content && value.content.caption ? ` — ${value.content.caption}` : "",
      );
      break;
    default:
      content = jsonBlock(value);
  }
  return h(
    "li",
    { class: `message from-${message.from}` },
    h("span", { class: "badge" }, message.from),
    timeOf(message.at),
    content,
  );
}

function sendForm(projectId: string, conversationId: string, sent: () => void) {
  const status = h("p", { class: "status", role: "status" });
  const type = h(
    "select",
    { name: "type" },
    h("option", { value: "text" }, "text"),
    h("option", { value: "image" }, "image"),
  );
  const body = h("textarea", { name: "content.body", rows: 2 });
  const url = h("input", { name: "content.url", type: "url", placeholder: "https://example.com/photo.jpg" });
  const mime = h(
    "select",
    { name: "content.mime_type" },
    IMAGE_TYPES.map((t) => h("option", { value: t }, t)),
  );
  const caption = h("input", { name: "content.caption" });
  const textFields = h("div", { class: "grow" }, field("Text", body));
  const imageFields = h(
    "div",
    { class: "grow", hidden: true },
    field("Image URL", url),
    field("Media type", mime),
    field("Caption (optional)", caption),
  );
  const fieldset = h(
    "fieldset",
    null,
    h("legend", null, "Send a message as the end user"),
    field("Type", type),
    textFields,
    imageFields,
    h("div", { class: "actions" }, h("button", { type: "submit" }, "Send"), status),
  );
  const form = h("form", { class: "send", novalidate: true }, fieldset);
  type.addEventListener("change", () => {
    textFields.hidden = type.value !== "text";
    imageFields.hidden = type.value !== "image";
  });
  onSubmit(form, status, async () => {
    const message =
      type.value === "text"
        ? { type: "text", content: { body: body.value } }
        : {
            type: "image",
            content: { url: url.value, mime_type: mime.value, ...(caption.value && { caption: caption.value }) },
          };
    const recorded = await api<TranscriptMessage>(
      "POST",
      adminPath("conversations", projectId, conversationId, "messages"),
      message,
    );
    body.value = "";
    sent();
    return `Sent as message ${recorded.value.id}; its webhook shows in Deliveries.`;
  });
  return {
    element: form,
    setActive(active: boolean) {
      fieldset.disabled = !active;
      if (!active) replace(status, "Closed: an end user writes only in an active conversation.");
    },
  };
}

function ruleForm(projectId: string, conversationId: string) {
  const status = h("p", { class: "status", role: "status" });
  const now = h("p", { class: "hint" });
  const scenario = h(
    "select",
    { name: "scenario" },
    SCENARIOS.map((name) => h("option", { value: name }, name)),
  );
  const overrides = h("textarea", {
    name: "conversation",
    rows: 3,
    spellcheck: "false",
    placeholder: '{"endedReason": "closed_by_user"}',
  });
  const remove = h("button", { type: "button" }, "Remove rule");
  const form = h(
    "form",
    { class: "rule", novalidate: true },
    h(
      "fieldset",
      null,
      h("legend", null, "Rule: what Get Conversation answers"),
      now,
      field("Scenario", scenario),
      field("Overrides (JSON, optional; active and closed only)", overrides),
      h("div", { class: "actions" }, h("button", { type: "submit" }, "Set rule"), remove, status),
    ),
  );
  const path = adminPath("conversations", projectId, conversationId);
  const show = (rule: StoredRule | undefined) => {
    if (!rule) {
      replace(now, "No rule: Get Conversation answers from the sandbox and the server default.");
      return;
    }
    replace(now, `Now: ${rule.scenario}`, rule.conversation ? " with overrides" : "", ".");
    scenario.value = rule.scenario;
    overrides.value = rule.conversation ? JSON.stringify(rule.conversation, null, 2) : "";
  };
  const load = async () => {
    try {
      show(await api<StoredRule>("GET", path));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) show(undefined);
      else replace(now, h("span", { class: "error" }, errorText(error)));
    }
  };
  onSubmit(form, status, async () => {
    let conversation: unknown;
    if (overrides.value.trim() !== "") {
      try {
        conversation = JSON.parse(overrides.value);
      } catch (error) {
        const why = `not JSON: ${errorText(error)}`;
        throw new ApiError(0, `Overrides are ${why}`, { conversation: `Overrides are ${why}` });
      }
    }
    show(await api<StoredRule>("PUT", path, { scenario: scenario.value, conversation }));
    return "Rule set.";
  });
  onClick(remove, status, async () => {
    await api("DELETE", path);
    show(undefined);
    return "Rule removed.";
  });
  return {
    element: form,
    load: () => void load(),
  };
}
