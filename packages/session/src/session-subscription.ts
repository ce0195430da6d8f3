import type { Subscription } from '@mqttkit/codec';

/** A subscription as the session holds it: the SUBSCRIBE options plus the granted QoS and identifier. */
export interface SessionSubscription extends Subscription {
  /** The Subscription Identifier of the SUBSCRIBE that made it (MQTT 5). */
  readonly subscriptionIdentifier?: number;
}
