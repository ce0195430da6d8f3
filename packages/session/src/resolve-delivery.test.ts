import { describe, expect, it } from 'vitest';
import { message } from '../test/session-harness.js';
import { resolveDelivery } from './resolve-delivery.js';
import type { SessionSubscription } from './session-subscription.js';

function subscription(overrides: Partial<SessionSubscription> = {}): SessionSubscription {
  return {
    topicFilter: 'a/#',
    qos: 2,
    noLocal: false,
    retainAsPublished: false,
    retainHandling: 0,
    ...overrides,
  };
}

describe('resolveDelivery', () => {
  it('[MQTT-3.8.4-8] delivers at the lower of the published and the granted QoS', () => {
    const delivery = resolveDelivery({
      message: message({ qos: 2 }),
      subscriberClientId: 's',
      subscriptions: [subscription({ qos: 1 })],
    });
    expect(delivery).toEqual({ message: message({ qos: 2 }), qos: 1, retain: false });
  });

  it('[MQTT-3.3.4-2] takes the highest QoS of overlapping subscriptions and all their identifiers', () => {
    const delivery = resolveDelivery({
      message: message({ qos: 2 }),
      subscriberClientId: 's',
      subscriptions: [
        subscription({ qos: 0, subscriptionIdentifier: 4 }),
        subscription({ topicFilter: 'a/b', qos: 2 }),
        subscription({ topicFilter: '+/b', qos: 1, subscriptionIdentifier: 7 }),
      ],
    });
    // [MQTT-3.3.4-4] one copy carries the identifiers of every matching subscription.
    expect(delivery).toMatchObject({ qos: 2, subscriptionIdentifiers: [4, 7] });
  });

  it('[MQTT-3.8.3-3] leaves out No Local subscriptions for the publisher itself', () => {
    const options = { message: message(), publisherClientId: 'me', subscriberClientId: 'me' };
    expect(resolveDelivery({ ...options, subscriptions: [subscription({ noLocal: true })] })).toBeUndefined();
    expect(
      resolveDelivery({
        ...options,
        subscriberClientId: 'other',
        subscriptions: [subscription({ noLocal: true })],
      }),
    ).toBeDefined();
  });

  it('[MQTT-3.3.1-12] [MQTT-3.3.1-13] keeps RETAIN only through Retain As Published', () => {
    const retained = message({ retain: true });
    const plain = resolveDelivery({
      message: retained,
      subscriberClientId: 's',
      subscriptions: [subscription()],
    });
    expect(plain?.retain).toBe(false);
    const kept = resolveDelivery({
      message: retained,
      subscriberClientId: 's',
      subscriptions: [subscription({ retainAsPublished: true })],
    });
    expect(kept?.retain).toBe(true);
  });
});
