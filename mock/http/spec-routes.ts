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
  operations: readonly { method: RouteMethod; operation: OperationId; summary: string; hasBody: boolean }[];
}

/** The spec's paths as routes; throws MockConfigError for an operation this fake has no handler for. */
export function specRoutes(spec: OpenApiDocument): SpecRoute[] {
  const paths = (spec.paths ?? {}) as Record<
    string,
    Record<string, { operationId?: string; summary?: string; requestBody?: unknown }>
  >;
  return Object.entries(paths).map(([specPath, item]) => ({
    specPath,
    expressPath: specPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ":$1"),
    operations: METHODS.filter((method) => item[method] !== undefined).map((method) => {
      const { operationId = "", summary = operationId, requestBody } = item[method] ?? {};
      if (!Object.hasOwn(OPERATIONS, operationId)) {
        throw new MockConfigError(
          `The spec's ${method.toUpperCase()} ${specPath} (operationId "${operationId}") has no handler in fake-jelou: serve a spec whose operations are ${Object.keys(OPERATIONS).join(", ")}.`,
        );
      }
      return { method, operation: operationId as OperationId, summary, hasBody: requestBody !== undefined };
    }),
  }));
}
