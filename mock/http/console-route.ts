// GET /__admin/console: the console page and its two assets, built ahead of time (dist/console in the package), with
// a Content-Security-Policy that lets the page run its own script and talk to its own origin, and nothing else.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express, { type Response } from "express";
import { consoleCookie, consoleSession } from "../admin-guard.ts";
import { sendFakeError } from "./errors.ts";

/**
 * Where the built console is: `console/` beside the running bundle (dist/ in the package), or `.console-build/` of the
 * clone when the fake runs from its TypeScript sources (`npm run build:console` writes it; npm start runs that first).
 */
export const CONSOLE_ASSETS_DIR = import.meta.url.endsWith(".ts")
  ? fileURLToPath(new URL("../../.console-build/", import.meta.url))
  : fileURLToPath(new URL("./console/", import.meta.url));

/** The page's policy: its own script, style and origin; no inline code, no frames, and no HTML sinks at all. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

const ASSETS = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console.js": { file: "console.js", type: "text/javascript; charset=utf-8" },
  "/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
} as const;

/** The console's routes, under /__admin/console; `token` is the admin token in force, for the session cookie. */
export function consoleRouter(token: string | undefined, dir: string = CONSOLE_ASSETS_DIR): express.Router {
  const router = express.Router({ strict: false });
  const cache = new Map<string, Buffer>();
  const read = (file: string) => {
    let bytes = cache.get(file);
    if (bytes === undefined) {
      bytes = readFileSync(join(dir, file));
      cache.set(file, bytes);
    }
    return bytes;
  };
  const secure = (res: Response) =>
    res.set({
      "Content-Security-Policy": CONSOLE_CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cache-Control": "no-store",
    });

  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    router.get(path, (_req, res) => {
      secure(res);
      // The URL's token, when right, becomes the cookie with the page itself: a redirect would not do when the URL was
      // opened from another site's page (a CI log, a chat), as the browser then sends no SameSite=Strict cookie with
      // the redirected request. The page drops the token from the address bar and the history as it starts.
      if (path === "/" && res.locals.consoleSession === true && token !== undefined) {
        res.cookie(consoleCookie(token), consoleSession(token), {
          httpOnly: true,
          sameSite: "strict",
          path: "/__admin",
        });
      }
      let bytes: Buffer;
      try {
        bytes = read(file);
      } catch {
        return sendFakeError(
          res,
          "CONSOLE_NOT_BUILT",
          `The console's files are missing from ${dir}: in a clone of fake-jelou, run npm run build:console (npm start does).`,
        );
      }
      res.type(type).send(bytes);
    });
  }
  router.all(Object.keys(ASSETS), (_req, res) => {
    res.set("Allow", "GET");
    sendFakeError(res, "METHOD_NOT_ALLOWED", "The console answers GET only.");
  });
  return router;
}
