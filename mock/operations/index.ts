// Every operation of the spec and its handler. Typed from the generated `operations`: an operation added to the
// spec without a handler here fails to compile.
import { getConversation } from "./get-conversation.ts";
import type { OperationHandler, OperationId } from "./operation.ts";

export type { OperationHandler, OperationId, PathParams, Reply } from "./operation.ts";

/** The handler of each operation of the spec. */
export const OPERATIONS: { readonly [K in OperationId]: OperationHandler<K> } = {
  getConversation,
};
