// Bench target: a bare node:http handler with the same fixed body. The platform's ceiling.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { FIXED_BODY } from "./fixed-body.ts";

const length = String(Buffer.byteLength(FIXED_BODY));
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": length });
  res.end(FIXED_BODY);
});
server.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
