import type { PublishProperties, QoS } from '@mqttkit/codec';

/** The properties an application message keeps between hops: no topic alias, no subscription identifiers. */
export type MessageProperties = Omit<PublishProperties, 'topicAlias' | 'subscriptionIdentifiers'>;

/**
 * One application message as the router sees it. The payload is never copied: the same bytes go
 * to every subscriber, so treat them as read-only.
 */
export interface ApplicationMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** The QoS it was published with. */
  readonly qos: QoS;
  /** The RETAIN flag it was published with. */
  readonly retain: boolean;
  readonly properties?: MessageProperties;
  /** Milliseconds on the caller's clock when the Message Expiry Interval runs out, if it has one. */
  readonly expiresAt?: number;
}

/**
 * One message for one subscriber, as the router hands it to `session.publish`: the QoS already
 * lowered to the granted QoS [MQTT-3.8.4-8], the RETAIN flag after Retain As Published, and the
 * identifiers of the matching subscriptions [MQTT-3.3.4-3].
 */
export interface Delivery {
  readonly message: ApplicationMessage;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIdentifiers?: readonly number[];
}
