// What operations answer with: the success envelope, the integration as responses show it, a full state budget.
import { randomBytes } from "node:crypto";
import type { SchemaCreatedIntegration, SchemaIntegration } from "../../generated/jelou-external-support.ts";
import type { Refusal } from "./operation.ts";

/** Jelou's success envelope: `data` left out when there is none (Delete integration). */
export function success<T>(
  message: string,
  data: T,
): { message: string[]; statusMessage: "success"; status: 1; data: T };
export function success(message: string): { message: string[]; statusMessage: "success"; status: 1 };
export function success(message: string, ...data: unknown[]) {
  return { message: [message], statusMessage: "success", status: 1, ...(data.length > 0 && { data: data[0] }) };
}

/** An integration without its signing secret: what every response but Create integration's shows. */
export function withoutSecret({ signingSecret: _secret, ...integration }: SchemaCreatedIntegration): SchemaIntegration {
  return integration;
}

/** A new identifier in the shape of Jelou's (a MongoDB ObjectId: 24 lower-case hex digits). */
export function newObjectId(): string {
  return randomBytes(12).toString("hex");
}

/** An instant as the API writes dates. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The refusal when the state's byte budget has no room for what the operation would store. */
export function budgetRefusal(message: string): Refusal {
  return { kind: "fake-error", key: "STATE_BUDGET_REACHED", message };
}
