// Every operation of the spec and its handler. Typed from the generated `operations`: an operation added to the
// spec without a handler here fails to compile.
import { closeConversation } from "./close-conversation.ts";
import { createIntegration } from "./create-integration.ts";
import { deleteIntegration } from "./delete-integration.ts";
import { getConversation } from "./get-conversation.ts";
import { getIntegration } from "./get-integration.ts";
import type { OperationHandler, OperationId } from "./operation.ts";
import { sendMessage } from "./send-message.ts";
import { startConversation } from "./start-conversation.ts";
import { updateIntegration } from "./update-integration.ts";

export type {
  FieldErrors,
  OperationHandler,
  OperationId,
  OperationRequest,
  OperationResult,
  OperationSettings,
  PathParams,
  Refusal,
  Reply,
  SignedRequest,
} from "./operation.ts";

/** The handler of each operation of the spec. */
export const OPERATIONS: { readonly [K in OperationId]: OperationHandler<K> } = {
  createIntegration,
  getIntegration,
  updateIntegration,
  deleteIntegration,
  startConversation,
  closeConversation,
  getConversation,
  sendMessage,
};
