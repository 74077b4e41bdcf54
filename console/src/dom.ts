// Builds the page from data. Text goes in only as text nodes, so no value from a request, a payload or a transcript
// can become markup; listeners go through addEventListener, since the CSP forbids inline handlers and styles.

type EventListeners = { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
type AttrValue = string | number | boolean | undefined;

/** Attributes to set (`false` and `undefined` are left out, `true` is set empty), plus listeners under `on`. */
export type Attrs = { [name: string]: AttrValue | EventListeners; on?: EventListeners };

/** What h() accepts as children: nodes, text (set as text, never parsed), and nothing (skipped). */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

/** Creates an element with attributes, listeners and children; throws on a `style`, `on*` or off-site link attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (name === "on") {
      for (const [type, listener] of Object.entries(value as EventListeners)) {
        element.addEventListener(type, listener as EventListener);
      }
      continue;
    }
    if (value === undefined || value === false) continue;
    if (name === "style" || /^on/i.test(name)) throw new Error(`h(): the CSP forbids the ${name} attribute.`);
    // The page links to its own routes only: a link built from data could carry a javascript: URL.
    if ((name === "href" || name === "src") && !/^(#|\/(?!\/))/.test(String(value))) {
      throw new Error(`h(): ${name} must be a same-origin path or a fragment.`);
    }
    element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

/** Appends children to a node, text as text nodes. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces every child of a node. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

let ids = 0;

/** A labelled control: the label names it through `for` (an id is given to the control when it has none). */
export function field(label: string, control: HTMLElement, ...more: Child[]): HTMLDivElement {
  if (!control.id) control.id = `field-${++ids}`;
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, ...more);
}

/** A definition list of label and value pairs; pairs whose value is undefined are left out. */
export function fields(pairs: readonly (readonly [string, Child])[]): HTMLDListElement {
  return h(
    "dl",
    { class: "fields" },
    pairs
      .filter(([, value]) => value !== undefined && value !== "")
      .map(([label, value]) => h("div", null, h("dt", null, label), h("dd", null, value))),
  );
}

/** JSON as indented text in a <pre>, for bodies and payloads. */
export function jsonBlock(value: unknown): HTMLPreElement {
  return h("pre", { class: "json", tabindex: 0 }, JSON.stringify(value, null, 2) ?? String(value));
}

/** A <time> of an ISO instant in local time with milliseconds (and its date unless it is today); the instant in full as its datetime. */
export function timeOf(iso: string): HTMLTimeElement {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h("time", null, iso);
  const clock = date.toLocaleTimeString("en-GB", { hour12: false });
  const ms = String(date.getMilliseconds()).padStart(3, "0");
  const day = date.toDateString() === new Date().toDateString() ? "" : `${date.toLocaleDateString("en-CA")} `;
  return h("time", { datetime: iso, title: iso }, `${day}${clock}.${ms}`);
}

/** "1 message", "2 messages" (or the plural given). */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** The badge of an HTTP status (or of no response at all), coloured by class. */
export function statusBadge(status: number | null | undefined): HTMLSpanElement {
  const kind = status === null || status === undefined ? "none" : `s${String(status)[0]}`;
  return h("span", { class: `badge status ${kind}` }, status ?? "no response");
}

/** One of the console's views: its element, kept while another view shows, and what it does when shown again. */
export interface View {
  readonly element: HTMLElement;
  shown(): void;
}
