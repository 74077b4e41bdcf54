// Renders docs/console.png, the README's picture of the console: an in-process fake with a little traffic, seen in
// Debian's Chromium (CHROMIUM_PATH to use another) at 1280×800, the top 720 pixels kept (about 110 kB). Run it after
// a change to the console's look: npm run screenshot:console [-- out.png]
import { once } from "node:events";
import { statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startMockServer } from "../mock/index.ts";
import { buildConsole } from "./build/console.ts";

const OUT = process.argv[2] ?? fileURLToPath(new URL("../docs/console.png", import.meta.url));
const PROJECT = "acme-support";

await buildConsole(fileURLToPath(new URL("../.console-build/", import.meta.url)));
const receiver = createServer((req, res) => {
  req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
});
receiver.listen(0, "127.0.0.1");
await once(receiver, "listening");
const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/jelou/webhook`;
const fake = await startMockServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${fake.url}/__admin/console`);
  await page.locator("#stream-state.live").waitFor();

  // Traffic while the page watches, so that the requests carry their bodies.
  const jelou = (path: string, init: RequestInit = {}) =>
    fetch(`${fake.baseUrl}/v1/external-support/${PROJECT}${path}`, {
      ...init,
      headers: { "x-api-key": "any", "content-type": "application/json", ...init.headers },
    });
  await jelou("", { method: "POST", body: JSON.stringify({ webhookUrl: hook }) });
  const started = await jelou("/conversations/start", {
    method: "POST",
    body: JSON.stringify({ botId: "bot-ventas", userId: "+5215512345678" }),
  });
  const conversationId = ((await started.json()) as { data: { _id: string } }).data._id;
  fake.sendUserMessage(PROJECT, conversationId, { type: "text", content: { body: "Hola, ¿mi pedido ya salió?" } });
  await fake.waitForDelivery((d) => d.event === "message");
  fake.setConversation(PROJECT, "conv-vip", {
    scenario: "closed",
    conversation: { endedReason: "closed_by_user" },
  });
  // The rule's request first: its row, opened, sits below the newest ones.
  await jelou("/conversations/conv-vip");
  await jelou(`/conversations/${conversationId}`);
  await jelou("/conversations/missing-42");
  await jelou("/conversations/conv-7", { headers: { "X-Fake-Jelou-Scenario": "server-error" } });
  await page.locator("details.request").filter({ hasText: "/conversations/conv-7" }).waitFor();

  const rule = page.locator("details.request").filter({ hasText: "/conversations/conv-vip" });
  await rule.locator("summary").click();
  await rule.getByText("Rule now").waitFor();
  await page.mouse.move(0, 799);
  await page.screenshot({ path: OUT, clip: { x: 0, y: 0, width: 1280, height: 720 } });
  console.log(`${OUT}: ${statSync(OUT).size} bytes`);
} finally {
  await browser.close();
  await fake.close();
  receiver.close();
}
