import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Response } from "express";
import { createMockApp, type MockOptions } from "../../mock/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: drift edits bodies into shapes no type allows.
export type Json = Record<string, any>;

/** Edits one JSON reply of the fake: change the body in place, or answer through `res` yourself and return false. */
export type Drift = (body: Json, res: Response) => unknown;

/** The fake Jelou, with every JSON reply passed through `drift`: a production that changed in one precise way. */
export async function startDriftedJelou(
  drift: Drift,
  options: MockOptions = {},
): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const app = express();
  app.use((_req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: Json) => {
      const edited = structuredClone(body);
      return drift(edited, res) === false ? res : json(edited);
    };
    next();
  });
  app.use(createMockApp({ now: "2026-11-25T00:00:00Z", ...options }).app);
  const server: Server = createServer(app).listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/jelouapi`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
