// The typed consumer of Get Conversation: `import { createJelouClient } from "fake-jelou/client"`.
export {
  type Conversation,
  createJelouClient,
  type GetConversationResult,
  type JelouClient,
  JelouClientConfigError,
  type JelouClientOptions,
  type JelouError,
  type JelouErrorBody,
  type JelouErrorKind,
} from "./jelou-client.ts";
