import type { PublishProperties, QoS } from '@mqttkit/codec';

/**
 * The properties a stored message keeps: those of a PUBLISH without the per-hop Topic Alias and
 * Subscription Identifiers. Structurally identical to the session's `MessageProperties`.
 */
export type StoredMessageProperties = Omit<PublishProperties, 'topicAlias' | 'subscriptionIdentifiers'>;

/**
 * One application message as a store keeps it: a retained message, or the message of a queued or
 * inflight record. Structurally identical to the session's `ApplicationMessage`, so the broker
 * passes messages through unchanged.
 *
 * A store may keep the `payload`, `properties` and `correlationData` it is given by reference and
 * hand the same objects back: the broker never mutates a message after publishing it, and readers
 * must treat them as read-only. A caller that reuses its buffers must copy them first (or use a
 * store option that copies).
 */
export interface StoredMessage {
  /** The topic name it was published to. */
  readonly topic: string;
  /** The application payload, byte for byte. */
  readonly payload: Uint8Array;
  /** The QoS it was published with. */
  readonly qos: QoS;
  /** The RETAIN flag it was published with. */
  readonly retain: boolean;
  /** MQTT 5 properties, user properties in their original order. */
  readonly properties?: StoredMessageProperties;
  /** Milliseconds on the broker's clock when its Message Expiry Interval runs out, if it has one. */
  readonly expiresAt?: number;
}
