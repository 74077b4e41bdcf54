// The Deliveries view: each webhook the fake sent (or is sending), its attempts, its payload, and a button to send it
// again. Records come from the event stream, once when created and again on every change (upserted by id).
import type { DeliveryAttempt, DeliveryRecord } from "../../mock/webhooks/deliveries.ts";
import { adminPath, api, onClick } from "./api.ts";
import { fields, h, jsonBlock, plural, replace, timeOf, type View } from "./dom.ts";

/** The Deliveries view, fed by the event stream. */
export interface DeliveriesView extends View {
  /** Forgets every delivery (a new connection's backlog follows). */
  clear(): void;
  upsert(record: DeliveryRecord): void;
}

// The fake keeps 1000 records at most; the page keeps as many, and drops the oldest beyond.
const MAX_CARDS = 1_000;

/** Builds the Deliveries view. */
export function deliveriesView(): DeliveriesView {
  const count = h("p", { class: "count" });
  const list = h("div", { class: "rows" });
  const element = h(
    "section",
    { "aria-labelledby": "deliveries-title" },
    h("h2", { id: "deliveries-title", tabindex: -1 }, "Webhook deliveries"),
    count,
    list,
  );
  const cards = new Map<string, DeliveryCard>();
  const counted = () => {
    replace(
      count,
      cards.size === 0
        ? "No delivery yet: they go out when a project with an integration starts or closes a conversation, or " +
            "its end user writes."
        : `${plural(cards.size, "delivery", "deliveries")}, newest first.`,
    );
  };
  counted();

  const view: DeliveriesView = {
    element,
    shown() {},
    clear() {
      cards.clear();
      replace(list);
      counted();
    },
    upsert(record) {
      const card = cards.get(record.id);
      if (card) return card.update(record);
      // The answer to a redelivery may come after the stream reported the new record further along: it only adds.
      const created = deliveryCard(record, (again) => {
        if (!cards.has(again.id)) view.upsert(again);
      });
      cards.set(record.id, created);
      list.prepend(created.element);
      if (cards.size > MAX_CARDS) {
        const oldest = cards.keys().next().value;
        if (oldest !== undefined) {
          cards.get(oldest)?.element.remove();
          cards.delete(oldest);
        }
      }
      counted();
    },
  };
  return view;
}

interface DeliveryCard {
  element: HTMLDetailsElement;
  update(record: DeliveryRecord): void;
}

// The summary and the changing facts are redrawn on each update; the button and the payload stay, so an update never
// takes the focus away.
function deliveryCard(initial: DeliveryRecord, redelivered: (record: DeliveryRecord) => void): DeliveryCard {
  let record = initial;
  const summary = h("summary");
  const facts = h("div");
  const attempts = h("ul", { class: "attempts", "aria-label": "Attempts" });
  const status = h("p", { class: "status", role: "status" });
  const button = h("button", { type: "button" }, "Redeliver");
  const element = h(
    "details",
    { class: "row delivery" },
    summary,
    h(
      "div",
      { class: "detail" },
      facts,
      h("h4", null, "Attempts"),
      attempts,
      h("div", { class: "actions" }, button, status),
      h("h4", null, "Payload"),
      jsonBlock(initial.payload),
    ),
  );
  onClick(button, status, async () => {
    const again = await api<DeliveryRecord>("POST", adminPath("deliveries", record.id, "redeliver"));
    redelivered(again);
    return `Sent again as delivery ${again.id}, now first in the list.`;
  });
  const update = (next: DeliveryRecord) => {
    record = next;
    const last = next.attempts.at(-1);
    replace(
      summary,
      timeOf(next.createdAt),
      h("span", { class: "tag" }, next.event),
      h("span", { class: `badge outcome ${next.outcome}` }, next.outcome),
      last && attemptResult(last),
      h("span", { class: "id" }, `${next.projectId} / ${next.conversationId}`),
      next.redeliveryOf && h("span", { class: "tag" }, "redelivery"),
    );
    replace(
      facts,
      fields([
        ["Delivery", h("span", { class: "id" }, next.id)],
        ["To", h("span", { class: "id" }, `${next.origin}${next.path}`)],
        ["Project", h("span", { class: "id" }, next.projectId)],
        ["Conversation", h("span", { class: "id" }, next.conversationId)],
        ["Signature", h("span", { class: "id" }, next.signature)],
        ["Auth header", next.authHeader],
        ["Fault", next.fault],
        ["Redelivery of", next.redeliveryOf && h("span", { class: "id" }, next.redeliveryOf)],
      ]),
    );
    replace(
      attempts,
      next.attempts.length === 0
        ? h("li", { class: "hint" }, "None yet.")
        : next.attempts.map((a) =>
            h("li", null, `#${a.attempt} `, timeOf(a.at), " ", attemptResult(a), ` ${a.latencyMs} ms`),
          ),
    );
  };
  update(initial);
  return { element, update };
}

function attemptResult(attempt: DeliveryAttempt): HTMLSpanElement {
  if (attempt.status !== undefined && attempt.error === undefined) {
    return h("span", { class: `badge status s${String(attempt.status)[0]}` }, attempt.status);
  }
  const text = [attempt.status, attempt.error].filter((part) => part !== undefined).join(" ");
  return h("span", { class: "badge status none" }, text);
}
