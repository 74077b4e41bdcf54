import type { SchemaErrorEnvelope } from "../generated/jelou-external-support.ts";
import type { ResponseScenario } from "./scenario.ts";

/** Scenarios answered with an error envelope. */
export type ErrorScenario = Exclude<ResponseScenario, "active" | "closed">;

/**
 * The statuses an error scenario answers with (the first an operation declares) and the spec's named example it
 * serves, as Prism does with `Prefer: example=<name>`. An operation that declares none of the statuses does not
 * answer the scenario.
 */
export const ERROR_SCENARIO_EXAMPLES: Readonly<
  Record<ErrorScenario, { statuses: readonly number[]; example: string }>
> = {
  unauthorized: { statuses: [401], example: "unauthorized" },
  "not-found": { statuses: [404], example: "notFound" },
  "server-error": { statuses: [500], example: "serverError" },
  "validation-error": { statuses: [422, 400], example: "validationError" },
  conflict: { statuses: [409], example: "conflict" },
};

/** Errors of fake-jelou itself (bad use of the fake, not Jelou behaviour), with their status and Spanish text. */
export const FAKE_ERRORS = {
  UNKNOWN_SCENARIO: { status: 400, es: "Escenario desconocido." },
  SCENARIO_NOT_APPLICABLE: { status: 400, es: "El escenario no aplica a esta operación." },
  ADMIN_UNAUTHORIZED: { status: 401, es: "Se requiere el token de administración." },
  ADMIN_HOST_NOT_ALLOWED: { status: 403, es: "Host no permitido para la administración." },
  ADMIN_CROSS_SITE: { status: 403, es: "La administración no responde a otros sitios." },
  INVALID_DELAY: { status: 400, es: "Retardo inválido." },
  INVALID_BODY: { status: 400, es: "Cuerpo de la solicitud inválido." },
  RULE_LIMIT_REACHED: { status: 409, es: "Se alcanzó el límite de reglas." },
  RULE_BUDGET_REACHED: { status: 409, es: "Se alcanzó el límite de bytes de las reglas." },
  STATE_BUDGET_REACHED: { status: 409, es: "Se alcanzó el límite de bytes del estado." },
  INVALID_STATE: { status: 400, es: "Estado inválido." },
  UNKNOWN_OPERATION: { status: 404, es: "Operación desconocida." },
  UNKNOWN_PROVIDER_STATE: { status: 400, es: "Estado de proveedor desconocido." },
  INVALID_QUERY: { status: 400, es: "Parámetros de consulta inválidos." },
  ROUTE_NOT_FOUND: { status: 404, es: "Ruta no encontrada." },
  RULE_NOT_FOUND: { status: 404, es: "No existe una regla para esta conversación." },
  METHOD_NOT_ALLOWED: { status: 405, es: "Método no permitido." },
  REQUEST_TIMEOUT: { status: 408, es: "La solicitud tardó demasiado en llegar." },
  PAYLOAD_TOO_LARGE: { status: 413, es: "El cuerpo de la solicitud es demasiado grande." },
  URI_TOO_LONG: { status: 414, es: "La URL es demasiado larga." },
  HEADERS_TOO_LARGE: { status: 431, es: "Los encabezados son demasiado grandes." },
  MALFORMED_REQUEST: { status: 400, es: "Solicitud HTTP mal formada." },
  INVALID_PATH_ENCODING: { status: 400, es: "La ruta no es una codificación porcentual válida." },
  EXPECTATION_FAILED: { status: 417, es: "No se puede cumplir la expectativa." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, es: "Tipo de contenido no soportado." },
  INTERNAL_ERROR: { status: 500, es: "Error interno de fake-jelou." },
  UNKNOWN_WEBHOOK_FAULT: { status: 400, es: "Falla de webhook desconocida." },
  DELIVERY_NOT_FOUND: { status: 404, es: "No existe esa entrega de webhook." },
  CONVERSATION_NOT_STARTED: { status: 404, es: "La conversación no fue iniciada en el sandbox." },
  CONVERSATION_NOT_ACTIVE: { status: 409, es: "La conversación no está activa." },
  EVENT_STREAMS_FULL: { status: 503, es: "Hay demasiados flujos de eventos abiertos." },
  CONSOLE_NOT_BUILT: { status: 503, es: "La consola no está construida." },
  SHUTTING_DOWN: { status: 503, es: "El servidor se está apagando." },
} as const;

export type FakeErrorKey = keyof typeof FAKE_ERRORS;

/** Jelou's error envelope for one of fake-jelou's own errors; `fields` fills validationError, Jelou-style. */
export function fakeErrorBody(
  key: FakeErrorKey,
  message: string,
  fields?: Record<string, string>,
): SchemaErrorEnvelope {
  const { status, es } = FAKE_ERRORS[key];
  const body: SchemaErrorEnvelope = {
    message: [message],
    statusMessage: "failed",
    status: 0,
    error: {
      code: `E0${status}`,
      key,
      description: message,
      developerMessages: { es, en: message },
      clientMessages: { es, en: message },
    },
  };
  if (fields) {
    body.validationError = Object.fromEntries(Object.entries(fields).map(([field, why]) => [field, [{ es, en: why }]]));
  }
  return body;
}
