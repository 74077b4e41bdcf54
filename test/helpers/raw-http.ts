import { connect } from "node:net";

/** A reply read off the socket, whatever it was. */
export interface RawReply {
  status: number | null;
  headers: Record<string, string>;
  body: string;
  /** True when the server closed the connection (as opposed to the test giving up). */
  closedByServer: boolean;
}

/**
 * Sends bytes exactly as given, which fetch and node:http refuse to do for malformed requests, and reads until the
 * server closes or `timeoutMs` passes. `drip` sends the bytes in pieces, one every `drip.everyMs`.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  options: { timeoutMs?: number; drip?: { pieces: number; everyMs: number } } = {},
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let closedByServer = false;
    const timer = setTimeout(() => socket.destroy(), options.timeoutMs ?? 5_000);
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("end", () => {
      closedByServer = true;
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET" && error.code !== "EPIPE") reject(error);
      closedByServer = true;
    });
    socket.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const headers = Object.fromEntries(
        headerLines.map((line) => [
          line.slice(0, line.indexOf(":")).toLowerCase(),
          line.slice(line.indexOf(":") + 1).trim(),
        ]),
      );
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      resolve({ status: status ? Number(status) : null, headers, body: rest.join("\r\n\r\n"), closedByServer });
    });
    socket.on("connect", () => {
      const bytes = Buffer.isBuffer(request) ? request : Buffer.from(request, "latin1");
      if (!options.drip) {
        socket.write(bytes);
        return;
      }
      const size = Math.ceil(bytes.length / options.drip.pieces);
      let offset = 0;
      const send = () => {
        if (socket.destroyed || offset >= bytes.length) return;
        socket.write(bytes.subarray(offset, offset + size));
        offset += size;
        setTimeout(send, options.drip?.everyMs);
      };
      send();
    });
  });
}
