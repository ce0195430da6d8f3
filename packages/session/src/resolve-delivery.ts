import type { QoS } from '@mqttkit/codec';
import type { ApplicationMessage, Delivery } from './application-message.js';
import type { SessionSubscription } from './session-subscription.js';

/** The input of `resolveDelivery`. */
export interface ResolveDeliveryOptions {
  readonly message: ApplicationMessage;
  /** The client id of the publisher, when a client published it. */
  readonly publisherClientId?: string;
  readonly subscriberClientId: string;
  /** The subscriber's subscriptions whose filters match the message topic. */
  readonly subscriptions: readonly SessionSubscription[];
}

/**
 * Turns one message and one subscriber's matching subscriptions into the single delivery for that
 * subscriber, or undefined when No Local leaves nothing to send.
 */
export function resolveDelivery(options: ResolveDeliveryOptions): Delivery | undefined {
  const { message, subscriptions } = options;
  const ownMessage = options.publisherClientId === options.subscriberClientId;
  let granted = -1;
  let retain = false;
  let identifiers: number[] | undefined;
  for (let index = 0; index < subscriptions.length; index += 1) {
    const subscription = subscriptions[index]!;
    // [MQTT-3.8.3-3] No Local keeps a client's own messages away from it.
    if (ownMessage && subscription.noLocal) {
      continue;
    }
    // [MQTT-3.3.4-2] overlapping subscriptions deliver at the highest granted QoS.
    granted = Math.max(granted, subscription.qos);
    // [MQTT-3.3.1-12] [MQTT-3.3.1-13] RETAIN survives only through Retain As Published.
    retain ||= subscription.retainAsPublished && message.retain;
    if (subscription.subscriptionIdentifier !== undefined) {
      (identifiers ??= []).push(subscription.subscriptionIdentifier);
    }
  }
  if (granted < 0) {
    return undefined;
  }
  // [MQTT-3.8.4-8] the lower of the published QoS and the granted QoS.
  const qos = Math.min(granted, message.qos) as QoS;
  return identifiers === undefined
    ? { message, qos, retain }
    : { message, qos, retain, subscriptionIdentifiers: identifiers };
}
