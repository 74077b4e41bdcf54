import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type MockOptions, type MockServer, startMockServer } from "../../mock/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: drift edits bodies into shapes no type allows.
export type Json = Record<string, any>;

/** What the drifted server will answer; a drift may change any of it. */
export interface Reply {
  status: number;
  contentType: string;
  /** When set, sent as the body instead of the (edited) JSON. */
  raw?: string;
}

/** Edits one JSON reply of the fake in place: the body, and through `reply` its status, media type or raw text. */
export type Drift = (body: Json, reply: Reply) => unknown;

/**
 * The fake Jelou behind a proxy that passes every JSON reply through `drift`: a production that changed in one
 * precise way. Editing on the wire keeps it independent of how the fake writes its bodies.
 */
export async function startDriftedJelou(
  drift: Drift,
  options: MockOptions = {},
): Promise<{ url: string; baseUrl: string; fake: MockServer; close(): Promise<void> }> {
  const fake = await startMockServer({ port: 0, now: "2026-11-25T00:00:00Z", ...options });
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    // fetch frames the body itself: the client's own framing headers would contradict it.
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(
        ([name, v]) =>
          typeof v === "string" && !["content-length", "transfer-encoding", "connection", "host"].includes(name),
      ),
    ) as Record<string, string>;
    const upstream = await fetch(`${fake.url}${req.url}`, {
      method: req.method,
      headers,
      ...(chunks.length > 0 && { body: Buffer.concat(chunks) }),
    });
    const text = await upstream.text();
    const reply: Reply = { status: upstream.status, contentType: upstream.headers.get("content-type") ?? "" };
    let body = text;
    try {
      const json = JSON.parse(text) as Json;
      drift(json, reply);
      body = reply.raw ?? JSON.stringify(json);
    } catch {
      body = text;
    }
    res.writeHead(reply.status, { "content-type": reply.contentType }).end(body);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    baseUrl: `http://127.0.0.1:${port}/jelouapi`,
    fake,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await fake.close();
    },
  };
}
