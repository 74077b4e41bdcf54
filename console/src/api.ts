// The admin API as the page calls it: same-origin with the cookie (the server traded the token for it), JSON in and
// out, and Jelou's error envelope turned into an ApiError whose validationError is shown by field.
import type { SchemaErrorEnvelope } from "../../generated/jelou-external-support.ts";
import { h, replace } from "./dom.ts";

/** Where the admin API lives. */
export const ADMIN = "/__admin";

/** An admin path from raw segments, each percent-encoded (ids may hold any character). */
export function adminPath(...segments: string[]): string {
  return `${ADMIN}/${segments.map(encodeURIComponent).join("/")}`;
}

/**
 * A call that did not succeed: a status with Jelou's envelope, or no answer at all (status 0). `fields` holds its
 * validationError, a message per field (also set by the page for a value it cannot send, such as malformed JSON).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly fields: Readonly<Record<string, string>>;
  constructor(status: number, message: string, fields: Record<string, string> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.fields = fields;
  }
}

/** Calls the admin API; a PUT, POST or DELETE always sends a JSON body (`{}` by default), as the admin guard requires. */
export async function api<T>(method: "GET" | "PUT" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const init: RequestInit = { method, headers, credentials: "same-origin" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, init);
    text = await response.text();
  } catch {
    throw new ApiError(0, "The fake did not answer: is it still running?");
  }
  const parsed = parseJson(text);
  if (response.ok) return parsed as T;
  throw errorOf(response.status, parsed);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isEnvelope(body: unknown): body is SchemaErrorEnvelope {
  return typeof body === "object" && body !== null && "error" in body && typeof body.error === "object";
}

function errorOf(status: number, body: unknown): ApiError {
  if (!isEnvelope(body)) return new ApiError(status, `The fake answered ${status}.`);
  const message = Array.isArray(body.message) ? body.message.join(" ") : body.message;
  const key = body.error.key;
  // A token set and no cookie (or a stale one): say how to get in, the envelope cannot.
  const hint = key === "ADMIN_UNAUTHORIZED" ? " Open the console with the URL that carries ?token=." : "";
  const fields = Object.fromEntries(
    Object.entries(body.validationError ?? {}).map(([field, messages]) => [
      field,
      messages.map((m) => m.en ?? m.es ?? Object.values(m)[0] ?? "").join(" "),
    ]),
  );
  return new ApiError(status, `${status} ${key}: ${message || body.error.description || ""}${hint}`, fields);
}

/** The text of an error for the page. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const FIELD_ERROR = "field-error";

/** Removes what showFormError() added to a form. */
export function clearFormErrors(form: HTMLFormElement): void {
  for (const node of form.querySelectorAll(`.${FIELD_ERROR}`)) node.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    control.removeAttribute("aria-describedby");
  }
}

let errorIds = 0;

/**
 * Shows an error on a form: each validationError field next to the control it names (`content.body` goes to the
 * control named `content.body`, `conversation.User.names` to the one named `conversation`), the rest in its status.
 */
export function showFormError(form: HTMLFormElement, status: HTMLElement, error: unknown): void {
  clearFormErrors(form);
  const unplaced: string[] = [];
  const byField = error instanceof ApiError ? error.fields : {};
  for (const [field, text] of Object.entries(byField)) {
    const control = controlFor(form, field);
    if (!control) {
      unplaced.push(`${field}: ${text}`);
      continue;
    }
    const id = `field-error-${++errorIds}`;
    const note = h("p", { class: FIELD_ERROR, id }, text);
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", id);
    control.after(note);
  }
  replace(status, h("span", { class: "error" }, errorText(error)), unplaced.length > 0 ? ` ${unplaced.join(" ")}` : "");
}

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function isControl(element: Element): element is Control {
  return (
    element instanceof HTMLInputElement ||
    element instanceof HTMLSelectElement ||
    element instanceof HTMLTextAreaElement
  );
}

// The control whose name is the field, or the longest name the field starts with (then a dot).
function controlFor(form: HTMLFormElement, field: string): Control | undefined {
  let best: Control | undefined;
  for (const control of form.elements) {
    if (!isControl(control)) continue;
    if (!control.name) continue;
    if (control.name === field) return control;
    if (field.startsWith(`${control.name}.`) && control.name.length > (best?.name.length ?? 0)) best = control;
  }
  return best;
}

/**
 * Runs a form's action on submit: the form is busy meanwhile, earlier errors are cleared, the action's message (or
 * the error, by field) goes to `status`.
 */
export function onSubmit(form: HTMLFormElement, status: HTMLElement, action: () => Promise<string>): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void run(form, status, action);
  });
}

/** Runs a button's action on click, the same way as onSubmit(). */
export function onClick(button: HTMLButtonElement, status: HTMLElement, action: () => Promise<string>): void {
  button.addEventListener("click", () => void run(button, status, action));
}

async function run(owner: HTMLFormElement | HTMLButtonElement, status: HTMLElement, action: () => Promise<string>) {
  const form = owner instanceof HTMLFormElement ? owner : undefined;
  if (owner.getAttribute("aria-busy") === "true") return;
  owner.setAttribute("aria-busy", "true");
  replace(status, "…");
  if (form) clearFormErrors(form);
  try {
    replace(status, h("span", { class: "ok" }, await action()));
  } catch (error) {
    if (form) showFormError(form, status, error);
    else replace(status, h("span", { class: "error" }, errorText(error)));
  } finally {
    owner.removeAttribute("aria-busy");
  }
}
