// The library API of fake-jelou: start the fake Jelou from a test, or mount its Express app yourself.

export type { BasicCredential } from "./auth.ts";
export { createMockApp, type MockApp, type MockRequestHandler, ROUTE_PREFIXES } from "./http/app.ts";
export { MockListenError, type MockServer, type MockServerOptions, startMockServer } from "./http/server.ts";
export { type JournalEntry, MAX_JOURNAL_FIELD_BYTES, MAX_JOURNAL_LIMIT } from "./journal.ts";
export {
  DEFAULT_BUDGET_BYTES,
  MAX_BUDGET_BYTES,
  MAX_DELAY_MS,
  MAX_SHUTDOWN_GRACE_MS,
  MAX_URL_LENGTH,
} from "./limits.ts";
export type { OperationRule } from "./operation-rules.ts";
export { MockConfigError, type MockOptions } from "./options.ts";
export { PROVIDER_STATES } from "./provider-states.ts";
export type { ConversationOverrides, ConversationRule, StoredRule } from "./rules.ts";
export { MAGIC_ID_PREFIXES, SCENARIOS, type Scenario, STATUS_ALIASES } from "./scenario.ts";
export type { StateDocument, StoredConversation, StoredIntegration } from "./state.ts";
export {
  type VerifiedInteraction,
  type VerifyPactOptions,
  type VerifyPactResult,
  verifyPact,
} from "./verify-pact.ts";
export { type SignedBody, signJelouPayload, verifyJelouSignature } from "./webhooks/signature.ts";
export type { MockControl, MockStats, Page } from "./world.ts";
