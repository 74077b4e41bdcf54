// GET /__admin/world: the world as a watcher (the console) shows it, never with a signing secret, a webhook
// credential or a webhook URL's query, and with transcripts as their lengths.
import type { SchemaIntegration } from "../generated/jelou-external-support.ts";
import { withoutSecret } from "./operations/replies.ts";
import { shownUrl } from "./redact.ts";
import type { Scenario } from "./scenario.ts";
import type { SandboxState } from "./state.ts";
import type { World } from "./world.ts";

/** The most integrations and started conversations a snapshot lists, newest first. */
export const WORLD_SNAPSHOT_LIMIT = 500;

/** The default scenario, the seed, the integrations without their secrets, and the newest conversations. */
export interface WorldSnapshot {
  scenario: Scenario;
  seed: string;
  integrations: { projectId: string; integration: SchemaIntegration; hasAuthorization: boolean }[];
  conversations: ReturnType<SandboxState["overview"]>["conversations"];
  /** Set when there are more integrations or conversations than the snapshot lists. */
  truncated?: true;
}

/** The world as `GET /__admin/world` answers it. */
export function worldSnapshot(world: World, seed: string, limit: number = WORLD_SNAPSHOT_LIMIT): WorldSnapshot {
  const overview = world.sandbox.overview(limit);
  return {
    scenario: world.scenario(),
    seed,
    integrations: overview.integrations.map(({ projectId, integration, authorization }) => ({
      projectId,
      integration: { ...withoutSecret(integration), webhookUrl: shownUrl(integration.webhookUrl) },
      hasAuthorization: authorization !== undefined,
    })),
    conversations: overview.conversations,
    ...(overview.truncated && { truncated: true }),
  };
}
