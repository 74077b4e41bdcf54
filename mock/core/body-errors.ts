// A request body's schema violations as Jelou's `validationError`: per field, why, in Spanish and English.
import type { ErrorObject } from "ajv";
// The Spanish messages only: the package's index loads every language it has.
import localizeEs from "ajv-i18n/localize/es/index.js";
import type { Localize } from "ajv-i18n/localize/types.js";
import { type SchemaViolation, violationField } from "../../spec/schema-validator.ts";
import type { FieldErrors } from "../operations/index.ts";

// A CommonJS module whose `module.exports` is the function: that is what Node's default import gives.
const localizeSpanish = localizeEs as unknown as Localize;

// Keywords that only say "a branch of the schema failed": the violation that made it fail is reported as well.
const NOISE = new Set(["if", "then", "else", "oneOf", "anyOf", "allOf"]);

/** The violations by field (a dotted path, `body` for the body itself), or undefined when there are none. */
export function bodyFieldErrors(violations: readonly SchemaViolation[]): FieldErrors | undefined {
  const relevant = violations.filter((v) => !NOISE.has(v.keyword));
  if (relevant.length === 0) return violations.length === 0 ? undefined : { body: [invalid()] };
  const fields: FieldErrors = {};
  for (const violation of relevant) {
    const field = violationField(violation) || "body";
    const spanish = [{ ...violation, instancePath: violation.pointer, schemaPath: "" }] as unknown as ErrorObject[];
    localizeSpanish(spanish);
    const messages = fields[field] ?? [];
    messages.push({ es: `${field} ${spanish[0]?.message ?? "no es válido"}.`, en: `${field} ${violation.message}.` });
    fields[field] = messages;
  }
  return fields;
}

function invalid() {
  return { es: "El cuerpo no es válido.", en: "The body is invalid." };
}
