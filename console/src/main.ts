// The console's entry: four views behind a hash router, all fed by one event stream.
import { deliveriesView } from "./deliveries.ts";
import type { View } from "./dom.ts";
import { connectEvents, type StreamState } from "./events.ts";
import { requestsView } from "./requests.ts";
import { serverView } from "./server.ts";
import { worldView } from "./world.ts";

// The admin token the URL carried is the server's to turn into the cookie: it leaves the address bar and the history.
if (new URLSearchParams(location.search).has("token"))
  history.replaceState(null, "", location.pathname + location.hash);

const requests = requestsView();
const world = worldView();
const deliveries = deliveriesView();
const server = serverView();
const VIEWS: Record<string, View> = { requests, conversations: world, deliveries, server };

const main = document.getElementById("view");
const streamState = document.getElementById("stream-state");
const links = [...document.querySelectorAll<HTMLAnchorElement>("nav a[data-view]")];

const STATE_TEXT: Record<StreamState, string> = {
  connecting: "Connecting…",
  live: "Live",
  down: "Disconnected: retrying",
};

// Shows the view the hash names; `focus` moves the focus to its heading, as a page load would for a keyboard user.
function route(focus: boolean): void {
  const name = location.hash.slice(1);
  const key = Object.hasOwn(VIEWS, name) ? name : "requests";
  const view = VIEWS[key];
  if (!main || !view) return;
  main.replaceChildren(view.element);
  for (const link of links) {
    if (link.dataset.view === key) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${links.find((l) => l.dataset.view === key)?.textContent ?? "Console"} · fake-jelou`;
  view.shown();
  if (focus) view.element.querySelector<HTMLElement>("h2")?.focus();
}

window.addEventListener("hashchange", () => route(true));
route(false);

const feed = connectEvents({
  state(state) {
    if (!streamState) return;
    streamState.textContent = STATE_TEXT[state];
    streamState.className = `stream ${state}`;
  },
  ready() {
    requests.clear();
    deliveries.clear();
    world.invalidate();
    server.invalidate();
  },
  request(entry) {
    requests.add(entry);
    // A call that may have changed the world: the Conversations view catches up (debounced).
    if (entry.method !== "GET" && entry.status !== null && entry.status < 300) world.invalidate();
  },
  skipped({ requests: count }) {
    requests.skipped(count);
  },
  delivery(record) {
    deliveries.upsert(record);
  },
  change(change) {
    world.invalidate();
    server.invalidate();
    // The journal and the deliveries were emptied: a new connection brings them as they are now.
    if (change.path === "/__admin/reset" || (change.method === "DELETE" && change.path === "/__admin/requests")) {
      feed.restart();
    }
  },
});
