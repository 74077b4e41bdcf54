// What the core decides for a request, as plain data the HTTP layer applies: no socket is touched to decide it.

import type { AuthKind } from "../auth.ts";
import type { Reply } from "../operations/index.ts";
import type { Scenario, ScenarioSource } from "../scenario.ts";
import type { World } from "../world.ts";

/** Answer nothing: hold the request until the client or the fake gives up (`timeout`), or reset the connection. */
export interface Fault {
  kind: "fault";
  fault: "timeout" | "reset";
}

/** Wait `ms` (the request's delay), then decide with the world as it is then: a rule changed meanwhile applies. */
export interface Wait {
  kind: "wait";
  ms: number;
  resume(world: World): Outcome;
}

export type { Reply };
export type Plan = Reply | Fault | Wait;

/**
 * How a request authenticated, for the journal: `signature` for a signed operation, `none` when it sent no
 * credential, `invalid` when it was refused.
 */
export type AuthRecord = AuthKind | "signature" | "none" | "invalid";

/** A plan and what the journal records of the decision. */
export interface Outcome {
  plan: Plan;
  auth: AuthRecord;
  scenario?: Scenario;
  scenarioSource?: ScenarioSource;
}
