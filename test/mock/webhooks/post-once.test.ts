import { once } from "node:events";
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { type AddressInfo, createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { classifyError, MAX_RESPONSE_BYTES, postOnce } from "../../../mock/webhooks/post-once.ts";

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen<S extends Server>(server: S): Promise<{ server: S; port: number }> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, port: (server.address() as AddressInfo).port };
}

const never = new AbortController().signal;

describe("classifyError", () => {
  it.each([
    ["ECONNREFUSED", "refused"],
    ["ECONNRESET", "reset"],
    ["ENOTFOUND", "dns"],
    ["EAI_AGAIN", "dns"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls"],
    ["UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "tls"],
    ["CERT_HAS_EXPIRED", "tls"],
    ["CERT_NOT_YET_VALID", "tls"],
    ["HOSTNAME_MISMATCH", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls"],
    ["ERR_TLS_HANDSHAKE_TIMEOUT", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls"],
    ["ERR_SSL_TLSV1_ALERT_UNKNOWN_CA", "tls"],
    ["EPROTO", "tls"],
    ["EPIPE", "other"],
    ["ERR_TLSX", "other"],
    ["HPE_INVALID_CONSTANT", "other"],
    [undefined, "other"],
  ])("maps the code %s to %s", (code, expected) => {
    expect(classifyError(Object.assign(new Error("http://user:pw@host/"), { code }))).toBe(expected);
  });

  it("is other for something that is not an error", () => {
    expect(classifyError(null)).toBe("other");
    expect(classifyError("ECONNREFUSED")).toBe("other");
  });
});

describe("postOnce", () => {
  it(`reads at most about ${MAX_RESPONSE_BYTES} bytes of an endless body, then counts the answer`, async () => {
    let served = 0;
    const { port } = await listen(
      createHttpServer((_req, res: ServerResponse) => {
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        res.writeHead(200);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) served += chunk.length;
          if (!res.destroyed) res.once("drain", pump);
        };
        res.on("error", () => {});
        pump();
      }),
    );
    const result = await postOnce(new URL(`http://127.0.0.1:${port}/`), {}, Buffer.from("{}"), 10_000, never);
    expect(result).toEqual({ status: 200 });
    // The server may have buffered more than was read, but nowhere near what 10 s of an endless body would be.
    expect(served).toBeLessThan(64 * MAX_RESPONSE_BYTES);
  });

  it("speaks TLS to an https URL", async () => {
    const firstBytes: Buffer[] = [];
    const { port } = await listen(
      createServer((socket) => {
        socket.once("data", (data: Buffer) => {
          firstBytes.push(data);
          socket.destroy();
        });
      }),
    );
    const result = await postOnce(new URL(`https://127.0.0.1:${port}/`), {}, Buffer.from("{}"), 2_000, never);
    // 0x16: a TLS handshake record, the ClientHello; plain HTTP would start with "POST".
    expect(firstBytes[0]?.[0]).toBe(0x16);
    expect(result.status).toBeUndefined();
    expect(result.error).toBeDefined();
  });

  it("is tls when the handshake fails: an https URL on a plain HTTP receiver", async () => {
    const { port } = await listen(createHttpServer((_req, res) => res.end("plain")));
    const result = await postOnce(new URL(`https://127.0.0.1:${port}/`), {}, Buffer.from("{}"), 2_000, never);
    expect(result).toEqual({ error: "tls" });
  });

  it("is other, not a throw, for a header node:http refuses", async () => {
    const { port } = await listen(createServer((socket) => socket.destroy()));
    const result = await postOnce(
      new URL(`http://127.0.0.1:${port}/`),
      { "X-Bad": "a\nb" },
      Buffer.from("{}"),
      2_000,
      never,
    );
    expect(result).toEqual({ error: "other" });
  });
});
