// The load npm run soak keeps up while it sends SIGTERM: keep-alive clients whose every request is accounted for, so
// that a request the fake had received and then dropped cannot hide among the refusals that follow a shutdown.
import { Agent, request } from "node:http";

/** One request of the loops: its path and headers, and the status it must get. */
export interface ShutdownRequest {
  path: string;
  headers: Record<string, string>;
  status: number;
}

/** What became of the requests around SIGTERM. */
export interface ShutdownOutcome {
  /** Requests sent before SIGTERM and answered before it. */
  answeredBefore: number;
  /** Requests sent before SIGTERM and still open when it came: each must be answered with its status. */
  inFlight: number;
  inFlightAnswered: number;
  /** Requests sent after SIGTERM that were still answered (the fake reads what reached it before it closed). */
  answeredAfter: number;
  /** Requests sent after SIGTERM whose connection was refused: the fake no longer listens. */
  refusedAfter: number;
  /**
   * Requests sent after SIGTERM whose connection was reset before any byte of a response: a kept-alive connection
   * the fake closed as idle while the request was on its way, or a connection still in the listen backlog when the
   * fake stopped listening. The fake never read these (it answers every request it reads); HTTP lets a client retry
   * them, and no server can avoid the race.
   */
  unreadAfter: number;
  /** Everything else, described: a reset of a request in flight, a wrong status, a body cut short. */
  problems: string[];
}

/**
 * Runs `loops` keep-alive clients over `requests` (round robin) until `stopped()` is true; `killedAt()` says when
 * SIGTERM was sent (performance.now()), undefined before.
 */
export async function runShutdownLoad(
  origin: string,
  requests: readonly ShutdownRequest[],
  loops: number,
  stopped: () => boolean,
  killedAt: () => number | undefined,
): Promise<ShutdownOutcome> {
  const outcome: ShutdownOutcome = {
    answeredBefore: 0,
    inFlight: 0,
    inFlightAnswered: 0,
    answeredAfter: 0,
    refusedAfter: 0,
    unreadAfter: 0,
    problems: [],
  };
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const { hostname, port } = new URL(origin);
  let next = 0;

  const one = (wanted: ShutdownRequest) =>
    new Promise<void>((done) => {
      // When the request was handed to the socket, not when it was made: on a busy machine the write can come well
      // after request(), past SIGTERM, and such a request was never one the fake could have read before it closed.
      let sentAt: number | undefined;
      const sentBeforeKill = () => {
        const kill = killedAt();
        return kill === undefined || (sentAt !== undefined && sentAt < kill);
      };
      const req = request({ host: hostname, port, agent, path: wanted.path, headers: wanted.headers }, (res) => {
        res.resume();
        res.once("end", () => {
          const inFlight = sentBeforeKill() && killedAt() !== undefined;
          if (inFlight) outcome.inFlight++;
          if (res.statusCode !== wanted.status) {
            outcome.problems.push(`${wanted.path} got ${res.statusCode}, not ${wanted.status}`);
          } else if (inFlight) outcome.inFlightAnswered++;
          else if (sentBeforeKill()) outcome.answeredBefore++;
          else outcome.answeredAfter++;
          done();
        });
        res.once("error", (error: NodeJS.ErrnoException) => {
          outcome.problems.push(`${wanted.path}: the response was cut short (${error.code ?? error.message})`);
          done();
        });
      });
      req.once("error", (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        if (!sentBeforeKill() && code === "ECONNREFUSED") outcome.refusedAfter++;
        else if (!sentBeforeKill() && ["ECONNRESET", "EPIPE"].includes(code)) {
          outcome.unreadAfter++;
        } else {
          if (sentBeforeKill()) outcome.inFlight++;
          outcome.problems.push(
            `${wanted.path}, sent ${sentBeforeKill() ? "before" : "after"} SIGTERM, failed with ${code}`,
          );
        }
        done();
      });
      req.once("finish", () => {
        sentAt = performance.now();
      });
      req.end();
    });

  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (!stopped()) {
        const wanted = requests[next++ % requests.length];
        if (wanted) await one(wanted);
      }
    }),
  );
  agent.destroy();
  return outcome;
}
