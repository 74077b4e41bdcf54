// What an operation of the spec must provide to be served: its rule, its magic id, and its success reply.
import type { operations } from "../../generated/jelou-external-support.ts";
import type { StoredRule } from "../rules.ts";
import type { World } from "../world.ts";

/** Answer with this status and body: bytes as they are (already JSON), or a value to serialise. */
export interface Reply {
  kind: "reply";
  status: number;
  body: Buffer | object;
  /** Extra response headers, e.g. `Allow` on a 405. */
  headers?: Readonly<Record<string, string>>;
}

/** An operation of the spec, by its operationId. */
export type OperationId = keyof operations;

/** The path parameters of an operation, as the spec declares them. */
export type PathParams<K extends OperationId> = operations[K]["parameters"]["path"];

/** One operation of the fake: the decisions only it can make; the core makes the ones every operation shares. */
export interface OperationHandler<K extends OperationId> {
  /** True when the operation answers the conversation scenarios, `active` and `closed`. */
  answersStates: boolean;
  /** The rule that applies to this request, if any. */
  rule(params: PathParams<K>, world: World): StoredRule | undefined;
  /** The id whose prefix may select a scenario with no set-up (`closed-...`), when the operation has one. */
  magicId?(params: PathParams<K>): string;
  /** The success reply in the state the scenario decided. */
  reply(state: "active" | "closed", params: PathParams<K>, world: World, rule: StoredRule | undefined): Reply;
}
