import { createHmac } from "node:crypto";
import { once } from "node:events";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MAX_CONCURRENT_DELIVERIES } from "../../../mock/limits.ts";
import {
  backoffMs,
  Deliveries,
  type DeliveryPolicy,
  type DeliveryRecord,
  isRetryable,
  MAX_DELIVERY_RECORDS,
} from "../../../mock/webhooks/deliveries.ts";
import type { DeliveryRequest } from "../../../mock/webhooks/outgoing.ts";
import { MAX_RESPONSE_BYTES } from "../../../mock/webhooks/post-once.ts";
import { verifyJelouSignature } from "../../../mock/webhooks/signature.ts";

const SECRET = "whsec_SIGNING-s3cr3t-zq9";
const independentSignature = (body: Buffer, secret = SECRET) =>
  `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
type Answer = (req: IncomingMessage, res: ServerResponse, count: number) => void;

const servers: Server[] = [];
const engines: Deliveries[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) engine.close();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

const ok: Answer = (_req, res) => res.writeHead(204).end();
const status =
  (code: number, headers: Record<string, string> = {}): Answer =>
  (_req, res) =>
    res.writeHead(code, headers).end("{}");

/** A loopback receiver that keeps what each request carried, then answers it with `answer` (count is 1-based). */
async function receiver(answer: Answer = ok) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      answer(req, res, received.length);
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** A receiver that answers each request (204) only when told, in arrival order, and counts how many were open at once. */
async function heldReceiver() {
  const answers: (() => void)[] = [];
  let open = 0;
  let peak = 0;
  const team = await receiver((req, res, count) => {
    open++;
    peak = Math.max(peak, open);
    answers.push(() => {
      open--;
      ok(req, res, count);
    });
  });
  /** The seq of each request received, in arrival order. */
  const seqs = () => team.received.map((r) => (JSON.parse(r.body.toString()) as { seq: number }).seq);
  /** Answers the oldest request not answered yet, once it has arrived. */
  const answerNext = async () => {
    await expect.poll(() => answers.length).toBeGreaterThan(0);
    answers.shift()?.();
  };
  return { ...team, answers, seqs, answerNext, peak: () => peak };
}

const seqOf = (record: DeliveryRecord) => (record.payload as { seq: number }).seq;

function engine(policy: Partial<DeliveryPolicy> = {}): Deliveries {
  const deliveries = new Deliveries({ allowHost: () => true, timeoutMs: 2_000, retryBaseMs: 5, ...policy });
  engines.push(deliveries);
  return deliveries;
}

let sequence = 0;
function request(url: string, overrides: Partial<DeliveryRequest> = {}): DeliveryRequest {
  const event = overrides.event ?? "message";
  sequence++;
  return {
    event,
    projectId: "p-1",
    conversationId: "c-1",
    url,
    body: Buffer.from(JSON.stringify({ event, seq: sequence, text: "ñandú ✓" })),
    signingSecret: SECRET,
    ...overrides,
  };
}

const finished = (deliveries: Deliveries, id: string, timeoutMs = 2_000) =>
  deliveries.waitFor((d) => d.id === id, timeoutMs);

describe("a delivery", () => {
  it("POSTs the exact bytes with the signature, the length and the user agent, and records a 2xx as delivered", async () => {
    const team = await receiver();
    const deliveries = engine();
    const sent = request(`${team.url}/hooks/in?token=t`);
    const queued = deliveries.send(sent);
    expect(queued.outcome).toBe("pending");
    const record = await finished(deliveries, queued.id);

    expect(team.received).toHaveLength(1);
    const [got] = team.received;
    expect(got?.url).toBe("/hooks/in?token=t");
    expect(got?.body.equals(sent.body)).toBe(true);
    expect(got?.headers["x-jelou-signature"]).toBe(independentSignature(sent.body));
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["content-length"]).toBe(String(sent.body.length));
    expect(got?.headers["user-agent"]).toBe("fake-jelou");
    expect(record).toMatchObject({
      event: "message",
      projectId: "p-1",
      conversationId: "c-1",
      origin: team.url,
      path: "/hooks/in",
      outcome: "delivered",
      signature: independentSignature(sent.body),
      payload: JSON.parse(sent.body.toString()),
    });
    expect(record.attempts).toEqual([
      { attempt: 1, at: expect.any(String), status: 204, latencyMs: expect.any(Number) },
    ]);
    expect(Number.isNaN(Date.parse(record.attempts[0]?.at ?? ""))).toBe(false);
    expect(record.authHeader).toBeUndefined();
  });

  it("sends what was given at send(), even if the caller reuses its buffer", async () => {
    const team = await receiver();
    const deliveries = engine();
    const sent = request(team.url);
    const original = Buffer.from(sent.body);
    const { id } = deliveries.send(sent);
    sent.body.fill(0x20);
    await finished(deliveries, id);
    expect(team.received[0]?.body.equals(original)).toBe(true);
  });

  it.each([
    ["Authorization", "Bearer tok_x"],
    ["X-API-Key", "key_y"],
    ["Authorization", `Basic ${Buffer.from("user:pass").toString("base64")}`],
  ])("sends the auth header %s and records its name only", async (name, value) => {
    const team = await receiver();
    const deliveries = engine();
    const { id } = deliveries.send(request(team.url, { authHeader: { name, value } }));
    const record = await finished(deliveries, id);
    expect(team.received[0]?.headers[name.toLowerCase()]).toBe(value);
    expect(record.authHeader).toBe(name);
    expect(JSON.stringify(record)).not.toContain(value);
  });

  it("does not send the URL's userinfo", async () => {
    const team = await receiver();
    const deliveries = engine();
    const { id } = deliveries.send(request(team.url.replace("//", "//someone:pw@")));
    const record = await finished(deliveries, id);
    expect(record.outcome).toBe("delivered");
    expect(team.received[0]?.headers.authorization).toBeUndefined();
  });
});

describe("order", () => {
  it("holds a conversation's next delivery until the one before has finished, but not another conversation's", async () => {
    const answers: (() => void)[] = [];
    const team = await receiver((req, res, count) => answers.push(() => ok(req, res, count)));
    const deliveries = engine();
    const start = deliveries.send(request(team.url, { event: "conversation.start" }));
    const close = deliveries.send(request(team.url, { event: "conversation.close" }));
    const other = deliveries.send(request(team.url, { conversationId: "c-other" }));
    await expect.poll(() => team.received.length).toBe(2);
    expect(deliveries.list().find((d) => d.id === close.id)?.attempts).toEqual([]);
    for (const answer of answers.splice(0)) answer();
    await finished(deliveries, other.id);
    await finished(deliveries, start.id);
    await expect.poll(() => answers.length).toBe(1);
    answers[0]?.();
    expect((await finished(deliveries, close.id)).outcome).toBe("delivered");
  });
});

describe("many at once", () => {
  it(`makes at most ${MAX_CONCURRENT_DELIVERIES} requests at once; the others wait their turn, first come first served`, async () => {
    const team = await heldReceiver();
    const deliveries = engine();
    const total = MAX_CONCURRENT_DELIVERIES + 8;
    const sent = Array.from({ length: total }, (_, i) =>
      deliveries.send(request(team.url, { conversationId: `c-${i}` })),
    );
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES);
    expect(deliveries.list({ outcome: "pending" })).toHaveLength(total);
    const done = Promise.all(sent.map(({ id }) => finished(deliveries, id)));
    for (let i = 0; i < total; i++) await team.answerNext();
    expect((await done).map((d) => d.outcome)).toEqual(Array(total).fill("delivered"));
    expect(team.peak()).toBe(MAX_CONCURRENT_DELIVERIES);
    expect(team.seqs()).toEqual(sent.map(seqOf));
  });

  it("a conversation's next delivery waits for the one before without holding a connection", async () => {
    const team = await heldReceiver();
    const deliveries = engine();
    for (let i = 0; i < MAX_CONCURRENT_DELIVERIES; i++)
      deliveries.send(request(team.url, { conversationId: `c-${i}` }));
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES);
    const second = deliveries.send(request(team.url, { conversationId: "c-0" }));
    const other = deliveries.send(request(team.url, { conversationId: "c-other" }));
    // The first connection to free (c-1's) goes to c-other: c-0's second still waits for c-0's first.
    team.answers.splice(1, 1)[0]?.();
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES + 1);
    team.answers.shift()?.();
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES + 2);
    expect(team.seqs().slice(-2)).toEqual([seqOf(other), seqOf(second)]);
  });

  it("frees a delivery's connection during its back-off: the retry queues again", async () => {
    const team = await receiver((req, res, count) => {
      if (count === 1) status(500)(req, res, count);
    });
    const deliveries = engine({ retries: 1, retryBaseMs: 60_000 });
    const failing = deliveries.send(request(team.url, { conversationId: "c-failing" }));
    await expect.poll(() => deliveries.list().find((d) => d.id === failing.id)?.attempts).toHaveLength(1);
    for (let i = 0; i < MAX_CONCURRENT_DELIVERIES; i++)
      deliveries.send(request(team.url, { conversationId: `c-${i}` }));
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES + 1);
  });

  it("clear() forgets the deliveries waiting for a connection: the next connection goes to a newer one", async () => {
    const team = await heldReceiver();
    const deliveries = engine();
    for (let i = 0; i < MAX_CONCURRENT_DELIVERIES; i++)
      deliveries.send(request(team.url, { conversationId: `c-${i}` }));
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES);
    deliveries.send(request(team.url, { conversationId: "c-forgotten" }));
    deliveries.clear();
    const newer = deliveries.send(request(team.url, { conversationId: "c-newer" }));
    const done = finished(deliveries, newer.id);
    await team.answerNext();
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES + 1);
    team.answers.pop()?.();
    expect(await done).toMatchObject({ outcome: "delivered" });
    expect(team.seqs().at(-1)).toBe(seqOf(newer));
    expect(deliveries.list().map((d) => d.id)).toEqual([newer.id]);
  });

  it("close() fails the deliveries waiting for a connection, without an attempt", async () => {
    const team = await heldReceiver();
    const deliveries = engine();
    const sent = Array.from({ length: MAX_CONCURRENT_DELIVERIES + 2 }, (_, i) =>
      deliveries.send(request(team.url, { conversationId: `c-${i}` })),
    );
    await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES);
    deliveries.close();
    const records = deliveries.list();
    expect(records.map((d) => d.outcome)).toEqual(Array(sent.length).fill("failed"));
    expect(records.slice(0, 2).map((d) => [d.id, d.attempts])).toEqual([
      [sent.at(-1)?.id, []],
      [sent.at(-2)?.id, []],
    ]);
  });

  it("makes more than 10 requests at once, up to the cap, without a MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const team = await receiver(() => {});
      const deliveries = engine();
      for (let i = 0; i <= MAX_CONCURRENT_DELIVERIES; i++) {
        deliveries.send(request(team.url, { conversationId: `c-${i}` }));
      }
      await expect.poll(() => team.received.length).toBe(MAX_CONCURRENT_DELIVERIES);
      // A warning is emitted on a later tick than the listener that caused it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("retries", () => {
  it("retries a 500 `retries` times, numbering the attempts, then fails", async () => {
    const team = await receiver(status(500));
    const deliveries = engine({ retries: 2 });
    const { id } = deliveries.send(request(team.url));
    const record = await finished(deliveries, id);
    expect(team.received).toHaveLength(3);
    expect(record.outcome).toBe("failed");
    expect(record.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
  });

  it("stops at the first 2xx", async () => {
    const team = await receiver((req, res, count) => (count < 3 ? status(503)(req, res, count) : ok(req, res, count)));
    const deliveries = engine({ retries: 5 });
    const { id } = deliveries.send(request(team.url));
    const record = await finished(deliveries, id);
    expect(record.outcome).toBe("delivered");
    expect(record.attempts.map((a) => a.status)).toEqual([503, 503, 204]);
    expect(team.received).toHaveLength(3);
    expect(new Set(team.received.map((r) => r.headers["x-jelou-signature"])).size).toBe(1);
  });

  it.each([408, 429, 502])("retries a %i", async (code) => {
    const team = await receiver(status(code));
    const deliveries = engine({ retries: 1 });
    await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(team.received).toHaveLength(2);
  });

  it.each([400, 401, 404, 410])("does not retry a %i", async (code) => {
    const team = await receiver(status(code));
    const deliveries = engine({ retries: 3 });
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(team.received).toHaveLength(1);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ attempt: 1, status: code }] });
  });

  it("does not follow a redirect: the 3xx is the answer, not delivered, not retried", async () => {
    const team = await receiver((req, res, count) =>
      req.url === "/in" ? status(307, { location: "/elsewhere" })(req, res, count) : ok(req, res, count),
    );
    const deliveries = engine({ retries: 2 });
    const record = await finished(deliveries, deliveries.send(request(`${team.url}/in`)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ status: 307 }] });
    expect(team.received.map((r) => r.url)).toEqual(["/in"]);
  });

  it("waits retryBaseMs, then twice that, before the retries; close() clears an unref'd back-off", async () => {
    // Only setTimeout is faked: sockets use Node's internal timers, and expect.poll keeps real ones.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const timers = vi.spyOn(globalThis, "setTimeout");
    try {
      const team = await receiver(status(500));
      const deliveries = engine({ retries: 3, retryBaseMs: 1_000 });
      const { id } = deliveries.send(request(team.url));
      const attempts = () => deliveries.list().find((d) => d.id === id)?.attempts.length;
      await expect.poll(attempts).toBe(1);
      await vi.advanceTimersByTimeAsync(999);
      expect(team.received).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      await expect.poll(attempts).toBe(2);
      await vi.advanceTimersByTimeAsync(1_999);
      expect(team.received).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      await expect.poll(attempts).toBe(3);

      // Waiting 4000 ms before the last retry: the only timer left, and it does not keep a process alive.
      expect(vi.getTimerCount()).toBe(1);
      const backoff = timers.mock.results.at(-1)?.value as NodeJS.Timeout;
      expect(timers.mock.calls.at(-1)?.[1]).toBe(4_000);
      expect(backoff.hasRef()).toBe(false);
      deliveries.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      timers.mockRestore();
      vi.useRealTimers();
    }
  });

  it("backs off retryBaseMs·2^(n-1) before retry n", () => {
    expect([1, 2, 3, 4].map((retry) => backoffMs(1_000, retry))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(backoffMs(5, 10)).toBe(2_560);
  });

  it.each([
    [{ status: 200 }, false],
    [{ status: 204 }, false],
    [{ status: 302 }, false],
    [{ status: 400 }, false],
    [{ status: 404 }, false],
    [{ status: 408 }, true],
    [{ status: 429 }, true],
    [{ status: 500 }, true],
    [{ status: 599 }, true],
    [{ error: "timeout" as const }, true],
    [{ error: "refused" as const }, true],
    [{ status: 200, error: "reset" as const }, true],
  ])("isRetryable(%j) is %s", (result, expected) => {
    expect(isRetryable(result)).toBe(expected);
  });
});

describe("a receiver that does not answer well", () => {
  it("records a closed port as refused, and retries it", async () => {
    const closed = await receiver();
    await new Promise((resolve) => closed.server.close(resolve));
    const deliveries = engine({ retries: 1 });
    const record = await finished(deliveries, deliveries.send(request(closed.url)).id);
    expect(record.outcome).toBe("failed");
    expect(record.attempts.map((a) => [a.attempt, a.error, a.status])).toEqual([
      [1, "refused", undefined],
      [2, "refused", undefined],
    ]);
  });

  it("records a receiver that never answers as a timeout after timeoutMs", async () => {
    const team = await receiver(() => {});
    const deliveries = engine({ timeoutMs: 100 });
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record.outcome).toBe("failed");
    expect(record.attempts).toEqual([
      { attempt: 1, at: expect.any(String), error: "timeout", latencyMs: expect.any(Number) },
    ]);
  });

  it("records a timeout when the body never ends, with the status that came", async () => {
    const team = await receiver((_req, res) => res.writeHead(200, { "content-length": "10" }).write("abc"));
    const deliveries = engine({ timeoutMs: 100 });
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ status: 200, error: "timeout" }] });
  });

  it("records a connection reset before any answer as reset", async () => {
    const team = await receiver((req) => req.socket.resetAndDestroy());
    const deliveries = engine();
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ error: "reset" }] });
  });

  it(`records a 2xx whose body runs past the ${MAX_RESPONSE_BYTES} bytes read as delivered, not retried`, async () => {
    const team = await receiver((_req, res) => {
      res.writeHead(200);
      res.on("error", () => {});
      const pump = () => {
        while (!res.destroyed && res.write(Buffer.alloc(16 * 1024, 0x61)));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const deliveries = engine({ retries: 2 });
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record).toMatchObject({ outcome: "delivered", attempts: [{ attempt: 1, status: 200 }] });
    expect(record.attempts[0]?.error).toBeUndefined();
    expect(team.received).toHaveLength(1);
  });

  it("records a 200 cut off mid-body as reset, not delivered", async () => {
    const team = await receiver((req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial", () => req.socket.destroy());
    });
    const deliveries = engine();
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ status: 200, error: "reset" }] });
  });

  it("records an answer that is not HTTP as other", async () => {
    const team = await receiver((req) => req.socket.end("HELLO\r\n\r\n"));
    const deliveries = engine();
    const record = await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ error: "other" }] });
  });
});

describe("allowHost", () => {
  it("refuses without any network: one not-allowed attempt, failed", async () => {
    const team = await receiver();
    const asked: string[] = [];
    const deliveries = engine({
      retries: 3,
      allowHost: (url) => {
        asked.push(url.host);
        return false;
      },
    });
    const record = await finished(deliveries, deliveries.send(request(`${team.url}/in`)).id);
    expect(asked).toEqual([new URL(team.url).host]);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ attempt: 1, error: "not-allowed", latencyMs: 0 }] });
    expect(team.received).toHaveLength(0);
  });

  it.each([
    ["an allowHost that throws", "http://127.0.0.1:9/in", true],
    ["a URL that is not http(s)", "ftp://127.0.0.1/in", false],
    ["a URL that does not parse", "not a url", false],
  ])("treats %s as not allowed", async (_name, url, throws) => {
    const deliveries = engine({
      allowHost: () => {
        if (throws) throw new Error("boom");
        return true;
      },
    });
    const record = await finished(deliveries, deliveries.send(request(url)).id);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ error: "not-allowed" }] });
  });
});

describe("redeliver", () => {
  it("sends the same bytes with the same signature and auth header, as a new record", async () => {
    const team = await receiver();
    const deliveries = engine();
    const auth = { name: "X-API-Key", value: "k-1" };
    const first = await finished(deliveries, deliveries.send(request(team.url, { authHeader: auth })).id);
    const again = deliveries.redeliver(first.id);
    expect(again).toMatchObject({ redeliveryOf: first.id, outcome: "pending", signature: first.signature });
    expect(again?.id).not.toBe(first.id);
    await finished(deliveries, again?.id ?? "");
    const [one, two] = team.received;
    expect(two?.body.equals(one?.body ?? Buffer.alloc(0))).toBe(true);
    expect(two?.headers["x-jelou-signature"]).toBe(one?.headers["x-jelou-signature"]);
    expect(two?.headers["x-api-key"]).toBe("k-1");
  });

  it.each([
    ["bad-signature", "bad-signature"],
    ["no-auth", "no-auth"],
    ["duplicate", undefined],
  ] as const)("carries the fault %s over only when it shaped what was sent", async (fault, carried) => {
    const team = await receiver();
    const deliveries = engine();
    const first = await finished(deliveries, deliveries.send(request(team.url, { fault })).id);
    const again = await finished(deliveries, deliveries.redeliver(first.id)?.id ?? "");
    expect(again.fault).toBe(carried);
    expect(again.signature).toBe(first.signature);
  });

  it("is undefined for an unknown id", () => {
    expect(engine().redeliver("nope")).toBeUndefined();
  });
});

describe("faults", () => {
  it("bad-signature sends a well-formed signature that does not verify, and records it", async () => {
    const team = await receiver();
    const deliveries = engine();
    const sent = request(team.url, { fault: "bad-signature" });
    const record = await finished(deliveries, deliveries.send(sent).id);
    const header = team.received[0]?.headers["x-jelou-signature"];
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(header).not.toBe(independentSignature(sent.body));
    expect(verifyJelouSignature(team.received[0]?.body, header, SECRET)).toBe(false);
    expect(record).toMatchObject({ signature: header, fault: "bad-signature", outcome: "delivered" });
  });

  it("no-auth omits the auth header", async () => {
    const team = await receiver();
    const deliveries = engine();
    const sent = request(team.url, { fault: "no-auth", authHeader: { name: "Authorization", value: "Bearer b" } });
    const record = await finished(deliveries, deliveries.send(sent).id);
    expect(team.received[0]?.headers.authorization).toBeUndefined();
    expect(record.authHeader).toBeUndefined();
    expect(record.fault).toBe("no-auth");
  });

  it("duplicate delivers the same bytes twice: two records, the second a redelivery of the first", async () => {
    const team = await receiver();
    const deliveries = engine();
    const first = deliveries.send(request(team.url, { fault: "duplicate" }));
    const second = await deliveries.waitFor((d) => d.redeliveryOf === first.id, 2_000);
    expect(second).toMatchObject({ fault: "duplicate", outcome: "delivered", signature: first.signature });
    expect(deliveries.list().map((d) => [d.id, d.outcome])).toEqual([
      [second.id, "delivered"],
      [first.id, "delivered"],
    ]);
    expect(team.received).toHaveLength(2);
    expect(team.received[1]?.body.equals(team.received[0]?.body ?? Buffer.alloc(0))).toBe(true);
    expect(team.received[1]?.headers["x-jelou-signature"]).toBe(team.received[0]?.headers["x-jelou-signature"]);
  });

  it("out-of-order holds a start until its conversation's close, then sends the close first and the start after", async () => {
    const team = await receiver();
    const deliveries = engine();
    const start = deliveries.send(request(team.url, { event: "conversation.start", fault: "out-of-order" }));
    const other = deliveries.send(request(team.url, { event: "conversation.close", conversationId: "c-2" }));
    const message = deliveries.send(request(team.url, { event: "message" }));
    await finished(deliveries, message.id);
    await finished(deliveries, other.id);
    expect(team.received.map((r) => JSON.parse(r.body.toString()).event).sort()).toEqual([
      "conversation.close",
      "message",
    ]);
    expect(deliveries.list({ event: "conversation.start" })).toMatchObject([{ id: start.id, outcome: "pending" }]);

    const close = deliveries.send(request(team.url, { event: "conversation.close" }));
    const started = await finished(deliveries, start.id);
    expect(started).toMatchObject({ outcome: "delivered", fault: "out-of-order" });
    expect(team.received.slice(2).map((r) => JSON.parse(r.body.toString()).seq)).toEqual([
      (close.payload as { seq: number }).seq,
      (start.payload as { seq: number }).seq,
    ]);

    // Released once: another close of the conversation goes alone (a start sent again would be a second attempt, and
    // would reach the receiver before a sentinel sent after that close).
    deliveries.send(request(team.url, { event: "conversation.close" }));
    await finished(deliveries, deliveries.send(request(team.url)).id);
    expect(deliveries.list().filter((d) => d.attempts.length > 1)).toEqual([]);
    expect(team.received.map((r) => JSON.parse(r.body.toString()).event).slice(4)).toEqual([
      "conversation.close",
      "message",
    ]);
  });

  it("a held start counts against the budget: evicted by newer records, it is never sent", async () => {
    const team = await receiver();
    const deliveries = engine({ budgetBytes: 6_000, allowHost: (url) => url.pathname !== "/blocked" });
    const start = deliveries.send(request(team.url, { event: "conversation.start", fault: "out-of-order" }));
    for (let i = 0; i < 20 && deliveries.list().some((d) => d.id === start.id); i++) {
      deliveries.send(request(`${team.url}/blocked`));
    }
    expect(deliveries.list().map((d) => d.id)).not.toContain(start.id);
    const close = deliveries.send(request(team.url, { event: "conversation.close" }));
    await finished(deliveries, close.id);
    expect(team.received.map((r) => JSON.parse(r.body.toString()).event)).toEqual(["conversation.close"]);
  });

  it("a released start is under way like any delivery: newer records do not evict it", async () => {
    const answers: (() => void)[] = [];
    const team = await receiver((req, res, count) => answers.push(() => ok(req, res, count)));
    const deliveries = engine({ budgetBytes: 6_000, allowHost: (url) => url.pathname !== "/blocked" });
    const start = deliveries.send(request(team.url, { event: "conversation.start", fault: "out-of-order" }));
    const close = deliveries.send(request(team.url, { event: "conversation.close" }));
    await expect.poll(() => answers.length).toBe(1);
    for (let i = 0; i < 20; i++) deliveries.send(request(`${team.url}/blocked`));
    expect(deliveries.list({ outcome: "pending" }).map((d) => d.id)).toEqual([close.id, start.id]);
    answers[0]?.();
    await expect.poll(() => answers.length).toBe(2);
    answers[1]?.();
    expect(await finished(deliveries, start.id)).toMatchObject({ outcome: "delivered" });
  });

  it("clear() drops a held start: the close that follows goes alone", async () => {
    const team = await receiver();
    const deliveries = engine();
    deliveries.send(request(team.url, { event: "conversation.start", fault: "out-of-order" }));
    deliveries.clear();
    const close = deliveries.send(request(team.url, { event: "conversation.close" }));
    await finished(deliveries, close.id);
    expect(deliveries.list()).toHaveLength(1);
    expect(team.received).toHaveLength(1);
  });
});

describe("list", () => {
  it("is newest first, filtered by project, event and outcome, cut to limit", async () => {
    const team = await receiver();
    const deliveries = engine({ allowHost: (url) => url.pathname !== "/blocked" });
    const a = deliveries.send(request(team.url, { projectId: "p-a", event: "message" }));
    const b = deliveries.send(request(`${team.url}/blocked`, { projectId: "p-b", event: "message" }));
    const c = deliveries.send(request(team.url, { projectId: "p-a", event: "conversation.close" }));
    await Promise.all([a, b, c].map((d) => finished(deliveries, d.id)));
    const ids = (records: DeliveryRecord[]) => records.map((d) => d.id);
    expect(ids(deliveries.list())).toEqual([c.id, b.id, a.id]);
    expect(ids(deliveries.list({ projectId: "p-a" }))).toEqual([c.id, a.id]);
    expect(ids(deliveries.list({ event: "message" }))).toEqual([b.id, a.id]);
    expect(ids(deliveries.list({ outcome: "failed" }))).toEqual([b.id]);
    expect(ids(deliveries.list({ projectId: "p-a", event: "message", outcome: "delivered" }))).toEqual([a.id]);
    expect(ids(deliveries.list({ limit: 2 }))).toEqual([c.id, b.id]);
  });

  it("returns copies: changing one changes nothing in the log", async () => {
    const team = await receiver();
    const deliveries = engine();
    const { id } = deliveries.send(request(team.url));
    const record = await finished(deliveries, id);
    record.outcome = "failed";
    record.attempts.push({ attempt: 9, at: "", latencyMs: 0 });
    (record.payload as { event: string }).event = "changed";
    const [again] = deliveries.list();
    expect(again).toMatchObject({ outcome: "delivered", attempts: [{ attempt: 1 }], payload: { event: "message" } });
  });

  it("evicts the oldest finished records past the byte budget, never one in flight", async () => {
    const team = await receiver(() => {});
    const deliveries = engine({ budgetBytes: 8_000, allowHost: (url) => url.pathname === "/slow" });
    const slow = deliveries.send(request(`${team.url}/slow`));
    const body = Buffer.from(JSON.stringify({ pad: "x".repeat(1_000) }));
    const sent = Array.from(
      { length: 8 },
      (_, i) => deliveries.send(request(team.url, { body, conversationId: `c-${i}` })).id,
    );
    const kept = deliveries.list().map((d) => d.id);
    expect(kept.at(-1)).toBe(slow.id);
    const keptOfSent = kept.slice(0, -1).reverse();
    expect(keptOfSent.length).toBeGreaterThan(1);
    expect(keptOfSent.length).toBeLessThan(sent.length);
    expect(keptOfSent).toEqual(sent.slice(-keptOfSent.length));
  });

  it("charges deliveries under way to the budget: one that would not fit fails at once as overflow, without a request", async () => {
    const team = await heldReceiver();
    const deliveries = engine({ budgetBytes: 5_000 });
    const body = Buffer.from(JSON.stringify({ pad: "x".repeat(1_000) }));
    const sent = Array.from({ length: 5 }, (_, i) =>
      deliveries.send(request(team.url, { body, conversationId: `c-${i}` })),
    );
    const underWay = sent.filter((d) => d.outcome === "pending");
    const overflowed = sent.filter((d) => d.outcome === "failed");
    expect(underWay.length).toBeGreaterThan(0);
    expect(overflowed.length).toBeGreaterThan(0);
    expect(underWay.concat(overflowed)).toEqual(sent);
    for (const record of overflowed) {
      expect(record.attempts).toEqual([{ attempt: 1, at: expect.any(String), error: "overflow", latencyMs: 0 }]);
    }
    await expect.poll(() => team.received.length).toBe(underWay.length);
    const done = Promise.all(underWay.map(({ id }) => finished(deliveries, id)));
    for (const _ of underWay) await team.answerNext();
    expect((await done).map((d) => d.outcome)).toEqual(underWay.map(() => "delivered"));
    // Finished, they leave room: the next delivery is made.
    const next = deliveries.send(request(team.url, { body }));
    expect(next.outcome).toBe("pending");
    const nextDone = finished(deliveries, next.id);
    await team.answerNext();
    expect(await nextDone).toMatchObject({ outcome: "delivered" });
    expect(team.received).toHaveLength(underWay.length + 1);
  });

  it("refuses a delivery larger than the whole budget as overflow, without a request, and tells its waiter", async () => {
    const team = await receiver();
    const deliveries = engine({ budgetBytes: 1_000 });
    const waiting = deliveries.waitFor((d) => d.attempts[0]?.error === "overflow", 2_000);
    const sent = request(team.url, { body: Buffer.from(JSON.stringify({ pad: "x".repeat(2_000) })) });
    const record = deliveries.send(sent);
    expect(record).toMatchObject({ outcome: "failed", attempts: [{ attempt: 1, error: "overflow", latencyMs: 0 }] });
    await expect(waiting).resolves.toMatchObject({ id: record.id });
    expect(team.received).toHaveLength(0);
  });

  it(`redelivering to a receiver that never answers keeps at most ${MAX_DELIVERY_RECORDS} records under way: the rest overflow`, async () => {
    const team = await heldReceiver();
    const deliveries = engine();
    const first = deliveries.send(request(team.url));
    await expect.poll(() => team.received.length).toBe(1);
    const again = Array.from({ length: 2 * MAX_DELIVERY_RECORDS }, () => deliveries.redeliver(first.id));
    const outcomes = again.map((d) => d?.outcome);
    expect(outcomes.slice(0, MAX_DELIVERY_RECORDS - 1)).toEqual(Array(MAX_DELIVERY_RECORDS - 1).fill("pending"));
    expect(outcomes.slice(MAX_DELIVERY_RECORDS - 1)).toEqual(Array(MAX_DELIVERY_RECORDS + 1).fill("failed"));
    expect(again.at(-1)?.attempts).toEqual([{ attempt: 1, at: expect.any(String), error: "overflow", latencyMs: 0 }]);
    const kept = deliveries.list();
    expect(kept).toHaveLength(MAX_DELIVERY_RECORDS);
    expect(kept.at(-1)).toMatchObject({ id: first.id, outcome: "pending" });
    // The one in flight was never dropped: answered, it is delivered, and the next in line goes.
    const done = finished(deliveries, first.id);
    await team.answerNext();
    expect(await done).toMatchObject({ outcome: "delivered" });
    await expect.poll(() => team.received.length).toBe(2);
  });

  it(`keeps at most ${MAX_DELIVERY_RECORDS} records, the newest`, () => {
    const deliveries = engine({ allowHost: () => false });
    const ids = Array.from({ length: MAX_DELIVERY_RECORDS + 5 }, () => deliveries.send(request("http://x.test/")).id);
    const kept = deliveries.list();
    expect(kept).toHaveLength(MAX_DELIVERY_RECORDS);
    expect(kept[0]?.id).toBe(ids.at(-1));
    expect(kept.at(-1)?.id).toBe(ids[5]);
  });
});

describe("waitFor", () => {
  it("resolves with a delivery already finished, and with one finishing later", async () => {
    const team = await receiver();
    const deliveries = engine();
    const past = deliveries.send(request(team.url, { projectId: "past" }));
    await finished(deliveries, past.id);
    await expect(deliveries.waitFor((d) => d.projectId === "past", 1_000)).resolves.toMatchObject({ id: past.id });
    const later = deliveries.waitFor((d) => d.projectId === "future", 2_000);
    const future = deliveries.send(request(team.url, { projectId: "future" }));
    await expect(later).resolves.toMatchObject({ id: future.id, outcome: "delivered" });
  });

  it("rejects after timeoutMs, saying how many deliveries it saw", async () => {
    const team = await receiver();
    const deliveries = engine();
    await finished(deliveries, deliveries.send(request(team.url)).id);
    await expect(deliveries.waitFor((d) => d.projectId === "none", 50)).rejects.toThrow(
      /no delivery matched within 50 ms \(saw 1 finished delivery, 0 still pending\)/,
    );
  });

  it.each([2 ** 31, Number.MAX_SAFE_INTEGER, 1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses a timeoutMs of %d at once with a RangeError, and no TimeoutOverflowWarning",
    async (timeoutMs) => {
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on("warning", onWarning);
      try {
        const deliveries = engine();
        const waiting = deliveries.waitFor(() => true, timeoutMs);
        await expect(waiting).rejects.toThrow(RangeError);
        await expect(waiting).rejects.toThrow("waitFor: timeoutMs must be a whole number of ms from 0 to 2147483647");
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings.map((warning) => warning.name)).toEqual([]);
      } finally {
        process.off("warning", onWarning);
      }
    },
  );

  it("accepts the longest timeout Node can keep, 2147483647 ms", async () => {
    const team = await receiver();
    const deliveries = engine();
    const waiting = deliveries.waitFor(() => true, 2_147_483_647);
    const { id } = deliveries.send(request(team.url));
    await expect(waiting).resolves.toMatchObject({ id });
  });

  it.each([undefined, "d.event === 'message'", { id: "x" }])(
    "refuses a predicate %j that is not a function at once, with a TypeError",
    async (predicate) => {
      const team = await receiver();
      const deliveries = engine();
      await finished(deliveries, deliveries.send(request(team.url)).id);
      const waiting = deliveries.waitFor(predicate as unknown as () => boolean, 10_000);
      await expect(waiting).rejects.toThrow(TypeError);
      await expect(waiting).rejects.toThrow("waitFor: the predicate must be a function");
    },
  );

  it("rejects with the error of a predicate that throws", async () => {
    const team = await receiver();
    const deliveries = engine();
    const waiting = deliveries.waitFor(() => {
      throw new Error("predicate broke");
    }, 2_000);
    deliveries.send(request(team.url));
    await expect(waiting).rejects.toThrow("predicate broke");
  });
});

describe("clear and close", () => {
  it.each([
    ["a 2xx", 204, 0],
    ["a 500 with retries left", 500, 2],
  ])(
    "clear() forgets the log; an attempt in flight answered %s is not recorded, nor retried",
    async (_name, code, retries) => {
      let answerFirst: (() => void) | undefined;
      const team = await receiver((req, res, count) => {
        if (count === 1) answerFirst = () => status(code)(req, res, count);
        else ok(req, res, count);
      });
      const deliveries = engine({ retries, retryBaseMs: 20 });
      const first = request(team.url);
      deliveries.send(first);
      await expect.poll(() => team.received.length).toBe(1);
      deliveries.clear();
      answerFirst?.();
      // A sentinel on the same conversation waits for the first delivery, retries included.
      const sentinel = request(team.url);
      const { id } = deliveries.send(sentinel);
      await finished(deliveries, id);
      expect(deliveries.list().map((d) => d.id)).toEqual([id]);
      expect(team.received.map((r) => r.body.toString())).toEqual([first.body.toString(), sentinel.body.toString()]);
    },
  );

  it("clear() during a duplicate's first delivery: the copy is not sent", async () => {
    let answerFirst: (() => void) | undefined;
    const team = await receiver((req, res, count) => {
      if (count === 1) answerFirst = () => ok(req, res, count);
      else ok(req, res, count);
    });
    const deliveries = engine();
    const duplicated = request(team.url, { fault: "duplicate" });
    deliveries.send(duplicated);
    await expect.poll(() => answerFirst).toBeDefined();
    deliveries.clear();
    answerFirst?.();
    // A sentinel on the same conversation goes after the copy would have: once it is delivered, the copy had its turn.
    const sentinel = request(team.url);
    const { id } = deliveries.send(sentinel);
    await finished(deliveries, id);
    expect(team.received.map((r) => r.body.toString())).toEqual([duplicated.body.toString(), sentinel.body.toString()]);
    expect(deliveries.list().map((d) => d.id)).toEqual([id]);
  });

  it("clear() during a back-off: no retry follows", async () => {
    const team = await receiver((req, res, count) => (count === 1 ? status(500) : ok)(req, res, count));
    const deliveries = engine({ retries: 2, retryBaseMs: 50 });
    const first = request(team.url);
    const { id } = deliveries.send(first);
    await expect.poll(() => deliveries.list().find((d) => d.id === id)?.attempts).toHaveLength(1);
    deliveries.clear();
    const sentinel = request(team.url);
    await finished(deliveries, deliveries.send(sentinel).id);
    expect(team.received.map((r) => r.body.toString())).toEqual([first.body.toString(), sentinel.body.toString()]);
  });

  it("close() aborts a request in flight and a back-off, rejects waiters and leaves no handle", async () => {
    let hangingSocket: Socket | undefined;
    const hanging = await receiver((req) => {
      hangingSocket = req.socket;
    });
    const failing = await receiver(status(500));
    const deliveries = engine({ retries: 3, retryBaseMs: 60_000 });
    const inFlight = deliveries.send(request(hanging.url));
    const backingOff = deliveries.send(request(failing.url, { conversationId: "c-2" }));
    deliveries.send(
      request(hanging.url, { event: "conversation.start", fault: "out-of-order", conversationId: "c-3" }),
    );
    await expect.poll(() => hangingSocket).toBeDefined();
    await expect.poll(() => deliveries.list().find((d) => d.id === backingOff.id)?.attempts).toHaveLength(1);
    const aborted = once(hangingSocket as Socket, "close");
    const rejected = expect(deliveries.waitFor(() => false, 10_000)).rejects.toThrow(/closed/);

    deliveries.close();
    // The held start is dropped; the two under way are failed.
    expect(deliveries.list().map((d) => [d.id, d.outcome])).toEqual([
      [backingOff.id, "failed"],
      [inFlight.id, "failed"],
    ]);
    await rejected;
    await aborted;
    // Only the two listening receivers: no socket of the engine, nor the receivers' ends of them, is left. (Timers
    // are not counted: vitest has its own, and the engine's back-off timers are unref'd.)
    const tcpHandles = () => process.getActiveResourcesInfo().filter((kind) => kind.startsWith("TCP"));
    await expect.poll(tcpHandles).toEqual(["TCPServerWrap", "TCPServerWrap"]);
    expect(failing.received).toHaveLength(1);
    expect(deliveries.list().flatMap((d) => d.attempts)).toHaveLength(1);
  });

  it("after close(), send() fails at once without logging and waitFor() rejects", async () => {
    const team = await receiver();
    const deliveries = engine();
    deliveries.close();
    expect(deliveries.send(request(team.url)).outcome).toBe("failed");
    expect(deliveries.list()).toEqual([]);
    await expect(deliveries.waitFor(() => true, 1_000)).rejects.toThrow(/closed/);
    expect(team.received).toHaveLength(0);
  });
});

describe("secrets", () => {
  it("appear in no record, list, waitFor result or message, in any encoding", async () => {
    const authValue = "Bearer tok_AUTH-v4lue-xk7";
    const basicUser = "usrPART1x";
    const basicPass = "pwdPART2y";
    const basic = `Basic ${Buffer.from(`${basicUser}:${basicPass}`).toString("base64")}`;
    const userinfo = ["urlUSER5u", "urlPASS6p"];
    const query = "QUERYt0kenQ7";
    const team = await receiver((req, res, count) =>
      count === 1 ? status(500)(req, res, count) : ok(req, res, count),
    );
    const deliveries = engine({ retries: 1, allowHost: (url) => url.pathname !== "/blocked" });
    const url = (path: string) => `${team.url.replace("//", `//${userinfo[0]}:${userinfo[1]}@`)}${path}?token=${query}`;
    const seen: unknown[] = [];
    const sent = [
      deliveries.send(request(url("/in"), { authHeader: { name: "Authorization", value: authValue } })),
      deliveries.send(request(url("/in"), { authHeader: { name: "Authorization", value: basic }, fault: "duplicate" })),
      deliveries.send(request(url("/blocked"), { authHeader: { name: "X-API-Key", value: authValue } })),
      deliveries.send(
        request(url("/in"), { authHeader: { name: "X-API-Key", value: authValue }, fault: "bad-signature" }),
      ),
    ];
    seen.push(sent);
    for (const { id } of sent) seen.push(await finished(deliveries, id));
    seen.push(deliveries.redeliver(sent[0]?.id ?? ""));
    seen.push(await deliveries.waitFor((d) => d.redeliveryOf === sent[0]?.id && d.outcome !== "pending", 2_000));
    seen.push(deliveries.list());
    seen.push(await deliveries.waitFor(() => false, 10).catch((error: Error) => [error.message, error.stack]));
    deliveries.close();
    seen.push(await deliveries.waitFor(() => true, 10).catch((error: Error) => [error.message, error.stack]));
    seen.push(deliveries.list());

    // The secrets did travel to the receiver, so their absence from the log is not an accident of the test.
    expect(team.received.some((r) => r.headers.authorization === authValue)).toBe(true);
    expect(team.received.some((r) => r.url.includes(query))).toBe(true);

    const everything = JSON.stringify(seen);
    const secrets = [SECRET, authValue, "tok_AUTH-v4lue-xk7", basic, basicUser, basicPass, ...userinfo, query];
    for (const secret of secrets) {
      for (const encoded of [secret, encodeURIComponent(secret), Buffer.from(secret).toString("base64")]) {
        expect(everything).not.toContain(encoded);
      }
    }
  });
});
