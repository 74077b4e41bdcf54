// Validating a body against the spec (Ajv, JSON Schema 2020-12, formats asserted).
import { createSpecValidator, formatViolations, loadSpec } from "fake-jelou/spec";

const validator = createSpecValidator(loadSpec());

/** True when `body` is a valid 200 answer of Get Conversation; prints why not otherwise. */
export function isValidConversationResponse(body: unknown): boolean {
  const result = validator.validateResponse({
    operationId: "getConversation",
    status: 200,
    contentType: "application/json",
    body,
  });
  // outcome: "valid" | "invalid" (violations: pointer, keyword, message) | "undeclared-status" | "undeclared-media-type"
  if (result.outcome === "invalid") console.error(formatViolations(result.violations));
  return result.outcome === "valid";
}
