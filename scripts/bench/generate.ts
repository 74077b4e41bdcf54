// npm run bench:generate: how fast one core builds and serialises conversation bodies, per language and state,
// each over ids it never built before (no cache, as the fake's first request for an id).
import { parseArgs } from "node:util";
import { buildConversation, type FactoryContext, successBody } from "../../mock/conversation-factory.ts";
import { readMockSpecData } from "../../mock/spec-data.ts";
import { loadSpec } from "../../spec/load-spec.ts";
import { positiveInteger } from "./measure.ts";

const usage = `Usage: npm run bench:generate [-- options]
  --bodies <n>   bodies timed per row (default 200000), after as many untimed ones
  --rounds <n>   timed rounds per row; the median is reported (default 5)`;

function options(): { bodies: number; rounds: number } {
  try {
    const { values } = parseArgs({
      options: {
        bodies: { type: "string", default: "200000" },
        rounds: { type: "string", default: "5" },
        help: { type: "boolean", default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return { bodies: positiveInteger("bodies", values.bodies), rounds: positiveInteger("rounds", values.rounds) };
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
}

const { bodies, rounds } = options();
const context: FactoryContext = {
  seed: "bench",
  known: readMockSpecData(loadSpec()).known,
  anchor: Date.parse("2026-11-25T00:00:00.000Z"),
};
// A Brazilian number marks a Portuguese-speaking conversation; every other market speaks Spanish.
const languageOf = (conversationId: string) =>
  buildConversation(context, { projectId: "p", conversationId }, "active").User.referenceId.startsWith("+55")
    ? "pt"
    : "es";

/** `count` fresh ids of one language, distinct from every other call's. */
let serial = 0;
function idsOf(language: "es" | "pt", count: number): string[] {
  const ids: string[] = [];
  while (ids.length < count) {
    const id = `conv-${serial++}`;
    if (languageOf(id) === language) ids.push(id);
  }
  return ids;
}

/** Nanoseconds per body over `ids`, serialisation included. */
function time(ids: readonly string[], state: "active" | "closed"): number {
  let bytes = 0;
  const started = process.hrtime.bigint();
  for (const conversationId of ids) {
    bytes += JSON.stringify(successBody(buildConversation(context, { projectId: "p", conversationId }, state))).length;
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  if (bytes === 0) throw new Error("No body was built.");
  return elapsed / ids.length;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

console.log(`Node ${process.version}, ${bodies} bodies per round, median of ${rounds} rounds, one core`);
console.log("| language | state | µs per body | bodies/s |");
console.log("|---|---|---|---|");
for (const language of ["es", "pt"] as const) {
  for (const state of ["active", "closed"] as const) {
    time(idsOf(language, bodies), state);
    const ns = median(Array.from({ length: rounds }, () => time(idsOf(language, bodies), state)));
    console.log(
      `| ${language} | ${state} | ${(ns / 1000).toFixed(2)} | ${Math.round(1e9 / ns).toLocaleString("en")} |`,
    );
  }
}
