// What an operation of the spec must provide to be served: the decisions only it can make. The core makes the ones
// every operation shares (credentials, delay, scenario, the request body against the spec) before it calls one.
import type { operations } from "../../generated/jelou-external-support.ts";
import type { ErrorScenario } from "../error-bodies.ts";
import type { StoredRule } from "../rules.ts";
import type { DeliveryFault, DeliveryRequest } from "../webhooks/outgoing.ts";
import type { World } from "../world.ts";

/** Answer with this status and body: bytes as they are (already JSON), or a value to serialise. */
export interface Reply {
  kind: "reply";
  status: number;
  body: Buffer | object;
  /** Extra response headers, e.g. `Allow` on a 405. */
  headers?: Readonly<Record<string, string>>;
  /** Webhook events to deliver once the response is sent: they never delay it nor change it. */
  effects?: readonly DeliveryRequest[];
}

/** Per field, why it is invalid, in Spanish and English: Jelou's `validationError`. */
export type FieldErrors = Record<string, { es: string; en: string }[]>;

/**
 * Answer with one of the operation's declared errors, in the spec's body for it (`fields` fills `validationError`),
 * or with one of fake-jelou's own when the fake itself cannot do what was asked (a full state budget).
 */
export type Refusal =
  | { kind: "error"; scenario: ErrorScenario; fields?: FieldErrors }
  | { kind: "fake-error"; key: "STATE_BUDGET_REACHED"; message: string };

/** What an operation answers. */
export type OperationResult = Reply | Refusal;

/** An operation of the spec, by its operationId. */
export type OperationId = keyof operations;

/** The path parameters of an operation, as the spec declares them. */
export type PathParams<K extends OperationId> = operations[K]["parameters"]["path"];

/** The request body of an operation, as the spec declares it (already checked against its schema). */
export type RequestBody<K extends OperationId> = operations[K]["requestBody"] extends
  | { content: { "application/json": infer B } }
  | undefined
  ? B
  : undefined;

/** What the operation is asked to do, with what the core decided. */
export interface OperationRequest<K extends OperationId> {
  params: PathParams<K>;
  body: RequestBody<K>;
  /** The conversation state the scenario asked for, and whether something asked (`false`: the server default). */
  state: { name: "active" | "closed"; explicit: boolean };
  /** The request's conversation rule, for operations that have one. */
  rule: StoredRule | undefined;
  /** The instant of the request (ms since epoch): what the operation stamps on what it creates or changes. */
  now: number;
  /** How to break the webhook events this request fires, when a header or the admin API asks for it. */
  webhookFault: DeliveryFault | undefined;
}

/** The settings of the fake that shape what operations accept. */
export interface OperationSettings {
  /** Accept only public HTTPS webhook URLs, as Jelou does (default false: any http(s) URL, for local development). */
  requireHttpsWebhooks: boolean;
}

/** What an operation signed rather than authenticated reads to check the signature. */
export interface SignedRequest {
  /** The parsed body, not yet checked against its schema; undefined when it is not JSON. */
  body: unknown;
  /** The exact bytes received: what the signature covers. */
  rawBody: Buffer | undefined;
  /** `X-Jelou-Signature`, if sent. */
  signature: string | undefined;
}

/** One operation of the fake. */
export interface OperationHandler<K extends OperationId> {
  /** True when the operation answers the conversation scenarios, `active` and `closed`. */
  answersStates: boolean;
  /** The conversation rule that applies to this request, for operations that read one conversation. */
  rule?(params: PathParams<K>, world: World): StoredRule | undefined;
  /**
   * For an operation signed with the integration's secret instead of the project's credentials (send-message):
   * checks the signature in their place. A refusal answers at once; `verified` lets the request go on;
   * `unverifiable` (no JSON body naming a project, so no secret to check with) is answered by the body's problem.
   */
  authenticate?(request: SignedRequest, world: World): Refusal | "verified" | "unverifiable";
  /** The project a request concerns, when it is not a path parameter (send-message names it in the body). */
  projectOf?(body: unknown): string | undefined;
  /** The id whose prefix may select a scenario with no set-up (`closed-...`), when the operation has one. */
  magicId?(params: PathParams<K>): string;
  /** Does the operation's work: reads and changes the world, and says what to answer. */
  run(request: OperationRequest<K>, world: World, settings: OperationSettings): OperationResult;
}
