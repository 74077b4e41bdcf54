// Bench target: the least an Express 5 app can do for the route, with a fixed body. fake-jelou's ceiling.
import type { AddressInfo } from "node:net";
import express from "express";
import { FIXED_BODY, ROUTE } from "./fixed-body.ts";

const app = express();
app.get(ROUTE, (_req, res) => {
  res.type("application/json").send(FIXED_BODY);
});
const server = app.listen(0, "127.0.0.1", () => {
  console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
