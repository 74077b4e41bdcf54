// The control API of the webhooks: the deliveries log, awaiting a delivery, redelivery, and simulated end users. One
// place for the library API and the admin API, so that both answer alike.

import type { SchemaClosedConversation, SchemaMessageValue } from "../../generated/jelou-external-support.ts";
import type { SpecValidator } from "../../spec/schema-validator.ts";
import type { OperationSettings } from "../operations/operation.ts";
import { operatorClose } from "../operations/operator-close.ts";
import { userMessage } from "../operations/user-message.ts";
import { MockConfigError } from "../options.ts";
import type { TranscriptMessage } from "../state.ts";
import type { Deliveries, DeliveryFilter, DeliveryRecord } from "../webhooks/deliveries.ts";
import { DELIVERY_FAULTS, type DeliveryFault } from "../webhooks/outgoing.ts";
import type { AdminRefusal, World } from "../world.ts";

/** How long {@link WebhookControl.waitForDelivery} waits when not told, in ms. */
export const DEFAULT_WAIT_MS = 5_000;

/** Control over the fake's webhooks, as the library exposes it on a server. */
export interface WebhookControl {
  /** The webhook deliveries, newest first, filtered; never a secret, an auth header's value or a URL's query. */
  deliveries(filter?: DeliveryFilter): DeliveryRecord[];
  /**
   * Resolves with the first finished delivery (delivered or failed, already or later) that `predicate` accepts, so a
   * test awaits an event instead of sleeping; rejects after `timeoutMs` (default 5000) saying what it saw, and at once
   * for a predicate that is not a function (TypeError) or a timeoutMs that is not a whole number of ms from 0 to
   * 2147483647 (RangeError).
   */
  waitForDelivery(predicate?: (delivery: DeliveryRecord) => boolean, timeoutMs?: number): Promise<DeliveryRecord>;
  /** Sends a delivery's exact bytes again, with the same signature; throws MockConfigError for an unknown id. */
  redeliver(id: string): DeliveryRecord;
  /**
   * A simulated end user writes in an active conversation started through the API: the message joins the transcript
   * and the `message` event goes to the project's webhook. Throws MockConfigError when the conversation was not
   * started, is not active, or the message does not match its type.
   */
  sendUserMessage(
    projectId: string,
    conversationId: string,
    message: SchemaMessageValue,
    options?: { webhookFault?: DeliveryFault },
  ): TranscriptMessage;
}

/** What the admin API and the library share: the user message as a result, not a throw. */
export interface WebhookActions extends WebhookControl {
  postUserMessage(
    projectId: string,
    conversationId: string,
    body: unknown,
    webhookFault: DeliveryFault | undefined,
  ): { ok: true; message: TranscriptMessage } | AdminRefusal;
  /** An operator closes a started, active conversation: as closeConversation would, `conversation.close` included. */
  postClose(
    projectId: string,
    conversationId: string,
  ): { ok: true; conversation: SchemaClosedConversation } | AdminRefusal;
  /** Restores the startup state: the world's, and an empty deliveries log. */
  reset(): void;
}

/** The webhooks' control over a world and its deliveries engine. */
export function webhookActions(
  world: World,
  deliveries: Deliveries,
  validator: () => SpecValidator,
  settings: OperationSettings,
): WebhookActions {
  const postUserMessage: WebhookActions["postUserMessage"] = (projectId, conversationId, body, webhookFault) => {
    const result = userMessage({ projectId, conversationId, body, now: Date.now(), webhookFault }, world, validator());
    if (!result.ok) return result;
    for (const effect of result.effects) deliveries.send(effect);
    return { ok: true, message: result.message };
  };
  return {
    deliveries: (filter) => deliveries.list(filter),
    waitForDelivery: (predicate = () => true, timeoutMs = DEFAULT_WAIT_MS) => deliveries.waitFor(predicate, timeoutMs),
    redeliver(id) {
      const record = deliveries.redeliver(id);
      if (!record)
        throw new MockConfigError(`Failed to redeliver: no delivery ${id} in the log (it may have been dropped).`);
      return record;
    },
    sendUserMessage(projectId, conversationId, message, options = {}) {
      const fault = options.webhookFault ?? world.webhookFault(projectId);
      if (fault !== undefined && !DELIVERY_FAULTS.includes(fault)) {
        throw new MockConfigError(
          `webhookFault must be one of ${DELIVERY_FAULTS.join(", ")}, not "${String(fault).slice(0, 100)}".`,
        );
      }
      const result = postUserMessage(projectId, conversationId, message, fault);
      if (!result.ok) throw new MockConfigError(`Failed to send the user message: ${result.message}`);
      return result.message;
    },
    postUserMessage,
    postClose(projectId, conversationId) {
      const request = { projectId, conversationId, now: Date.now(), webhookFault: world.webhookFault(projectId) };
      const result = operatorClose(request, world, settings);
      if (!result.ok) return result;
      for (const effect of result.effects) deliveries.send(effect);
      return { ok: true, conversation: result.conversation };
    },
    reset() {
      world.reset();
      deliveries.clear();
    },
  };
}
