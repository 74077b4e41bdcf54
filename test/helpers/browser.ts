// What the console's browser tests share: Debian's Chromium driven by playwright-core (never a downloaded browser),
// a page that records anything a script injection or the CSP would leave behind, curl, and a loopback webhook receiver.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Launches the machine's Chromium, headless: Debian's /usr/bin/chromium, or the one CHROMIUM_PATH names. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

/** A console page and what it reported that it should not have. */
export interface ConsolePage {
  context: BrowserContext;
  page: Page;
  /** Dialogs opened (alert, confirm, prompt): none should ever open. */
  dialogs: string[];
  /** CSP and Trusted Types errors the page logged (its securitypolicyviolation events are in window.__violations). */
  violations: string[];
  /** Uncaught exceptions of the page's scripts. */
  pageErrors: string[];
}

/** Opens `url` in a new context of `browser` at the given viewport, recording dialogs, violations and errors. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 800 },
): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport });
  // Playwright waits 30 s by default, the test's whole budget: a condition the page never meets fails sooner, named.
  context.setDefaultTimeout(5_000);
  const page = await context.newPage();
  const opened: ConsolePage = { context, page, dialogs: [], violations: [], pageErrors: [] };
  page.on("dialog", (dialog) => {
    opened.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|Trusted Type/i.test(message.text())) {
      opened.violations.push(message.text());
    }
  });
  page.on("pageerror", (error) => opened.pageErrors.push(error.message));
  // Text, not a function: this file is type-checked without the DOM's types. The page keeps the violations it sees in
  // window.__violations, which the test reads.
  await page.addInitScript(`window.__violations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__violations.push(event.violatedDirective + " " + event.blockedURI);
    });`);
  await page.goto(url);
  return opened;
}

/** Runs the real curl binary; resolves with the status and the body. */
export async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const child = spawn("curl", ["-sS", "--max-time", "10", "-w", "\n%{http_code}", ...args]);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const [code] = (await once(child, "close")) as [number];
  if (code !== 0) throw new Error(`curl ${args.join(" ")} exited ${code}`);
  const cut = out.lastIndexOf("\n");
  return { status: Number(out.slice(cut + 1)), body: out.slice(0, cut) };
}

/** One request a receiver got: its headers and its exact bytes. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A loopback webhook receiver that answers 200 and keeps every request. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `count` requests satisfy `accept`, with them; rejects after `timeoutMs`. */
  waitFor(accept: (request: Received) => boolean, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1, port 0. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      for (const wake of waiters) wake();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    waitFor(accept, count = 1, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const matching = received.filter(accept);
          if (matching.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`The receiver got ${received.length} requests, not ${count} matching, in ${timeoutMs} ms.`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
