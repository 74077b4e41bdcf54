// The admin API: what the library's control API does, over HTTP under /__admin.
import express, { type Request, type Response } from "express";
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { type AdminGuardConfig, judgeAdminRequest } from "../admin-guard.ts";
import type { EventHub } from "../event-hub.ts";
import { ADMIN_BODY_LIMIT } from "../limits.ts";
import { parseScenario, unknownScenarioMessage } from "../scenario.ts";
import type { DeliveryFilter, DeliveryRecord } from "../webhooks/deliveries.ts";
import { WEBHOOK_EVENTS, type WebhookEventName } from "../webhooks/events.ts";
import { requestedFault } from "../webhooks/outgoing.ts";
import type { Page, World } from "../world.ts";
import { worldSnapshot } from "../world-snapshot.ts";
import { consoleRouter } from "./console-route.ts";
import { bodyErrorOf, errorHandler, sendFakeError } from "./errors.ts";
import type { EventStreams } from "./event-stream.ts";
import type { WebhookActions } from "./webhook-control.ts";

/** What the admin API serves and guards. */
export interface AdminRouterOptions {
  world: World;
  webhooks: WebhookActions;
  /** Told of each change made through the admin API. */
  hub: EventHub;
  streams: EventStreams;
  seed: string;
  stateBudgetBytes: number;
  spec: OpenApiDocument;
  specText: string;
  guard: AdminGuardConfig;
}

/** The admin API under /__admin: the control API over HTTP, every refusal in Jelou's envelope. */
export function adminRouter(options: AdminRouterOptions): express.Router {
  const { world, webhooks, hub, streams, seed, stateBudgetBytes, spec, specText, guard } = options;
  const router = express.Router();
  router.use((req, res, next) => {
    const console = req.method === "GET" && (req.path === "/console" || req.path === "/console/");
    const verdict = judgeAdminRequest(
      {
        method: req.method,
        path: req.path,
        host: req.headers.host,
        authorization: req.get("authorization"),
        contentType: req.get("content-type"),
        cookie: req.get("cookie"),
        consoleToken: console && typeof req.query.token === "string" ? req.query.token : undefined,
        fetchSite: req.get("sec-fetch-site"),
        fetchMode: req.get("sec-fetch-mode"),
      },
      guard,
    );
    if (verdict.ok) {
      if (verdict.session) res.locals.consoleSession = true;
      return next();
    }
    if (verdict.headers) res.set(verdict.headers);
    sendFakeError(res, verdict.key, verdict.message);
  });
  // Watchers (the console) learn that something changed through the admin API, and refresh what they show.
  router.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.once("finish", () => {
        if (hub.active && res.statusCode < 400)
          hub.publish({ type: "change", data: { method: req.method, path: `/__admin${req.path}` } });
      });
    }
    next();
  });
  const allow = (methods: string) => (_req: Request, res: Response) => {
    res.set("Allow", methods);
    sendFakeError(res, "METHOD_NOT_ALLOWED", `This admin route answers ${methods} only.`);
  };
  const jsonBody = express.json({ limit: ADMIN_BODY_LIMIT, strict: false });

  router.use("/console", consoleRouter(guard.token));
  router.get("/events", streams.handle);
  router.all("/events", allow("GET"));

  router.get("/world", (_req, res) => {
    res.json(worldSnapshot(world, seed));
  });
  router.all("/world", allow("GET"));

  router.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.all("/health", allow("GET"));

  router
    .route("/scenario")
    .get((_req, res) => {
      res.json({ scenario: world.scenario() });
    })
    .put(jsonBody, (req, res) => {
      const body: unknown = req.body;
      const name = typeof body === "object" && body !== null ? (body as { scenario?: unknown }).scenario : undefined;
      if (typeof name !== "string") {
        sendFakeError(res, "INVALID_BODY", 'The body must be {"scenario": "<name>"}.', {
          scenario: "scenario is required and must be a string.",
        });
        return;
      }
      const scenario = parseScenario(name);
      if (!scenario) {
        sendFakeError(res, "UNKNOWN_SCENARIO", unknownScenarioMessage(name), {
          scenario: unknownScenarioMessage(name),
        });
        return;
      }
      world.setScenario(scenario);
      res.json({ scenario });
    })
    .all(allow("GET, PUT"));

  router.get("/conversations", async (req, res) => {
    const page = readPage(req, res);
    if (page) await sendList(res, "conversations", world.conversations(page), world.stats().conversations);
  });
  router.all("/conversations", allow("GET"));

  router
    .route("/conversations/:projectId/:conversationId")
    .get((req, res) => {
      const rule = world.conversation(req.params.projectId, req.params.conversationId);
      if (rule) res.json(rule);
      else sendFakeError(res, "RULE_NOT_FOUND", `No rule for ${req.params.projectId}/${req.params.conversationId}.`);
    })
    .put(jsonBody, (req, res) => {
      const result = world.putRule(
        { projectId: req.params.projectId, conversationId: req.params.conversationId },
        req.body,
      );
      if (result.ok) res.json(result.rule);
      else sendFakeError(res, result.key, result.message, result.fields);
    })
    .delete((req, res) => {
      if (world.deleteConversation(req.params.projectId, req.params.conversationId)) res.status(204).end();
      else sendFakeError(res, "RULE_NOT_FOUND", `No rule for ${req.params.projectId}/${req.params.conversationId}.`);
    })
    .all(allow("GET, PUT, DELETE"));

  // A simulated end user: what it writes joins the transcript and goes to the project's webhook as `message`.
  router
    .route("/conversations/:projectId/:conversationId/messages")
    .get((req, res) => {
      const { projectId, conversationId } = req.params as { projectId: string; conversationId: string };
      const stored = world.sandbox.conversation(projectId, conversationId);
      if (!stored) {
        const message = `The sandbox has no conversation ${conversationId} in project ${projectId}: start it with startConversation first.`;
        return sendFakeError(res, "CONVERSATION_NOT_STARTED", message);
      }
      res.json({ messages: world.transcript(projectId, conversationId) });
    })
    .post(jsonBody, (req, res) => {
      const { projectId, conversationId } = req.params as { projectId: string; conversationId: string };
      const fault = requestedFault(req.get("x-fake-jelou-webhook-fault"), world.webhookFault(projectId));
      if ("error" in fault) {
        return sendFakeError(res, "UNKNOWN_WEBHOOK_FAULT", fault.error, { "X-Fake-Jelou-Webhook-Fault": fault.error });
      }
      const result = webhooks.postUserMessage(projectId, conversationId, req.body, fault.fault);
      if (result.ok) res.status(201).json(result.message);
      else sendFakeError(res, result.key, result.message, result.fields);
    })
    .all(allow("GET, POST"));

  router
    .route("/conversations/:projectId/:conversationId/close")
    .post(jsonBody, (req, res) => {
      const { projectId, conversationId } = req.params as { projectId: string; conversationId: string };
      const result = webhooks.postClose(projectId, conversationId);
      if (result.ok) res.json({ conversation: result.conversation });
      else sendFakeError(res, result.key, result.message, result.fields);
    })
    .all(allow("POST"));

  router.get("/deliveries", (req, res) => {
    const filter = readDeliveryFilter(req, res);
    if (filter) res.json({ deliveries: webhooks.deliveries(filter) });
  });
  router.all("/deliveries", allow("GET"));
  router.post("/deliveries/:id/redeliver", (req, res) => {
    const { id } = req.params as { id: string };
    try {
      res.status(202).json(webhooks.redeliver(id));
    } catch {
      sendFakeError(
        res,
        "DELIVERY_NOT_FOUND",
        `No delivery ${id.slice(0, 100)} in the log (it may have been dropped).`,
      );
    }
  });
  router.all("/deliveries/:id/redeliver", allow("POST"));

  router
    .route("/webhook-faults")
    .get((_req, res) => {
      res.json({ faults: world.webhookFaults() });
    })
    .put(jsonBody, (req, res) => {
      const result = world.putWebhookFault(req.body);
      if (result.ok) res.json({ faults: world.webhookFaults() });
      else sendFakeError(res, result.key, result.message, result.fields);
    })
    .delete((_req, res) => {
      for (const { projectId } of world.webhookFaults()) world.setWebhookFault(undefined, projectId);
      res.status(204).end();
    })
    .all(allow("GET, PUT, DELETE"));

  router
    .route("/requests")
    .get(async (req, res) => {
      const page = readPage(req, res);
      if (page) await sendList(res, "requests", world.requests(page), world.stats().requests);
    })
    .delete((_req, res) => {
      world.clearRequests();
      res.status(204).end();
    })
    .all(allow("GET, DELETE"));

  // The state is the one admin body that may be large: its limit is the state's own byte budget.
  const parseState = express.json({ limit: stateBudgetBytes, strict: false });
  // Its own refusal: the admin routes' 64 kB limit is not this body's.
  const stateBody: express.RequestHandler = (req, res, next) =>
    parseState(req, res, (error?: unknown) => {
      const refused =
        error === undefined ? undefined : bodyErrorOf(error, `${stateBudgetBytes} bytes (stateBudgetBytes)`);
      if (refused) sendFakeError(res, refused.key, refused.message);
      else next(error);
    });
  router
    .route("/state")
    .get((_req, res) => {
      res.json(world.state());
    })
    .put(stateBody, (req, res) => {
      const result = world.putState(req.body);
      if (result.ok) res.json(world.state());
      else sendFakeError(res, result.key, result.message, result.fields);
    })
    .all(allow("GET, PUT"));

  router.get("/operations", (_req, res) => {
    res.json({ operations: world.operations() });
  });
  router.all("/operations", allow("GET"));
  for (const path of ["/operations/:operationId", "/operations/:operationId/:projectId"]) {
    router
      .route(path)
      .get((req, res) => {
        const { operationId, projectId } = req.params as { operationId: string; projectId?: string };
        const rule = world.operations().find((r) => r.operationId === operationId && r.projectId === projectId);
        if (rule) res.json(rule);
        else sendFakeError(res, "RULE_NOT_FOUND", `No rule for ${operationId}${projectId ? ` of ${projectId}` : ""}.`);
      })
      .put(jsonBody, (req, res) => {
        const { operationId, projectId } = req.params as { operationId: string; projectId?: string };
        const result = world.putOperationRule(operationId, projectId, req.body);
        if (!result.ok) return sendFakeError(res, result.key, result.message, result.fields);
        res.json(world.operations().find((r) => r.operationId === operationId && r.projectId === projectId));
      })
      .delete((req, res) => {
        const { operationId, projectId } = req.params as { operationId: string; projectId?: string };
        if (world.deleteOperation(operationId as Parameters<World["deleteOperation"]>[0], projectId))
          res.status(204).end();
        else sendFakeError(res, "RULE_NOT_FOUND", `No rule for ${operationId}${projectId ? ` of ${projectId}` : ""}.`);
      })
      .all(allow("GET, PUT, DELETE"));
  }

  // Pact's provider-state setup URL (providerStatesSetupUrl), for verifiers in any language: {state, params, action}.
  // A teardown resets the fake, so that each interaction starts from the startup state.
  router.post("/provider-states", jsonBody, (req, res) => {
    const body = (req.body ?? {}) as { state?: unknown; params?: unknown; action?: unknown };
    if (body.action === "teardown") {
      webhooks.reset();
      return res.json({});
    }
    if (
      typeof body.state !== "string" ||
      (body.params !== undefined && (typeof body.params !== "object" || body.params === null))
    ) {
      const message = 'The body must be {"state": "<name>", "params": {...}, "action": "setup" | "teardown"}.';
      return sendFakeError(res, "INVALID_BODY", message, { state: message });
    }
    const result = world.putProviderState(body.state, (body.params ?? {}) as Record<string, unknown>);
    if (result.ok) res.json({});
    else sendFakeError(res, result.key, result.message, result.fields);
  });
  router.all("/provider-states", allow("POST"));

  router.post("/reset", (_req, res) => {
    webhooks.reset();
    res.json({ status: "reset", scenario: world.scenario() });
  });
  router.all("/reset", allow("POST"));

  router.get("/openapi.yaml", (_req, res) => {
    res.type("application/yaml").send(specText);
  });
  router.get("/openapi.json", (_req, res) => {
    res.json(spec);
  });
  router.all(["/openapi.yaml", "/openapi.json"], allow("GET"));

  router.use((req, res) => {
    sendFakeError(res, "ROUTE_NOT_FOUND", `No admin route for ${req.method} /__admin${req.path}.`);
  });
  router.use(errorHandler);
  return router;
}

const OUTCOMES = ["pending", "delivered", "failed"] as const satisfies readonly DeliveryRecord["outcome"][];

// `?projectId=&event=&outcome=&limit=`, each optional. Undefined (and a 400 sent) when one is malformed.
function readDeliveryFilter(req: Request, res: Response): DeliveryFilter | undefined {
  const { projectId, event, outcome, limit, ...rest } = req.query;
  const refuse = (field: string, message: string) => {
    sendFakeError(res, "INVALID_QUERY", message, { [field]: message });
    return undefined;
  };
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    return refuse(unknown.slice(0, 100), "Filter deliveries by projectId, event, outcome and limit.");
  if (projectId !== undefined && typeof projectId !== "string")
    return refuse("projectId", "projectId must be given once.");
  if (event !== undefined && !WEBHOOK_EVENTS.includes(event as WebhookEventName)) {
    return refuse("event", `event must be one of ${WEBHOOK_EVENTS.join(", ")}.`);
  }
  if (outcome !== undefined && !OUTCOMES.includes(outcome as (typeof OUTCOMES)[number])) {
    return refuse("outcome", `outcome must be one of ${OUTCOMES.join(", ")}.`);
  }
  if (limit !== undefined && (typeof limit !== "string" || !/^\d{1,9}$/.test(limit))) {
    return refuse("limit", "limit must be a whole number from 0 to 999999999.");
  }
  return {
    ...(projectId !== undefined && { projectId }),
    ...(event !== undefined && { event: event as WebhookEventName }),
    ...(outcome !== undefined && { outcome: outcome as (typeof OUTCOMES)[number] }),
    ...(limit !== undefined && { limit: Number(limit) }),
  };
}

// Paging: `?offset=&limit=`, both optional whole numbers. Undefined (and a 400 sent) when either is malformed.
function readPage(req: Request, res: Response): Page | undefined {
  const page: Page = {};
  for (const name of ["offset", "limit"] as const) {
    const value = req.query[name];
    if (value === undefined) continue;
    if (typeof value !== "string" || !/^\d{1,9}$/.test(value)) {
      sendFakeError(res, "INVALID_QUERY", `${name} must be a whole number from 0 to 999999999.`, {
        [name]: `${name} must be a whole number from 0 to 999999999.`,
      });
      return undefined;
    }
    page[name] = Number(value);
  }
  return page;
}

// A listing is written entry by entry, a chunk at a time and at the client's pace: however many entries there are,
// no single string holds them all, so a listing can never fail on its size. X-Total-Count tells the whole count.
const CHUNK_BYTES = 64 * 1024;
async function sendList(res: Response, key: string, items: readonly unknown[], total: number): Promise<void> {
  res.status(200).type("application/json").set("X-Total-Count", String(total));
  let chunk = `{"${key}":[`;
  for (const [i, item] of items.entries()) {
    chunk += (i === 0 ? "" : ",") + JSON.stringify(item);
    if (chunk.length < CHUNK_BYTES) continue;
    // A destroyed response has already emitted "close": waiting for it would never end.
    if (!res.write(chunk) && !res.destroyed) await drainedOrClosed(res);
    if (res.destroyed) return;
    chunk = "";
  }
  res.end(`${chunk}]}`);
}

// Resolves on whichever comes first, and leaves no listener behind (a listing may wait thousands of times).
function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
