// The console in a real browser (Debian's Chromium, driven by playwright-core) against a fake started in-process:
// what a developer sees and does there, that it renders hostile values as text under the CSP, and that it works
// with the keyboard, behind the admin token, and at a laptop's and a phone's width. One browser for the file, a new
// context per test; every wait is on a condition. Code run in the page is given as text: the tests are type-checked
// without the DOM's types, which belong to console/ only.
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startMockServer } from "../../mock/index.ts";
import { type ConsolePage, curl, launchChromium, openPage, type Receiver, startReceiver } from "../helpers/browser.ts";

type Fake = Awaited<ReturnType<typeof startMockServer>>;

const SCREENSHOTS = "reports/console-screenshots";
const XSS = "<img src=x onerror=window.__xss=1>";
const API_KEY = { "x-api-key": "any", "content-type": "application/json" };

let browser: Browser;
// One fake and one receiver for the file, reset before each test; a test that needs other options starts its own.
let shared: Fake;
let hooks: Receiver;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [browser, shared, hooks] = await Promise.all([launchChromium(), startMockServer({ port: 0 }), startReceiver()]);
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await Promise.all([browser?.close(), shared?.close(), hooks?.close()]);
});
beforeEach(() => {
  shared.reset();
  hooks.received.length = 0;
});
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function fake(options: { adminToken: string }): Promise<Fake> {
  const server = await startMockServer({ port: 0, ...options });
  cleanups.push(() => server.close());
  return server;
}

/** Opens the console (a view by its hash) and waits for the event stream to be live. */
async function open(server: Fake, view = "", viewport?: { width: number; height: number }): Promise<ConsolePage> {
  const opened = await openPage(browser, `${server.url}/__admin/console${view}`, viewport);
  cleanups.push(() => opened.context.close());
  await opened.page.locator("#stream-state.live").waitFor();
  return opened;
}

/** Nothing ran that the page did not ship: no injected script, no dialog, no CSP violation, no uncaught error. */
async function expectNothingInjected({ page, dialogs, violations, pageErrors }: ConsolePage): Promise<void> {
  expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
  expect(dialogs).toEqual([]);
  expect([...violations, ...(await page.evaluate<string[]>("window.__violations"))]).toEqual([]);
  expect(pageErrors).toEqual([]);
}

const project = (server: Fake, projectId: string) =>
  `${server.baseUrl}/v1/external-support/${encodeURIComponent(projectId)}`;

/** Creates the project's integration, its webhook at `webhookUrl`; resolves with its signing secret. */
async function createIntegration(server: Fake, projectId: string, webhookUrl: string): Promise<string> {
  const response = await fetch(project(server, projectId), {
    method: "POST",
    headers: API_KEY,
    body: JSON.stringify({ webhookUrl }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { signingSecret: string } }).data.signingSecret;
}

/** Starts a conversation through the API; resolves with its id. */
async function startConversation(server: Fake, projectId: string, userId = "+5215512345678"): Promise<string> {
  const response = await fetch(`${project(server, projectId)}/conversations/start`, {
    method: "POST",
    headers: API_KEY,
    body: JSON.stringify({ botId: "bot-1", userId }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: { _id: string } }).data._id;
}

const signatureOf = (secret: string, body: Buffer) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

// conversation.start and conversation.close name themselves in `event`, message in `event_type`.
const eventOf = (body: Buffer) => {
  const payload = JSON.parse(body.toString("utf8")) as { event?: string; event_type?: string };
  return payload.event ?? payload.event_type;
};

/** The row of a list (a <details>) whose summary holds `text`. */
const row = (page: Page, kind: string, text: string): Locator =>
  page.locator(`details.${kind}`).filter({ has: page.locator("summary", { hasText: text }) });

describe("the console", () => {
  it("shows a request made with curl live, and its row opens the decision and the response body", async () => {
    const server = shared;
    const opened = await open(server);
    const { page } = opened;
    const url = `${server.baseUrl}/v1/external-support/proj-live/conversations/conv-live`;
    expect((await curl("-H", "x-api-key: any", url)).status).toBe(200);

    const request = row(page, "request", "/proj-live/conversations/conv-live");
    await request.locator("summary").click();
    const detail = request.locator(".detail");
    await detail.getByText("default (the server default)").waitFor();
    await detail.getByText("api-key").waitFor();
    await detail.getByText('"_id": "conv-live"').waitFor();

    // A rule decides the next one: the row names it and shows the rule as it is now.
    await server.setConversation("proj-live", "conv-rule", { scenario: "closed" });
    expect((await curl("-H", "x-api-key: any", url.replace("conv-live", "conv-rule"))).status).toBe(200);
    const ruled = row(page, "request", "/conv-rule");
    await ruled.locator("summary").click();
    await ruled.getByText("rule (a rule set through the admin API)").waitFor();
    await ruled.getByText('"scenario": "closed"').waitFor();

    // Filters: a status class keeps the 404 of a magic id and hides the 200s.
    expect((await curl("-H", "x-api-key: any", url.replace("conv-live", "missing-1"))).status).toBe(404);
    await page.getByLabel("Status").fill("4xx");
    await row(page, "request", "/missing-1").waitFor();
    await request.waitFor({ state: "detached" });
    await expectNothingInjected(opened);
  });

  it("switches the default scenario from the Server view with the keyboard only, and the next response follows", async () => {
    const server = shared;
    const opened = await open(server);
    const { page } = opened;
    const focused = () => page.evaluate<string>("document.activeElement?.textContent?.trim() ?? ''");
    // Tab reaches the nav first; Enter follows a link, and the focus lands on the view's heading.
    const tabTo = async (name: string) => {
      for (let i = 0; i < 30 && (await focused()) !== name; i++) await page.keyboard.press("Tab");
      expect(await focused()).toBe(name);
    };
    await tabTo("Server");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Server", level: 2 }).waitFor();
    expect(await focused()).toBe("Server");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.name")).toBe("scenario");
    await page.keyboard.type("server-error");
    await tabTo("Apply");
    await page.keyboard.press("Space");
    await page.getByText("Default scenario set to server-error.").waitFor();

    const url = `${server.baseUrl}/v1/external-support/proj-k/conversations/conv-k`;
    expect((await curl("-H", "x-api-key: any", url)).status).toBe(500);

    // Back to Requests by keyboard: the row opens with Enter and shows the decision.
    await page.keyboard.press("Shift+Tab");
    await tabTo("Requests");
    await page.keyboard.press("Enter");
    const request = row(page, "request", "/conv-k");
    await request.locator("summary").focus();
    await page.keyboard.press("Enter");
    await request.getByText("default (the server default)").waitFor();
    await request.locator("dd", { hasText: /^server-error$/ }).waitFor();
    await request.getByText('"key": "UNKNOWN_ERROR"').waitFor();
    await expectNothingInjected(opened);
  });

  it("shows a conversation started through the API, sends a signed user message from the page and redelivers it byte for byte; a script in the ids and the body stays text", async () => {
    // The project's id, a conversation id in a curl path and the message are all <img src=x onerror=...>.
    const server = shared;
    // The Conversations view is open before the conversation starts: it follows the API's changes live.
    const opened = await open(server, "#conversations");
    const { page } = opened;
    const secret = await createIntegration(server, XSS, hooks.url);
    const conversationId = await startConversation(server, XSS);
    await page.locator(".project h3 .id").getByText(XSS, { exact: true }).waitFor();
    const card = row(page, "conversation", conversationId);
    await card.locator("summary").click();
    // A rule the spec refuses: the envelope's validationError shows beside the control it names.
    await card.getByLabel("Scenario", { exact: true }).selectOption("closed");
    await card.getByLabel(/^Overrides/).fill('{"state": "active"}');
    await card.getByRole("button", { name: "Set rule" }).click();
    const overridesError = card.locator('textarea[name="conversation"] + .field-error');
    await overridesError.getByText("conversation.state must match the scenario (closed)").waitFor();
    await card.getByRole("textbox", { name: "Text" }).fill(XSS);
    await card.getByRole("button", { name: "Send" }).click();
    await card.getByText("Sent as message").waitFor();
    const [message] = await hooks.waitFor((r) => eventOf(r.body) === "message");
    if (!message) throw new Error("no message event");
    expect(message.headers["x-jelou-signature"]).toBe(signatureOf(secret, message.body));
    expect(JSON.parse(message.body.toString("utf8"))).toMatchObject({ value: { content: { body: XSS } } });
    await card.locator(".transcript").getByText(XSS, { exact: true }).waitFor();

    const hostile = encodeURIComponent(XSS);
    const curled = await curl("-H", "x-api-key: any", `${project(server, XSS)}/conversations/${hostile}`);
    expect(curled.status).toBe(200);
    await page.getByRole("link", { name: "Requests" }).click();
    const request = row(page, "request", `/conversations/${hostile}`);
    await request.locator("summary").click();
    await request.locator("dd", { hasText: XSS }).nth(1).waitFor();
    await request.locator("pre").getByText(XSS).first().waitFor();

    await page.getByRole("link", { name: "Deliveries" }).click();
    const delivery = page.locator("details.delivery").filter({ has: page.locator(".tag", { hasText: /^message$/ }) });
    await delivery.locator("summary").click();
    await delivery.locator(".outcome.delivered").waitFor();
    await delivery.locator("pre").getByText(XSS).waitFor();
    await delivery.getByRole("button", { name: "Redeliver" }).click();
    await delivery.getByText("Sent again as delivery").waitFor();
    const [first, again] = await hooks.waitFor((r) => eventOf(r.body) === "message", 2);
    expect(again?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
    expect(again?.headers["x-jelou-signature"]).toBe(signatureOf(secret, again?.body ?? Buffer.alloc(0)));
    await page.locator("details.delivery").filter({ hasText: "redelivery" }).waitFor();
    expect(await page.locator("img").count()).toBe(0);
    await expectNothingInjected(opened);
  });

  it("trades ?token= for a cookie, drops it from the address bar, and works on the cookie, opened from another site", async () => {
    const token = "console-test-token";
    const server = await fake({ adminToken: token });
    // The ready line's URL as a link on another site's page (a CI log, a chat): localhost is another site than
    // 127.0.0.1, and the browser sends no SameSite=Strict cookie with a redirect that follows such a navigation.
    const link = createServer((_req, res) => {
      res
        .writeHead(200, { "content-type": "text/html" })
        .end(`<a href="${server.url}/__admin/console?token=${token}">console</a>`);
    }).listen(0, "127.0.0.1");
    await once(link, "listening");
    cleanups.push(async () => {
      link.close();
    });
    const opened = await openPage(browser, `http://localhost:${(link.address() as AddressInfo).port}/`);
    cleanups.push(() => opened.context.close());
    const { page } = opened;
    await page.getByRole("link", { name: "console" }).click();
    await page.locator("#stream-state.live").waitFor();
    expect(new URL(page.url()).pathname).toBe("/__admin/console");
    expect(new URL(page.url()).search).toBe("");
    expect(await page.evaluate("document.cookie")).not.toContain(token);
    await page.getByRole("link", { name: "Server" }).click();
    await page.getByText("Now: active.").waitFor();
    await page.getByRole("combobox", { name: "Scenario" }).selectOption("closed");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Default scenario set to closed.").waitFor();
    expect(server.scenario()).toBe("closed");
    await expectNothingInjected(opened);
  });

  it("has no horizontal scroll at 1280×800 nor at 390×844, in any view (screenshots in reports/)", async () => {
    const server = shared;
    // The page is open first, so that the requests come live, with their bodies.
    const opened = await open(server);
    const { page } = opened;
    await createIntegration(server, "acme-support", hooks.url);
    const conversationId = await startConversation(server, "acme-support");
    server.sendUserMessage("acme-support", conversationId, { type: "text", content: { body: "Hola, necesito ayuda" } });
    await hooks.waitFor(() => true, 2);
    const long = "a-very-long-conversation-id-".repeat(6);
    await Promise.all([
      curl("-H", "x-api-key: any", `${project(server, "acme-support")}/conversations/${long}`),
      curl("-H", "x-api-key: any", `${project(server, "acme-support")}/conversations/missing-7`),
    ]);
    await row(page, "request", long).locator("summary").click();
    await page.getByRole("link", { name: "Conversations" }).click();
    await row(page, "conversation", conversationId).locator("summary").click();
    await page.locator(".transcript").getByText("Hola, necesito ayuda").waitFor();
    await page.getByRole("link", { name: "Deliveries" }).click();
    await page.locator("details.delivery").first().locator("summary").click();
    await page.locator(".attempts li").first().waitFor();

    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      await page.setViewportSize(viewport);
      for (const view of ["Requests", "Conversations", "Deliveries", "Server"]) {
        await page.getByRole("link", { name: view }).click();
        await page.locator(`nav a[aria-current="page"]`, { hasText: view }).waitFor();
        const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
        expect(overflow, `${view} at ${viewport.width} px`).toBeLessThanOrEqual(0);
        if (view === "Server") continue;
        await page.screenshot({
          path: `${SCREENSHOTS}/${view.toLowerCase()}-${viewport.width}x${viewport.height}.png`,
        });
      }
    }
    await expectNothingInjected(opened);
  });
});
