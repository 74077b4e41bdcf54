// The routes of the Jelou API, read from the spec: one per path, with the operations of its methods.
import type { OpenApiDocument } from "../../spec/load-spec.ts";
import { OPERATIONS, type OperationId } from "../operations/index.ts";
import { MockConfigError } from "../options.ts";

const METHODS = ["get", "put", "post", "delete", "patch"] as const;
export type RouteMethod = (typeof METHODS)[number];

/** One path of the spec: its Express form and the operation each of its methods serves. */
export interface SpecRoute {
  /** As the spec writes it, e.g. `/v1/external-support/{projectId}`. */
  specPath: string;
  /** As Express matches it, e.g. `/v1/external-support/:projectId`. */
  expressPath: string;
  /**
   * The prefixes the path answers under when it has servers of its own (send-message's `/chatbot`): the paths of
   * those servers' URLs but the root, which would collide with the gateway's paths. Undefined: the gateway's.
   */
  prefixes?: readonly string[];
  operations: readonly {
    method: RouteMethod;
    operation: OperationId;
    summary: string;
    hasBody: boolean;
    /** True for an operation signed rather than authenticated (`security: []`): its raw body is kept. */
    signed: boolean;
  }[];
}

/** The spec's paths as routes; throws MockConfigError for an operation this fake has no handler for. */
export function specRoutes(spec: OpenApiDocument): SpecRoute[] {
  type Operation = { operationId?: string; summary?: string; requestBody?: unknown; security?: unknown[] };
  const paths = (spec.paths ?? {}) as Record<
    string,
    Partial<Record<RouteMethod, Operation>> & { servers?: { url?: unknown }[] }
  >;
  return Object.entries(paths).map(([specPath, item]) => ({
    specPath,
    expressPath: specPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ":$1"),
    ...(item.servers && { prefixes: serverPrefixes(item.servers) }),
    operations: METHODS.filter((method) => item[method] !== undefined).map((method) => {
      const { operationId = "", summary = operationId, requestBody, security } = item[method] ?? {};
      if (!Object.hasOwn(OPERATIONS, operationId)) {
        throw new MockConfigError(
          `The spec's ${method.toUpperCase()} ${specPath} (operationId "${operationId}") has no handler in fake-jelou: serve a spec whose operations are ${Object.keys(OPERATIONS).join(", ")}.`,
        );
      }
      const signed = Array.isArray(security) && security.length === 0;
      return { method, operation: operationId as OperationId, summary, hasBody: requestBody !== undefined, signed };
    }),
  }));
}

function serverPrefixes(servers: readonly { url?: unknown }[]): string[] {
  const prefixes = new Set<string>();
  for (const { url } of servers) {
    const path = typeof url === "string" && URL.canParse(url) ? new URL(url).pathname.replace(/\/+$/, "") : "";
    if (path !== "") prefixes.add(path);
  }
  if (prefixes.size === 0)
    throw new MockConfigError("A path's own servers must have a URL with a path, e.g. /chatbot.");
  return [...prefixes];
}
