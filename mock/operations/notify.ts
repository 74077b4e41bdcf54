// The webhook event an operation fires: to the project's integration, as it is when the operation runs.
import type { StoredConversation } from "../state.ts";
import type { WebhookEventName, WebhookPayload } from "../webhooks/events.ts";
import { type DeliveryFault, type DeliveryRequest, outgoingEvent } from "../webhooks/outgoing.ts";
import type { World } from "../world.ts";

/** The deliveries of one event about a conversation: none when its project has no integration. */
export function notify<K extends WebhookEventName>(
  world: World,
  stored: StoredConversation,
  event: K,
  payload: WebhookPayload<K>,
  fault: DeliveryFault | undefined,
): DeliveryRequest[] {
  const integration = world.sandbox.integration(stored.projectId);
  const delivery = outgoingEvent(integration, event, stored.conversation._id, payload, fault);
  return delivery ? [delivery] : [];
}
