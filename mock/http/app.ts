// The Express layer of the fake: it turns a request into facts, asks the core for a plan, and applies it. No
// decision is made here that a plain-object test could not make.
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import express, { type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { stringify } from "yaml";
import { SPEC_PATH } from "../../spec/load-spec.ts";
import { createSpecValidator, type SpecValidator } from "../../spec/schema-validator.ts";
import { createCoreConfig, fakeError, negotiate, type RequestFacts } from "../core/negotiate.ts";
import type { Outcome, Plan, Reply } from "../core/plan.ts";
import { EventHub } from "../event-hub.ts";
import type { JournalEntry } from "../journal.ts";
import { API_BODY_LIMIT, DELIVERY_LOG_BUDGET_BYTES, MAX_URL_LENGTH } from "../limits.ts";
import { OPERATIONS, type OperationId } from "../operations/index.ts";
import { applyProviderState } from "../operations/provider-state.ts";
import { type MockOptions, resolveOptions } from "../options.ts";
import { readMockSpecData } from "../spec-data.ts";
import { webhookHostAllowed } from "../webhooks/allow-list.ts";
import { Deliveries } from "../webhooks/deliveries.ts";
import { controlOf, createWorld, type MockControl } from "../world.ts";
import { adminRouter } from "./admin-router.ts";
import { bodyErrorOf, errorHandler, sendReply } from "./errors.ts";
import { eventStreams } from "./event-stream.ts";
import { specRoutes } from "./spec-routes.ts";
import { type WebhookControl, webhookActions } from "./webhook-control.ts";

/** Path prefixes under which the Jelou API answers: production, the docs' Markdown copies, Prism. */
export const ROUTE_PREFIXES = ["/jelouapi", "/platform", ""] as const;

/**
 * The fake as a plain Node request handler: `http.createServer(app)`, or `yourExpressApp.use(app)`. Typed without
 * Express so that a TypeScript consumer needs no @types/express.
 */
export type MockRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

export interface MockApp {
  app: MockRequestHandler;
  control: MockControl & WebhookControl;
  /** For shutdown: drops the requests the `timeout` scenario holds, and holds no new ones. */
  releaseHeld(): void;
  /** For shutdown: aborts the webhook deliveries in flight and their back-offs. */
  closeDeliveries(): void;
  /** For shutdown: ends the event streams (`GET /__admin/events`), which would otherwise never finish. */
  closeStreams(): void;
}

// What the journal records of a request while it is served.
interface RequestRecord {
  operation?: OperationId;
  /** The body's bytes, for a signed operation. */
  rawBody?: Buffer;
  ids?: { projectId?: string; conversationId?: string };
  outcome?: Outcome;
  /** What was answered, for the request event. */
  reply?: Reply;
}

/** Builds the fake Jelou as an Express app, without listening. */
export function createMockApp(options: MockOptions = {}): MockApp {
  const resolved = resolveOptions(options);
  const specData = readMockSpecData(resolved.spec);
  const routes = specRoutes(resolved.spec);
  let validator: SpecValidator | undefined;
  // Created at its first use (a rule with overrides, a state, a request body): it costs about 45 ms of the start.
  const specValidator = () => {
    validator ??= createSpecValidator(resolved.spec);
    return validator;
  };
  const settings = { requireHttpsWebhooks: resolved.requireHttpsWebhooks };
  const config = createCoreConfig(resolved.auth, resolved.delayMs, settings, specData, specValidator);
  const world = createWorld(resolved, specData.known, config.scenarios, specValidator, applyProviderState);
  const hub = new EventHub();
  const deliveries = new Deliveries({
    onChange: (record) => {
      if (hub.active) hub.publish({ type: "delivery", data: record() });
    },
    retries: resolved.webhookRetries,
    timeoutMs: resolved.webhookTimeoutMs,
    retryBaseMs: resolved.webhookRetryBaseMs,
    budgetBytes: DELIVERY_LOG_BUDGET_BYTES,
    allowHost: (url) => webhookHostAllowed(url, resolved.webhookAllow),
  });
  const webhooks = webhookActions(world, deliveries, specValidator, settings);
  const streams = eventStreams(hub, { requests: () => world.requests(), deliveries: () => deliveries.list() });
  const records = new WeakMap<ServerResponse, RequestRecord>();
  const held = new Set<ServerResponse>();
  let closing = false;

  const app = express();
  app.disable("x-powered-by");
  app.use((req, res, next) => {
    if (req.url.length > MAX_URL_LENGTH)
      return sendReply(res, fakeError("URI_TOO_LONG", `The URL exceeds ${MAX_URL_LENGTH} characters.`));
    next();
  });
  // A weak ETag hashes every body; a fake serving many small JSON bodies pays for it on every request.
  app.set("etag", false);

  if (resolved.admin) {
    const specText = resolved.committedSpec ? readFileSync(SPEC_PATH, "utf8") : stringify(resolved.spec);
    const guard = { token: resolved.adminToken, allowedHosts: resolved.allowedHosts };
    app.use(
      "/__admin",
      adminRouter({
        world,
        webhooks,
        hub,
        streams,
        seed: resolved.seed,
        stateBudgetBytes: resolved.stateBudgetBytes,
        spec: resolved.spec,
        specText,
        guard,
      }),
    );
  }

  app.use((req, res, next) => {
    const started = performance.now();
    const record: RequestRecord = {};
    records.set(res, record);
    res.once("close", () => {
      const outcome = record.outcome;
      const entry: JournalEntry = {
        time: new Date().toISOString(),
        method: req.method,
        path: req.path,
        ...(record.operation && { operation: record.operation }),
        ...record.ids,
        ...(outcome?.scenario && { scenario: outcome.scenario, scenarioSource: outcome.scenarioSource }),
        status: res.headersSent ? res.statusCode : null,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
        auth: outcome?.auth ?? "none",
      };
      const stored = world.record(entry);
      if (hub.active) {
        const body = record.reply?.body;
        hub.publish({ type: "request", data: stored, ...(body !== undefined && { body }) });
      }
    });
    next();
  });

  const facts = (
    req: Request,
    operation: OperationId,
    params: RequestFacts["params"],
    bodyError?: RequestFacts["bodyError"],
  ): RequestFacts => ({
    operation,
    params,
    body: req.body,
    bodyError,
    now: Date.now(),
    credentials: { apiKey: req.get("x-api-key"), authorization: req.get("authorization") },
    scenarioHeader: req.get("x-fake-jelou-scenario"),
    prefer: req.get("prefer"),
    delayHeader: req.get("x-fake-jelou-delay"),
    signature: req.get("x-jelou-signature"),
    webhookFaultHeader: req.get("x-fake-jelou-webhook-fault"),
    rawBody: records.get(req.res as Response)?.rawBody,
  });

  // Every answer of the Jelou API goes through here, so that its request event can carry the body.
  const reply = (res: Response, plan: Reply): void => {
    const record = records.get(res);
    if (record) record.reply = plan;
    sendReply(res, plan);
  };
  const apply = (res: Response, record: RequestRecord, outcome: Outcome): void => {
    record.outcome = outcome;
    applyPlan(res, outcome.plan, record);
  };
  const applyPlan = (res: Response, plan: Plan, record: RequestRecord): void => {
    switch (plan.kind) {
      case "reply": {
        reply(res, plan);
        const effects = plan.effects;
        // After the response, whether or not its client stayed: the operation happened, so its events follow it.
        if (effects?.length) {
          res.once("close", () => {
            for (const effect of effects) deliveries.send(effect);
          });
        }
        return;
      }
      case "wait": {
        // The timer ends with the connection: a client that leaves, or shutdown's grace period, must not leave it behind.
        const gone = new AbortController();
        res.once("close", () => gone.abort());
        sleep(plan.ms, undefined, { signal: gone.signal }).then(
          () => {
            if (res.destroyed) return;
            // Outside Express's handler now: a bug in the decision must answer as one, not end the process.
            try {
              apply(res, record, plan.resume(world));
            } catch (error) {
              errorHandler(error, res.req, res, () => {});
            }
          },
          () => {},
        );
        return;
      }
      case "fault":
        if (plan.fault === "reset" || closing) {
          res.destroy();
          return;
        }
        held.add(res);
        {
          const timer = setTimeout(() => res.destroy(), resolved.timeoutHoldMs);
          res.once("close", () => {
            clearTimeout(timer);
            held.delete(res);
          });
        }
    }
  };

  // The API's bodies are small JSON documents; anything larger is refused before it is read whole. Any JSON value is
  // parsed, so that a body that is not an object is a validation error of the operation, as in Jelou.
  const parseJson = express.json({ limit: API_BODY_LIMIT, strict: false });
  // A signature covers the bytes as sent, not the JSON they parse to: they are kept for the operation to check.
  const parseSignedJson = express.json({
    limit: API_BODY_LIMIT,
    strict: false,
    // Inflated bytes are not the bytes sent: a compressed body is refused (415) rather than checked as another.
    inflate: false,
    verify: (_req, res, bytes) => {
      const record = records.get(res as Response);
      if (record) record.rawBody = bytes;
    },
  });
  const bodyOf =
    (operation: OperationId, signed: boolean): RequestHandler =>
    (req, res, next) => {
      const record = records.get(res);
      // Known before the parser can fail, so that its error is answered as this operation's.
      if (record) record.operation = operation;
      (signed ? parseSignedJson : parseJson)(req, res, next);
    };
  // Express tries its routes in order. The longest paths first, and GET first among them: Get Conversation, the
  // request a load test repeats, is matched by the first route it meets. The 405 answers come after every route, so
  // that a method one path lacks (POST .../conversations/{id}) still reaches the path that has it (POST .../start).
  const prefixed = (route: (typeof routes)[number]) =>
    (route.prefixes ?? ROUTE_PREFIXES).map((prefix) => `${prefix}${route.expressPath}`);
  const depth = (route: (typeof routes)[number]) => route.specPath.split("/").length;
  const ordered = routes
    .flatMap((route) => route.operations.map((op) => ({ route, ...op })))
    .sort((a, b) => depth(b.route) - depth(a.route) || Number(b.method === "get") - Number(a.method === "get"));
  for (const { route, method, operation, hasBody, signed } of ordered) {
    const handle = (req: Request, res: Response) => {
      const record = records.get(res) as RequestRecord;
      record.operation = operation;
      // Send-message names its project in the body, not the path.
      const projectId = OPERATIONS[operation].projectOf?.(req.body);
      record.ids = projectId === undefined ? (req.params as RequestRecord["ids"]) : { projectId };
      apply(res, record, negotiate(facts(req, operation, req.params as RequestFacts["params"]), world, config));
    };
    if (hasBody) app[method](prefixed(route), bodyOf(operation, signed), handle);
    else app[method](prefixed(route), handle);
  }
  for (const route of routes) {
    const allowed = route.operations.map(({ method }) => method.toUpperCase()).join(", ");
    const names = route.operations.map(({ summary }) => summary).join(", ");
    app.all(prefixed(route), (_req, res) => {
      reply(
        res,
        fakeError("METHOD_NOT_ALLOWED", `${names}: ${route.specPath} answers ${allowed} only.`, { Allow: allowed }),
      );
    });
  }

  const served = routes
    .filter((route) => route.prefixes === undefined)
    .map(({ specPath }) => specPath)
    .join(", ");
  const ownServers = routes
    .filter((route) => route.prefixes !== undefined)
    .map((route) => ` ${route.specPath} under ${route.prefixes?.join(" or ")}.`)
    .join("");
  app.use((req, res) => {
    reply(
      res,
      fakeError(
        "ROUTE_NOT_FOUND",
        `No route for ${req.method} ${req.path}. The fake serves ${served} under the prefix /jelouapi, /platform or none;${ownServers}`,
      ),
    );
  });
  // The router decodes the path parameters before any handler runs, so a path that is not percent-encoding fails
  // there, and a body that is not JSON fails in its parser: the core still judges the credentials first, as Jelou's
  // gateway judges them before it reads the path or the body.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    const record = records.get(res);
    if (!record) return next(err);
    // Without parameters the core answers before it looks at the operation: any operation will do.
    if (err instanceof URIError) {
      return apply(res, record, negotiate(facts(req, record.operation ?? "getConversation", undefined), world, config));
    }
    const bodyError = bodyErrorOf(err, API_BODY_LIMIT);
    if (!bodyError || record.operation === undefined) return next(err);
    const params = req.params as RequestFacts["params"];
    apply(res, record, negotiate(facts(req, record.operation, params, bodyError), world, config));
  });
  app.use(errorHandler);
  const { postUserMessage: _adminOnly, postClose: _adminToo, ...webhookControl } = webhooks;
  return {
    app,
    control: { ...controlOf(world), ...webhookControl },
    closeDeliveries: () => deliveries.close(),
    closeStreams: () => streams.close(),
    releaseHeld() {
      closing = true;
      for (const res of held) res.destroy();
      held.clear();
    },
  };
}
