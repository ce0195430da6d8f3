import type { ProtocolVersion, QoS, Subscription, Will } from '@mqttkit/codec';
import type { StoredMessage } from './stored-message.js';

/**
 * Where an outbound message is: waiting to be sent, sent and awaiting PUBACK/PUBREC, or released
 * and awaiting PUBCOMP. Identical to the session's `OutboundPhase`.
 */
export type StoredOutboundPhase = 'queued' | 'publish' | 'pubrel';

/** One outbound message of a session. Structurally identical to the session's `OutboundRecord`. */
export interface StoredOutboundRecord {
  /** Unique within the session and increasing in arrival order: the key the store files it under. */
  readonly sequence: number;
  /** The message, shared with every other subscriber that received it. */
  readonly message: StoredMessage;
  /** The QoS it is delivered with, already lowered to the granted QoS. */
  readonly qos: QoS;
  /** The RETAIN flag it is delivered with. */
  readonly retain: boolean;
  /** The identifiers of the subscriptions it matched (MQTT 5). */
  subscriptionIdentifiers?: readonly number[];
  /** Payload bytes plus topic length: what the session's queue and inflight byte bounds count. */
  readonly bytes: number;
  /** Where the message is in its QoS flow. */
  phase: StoredOutboundPhase;
  /** Assigned when the message first enters the inflight window; absent while queued. */
  packetId?: number;
}

/** A subscription as a session holds it. Structurally identical to the session's `SessionSubscription`. */
export interface StoredSubscription extends Subscription {
  /** The Subscription Identifier of the SUBSCRIBE that made it (MQTT 5). */
  readonly subscriptionIdentifier?: number;
}

/**
 * Everything a store keeps of one persistent session: the session's `SessionState` without the
 * live `connection` part, so `store.saveSession(session.toState())` and
 * `Session.fromState(await store.getSession(clientId))` work without conversion.
 */
export interface StoredSession {
  /** The layout version; a store that meets an unknown one refuses to load it. */
  readonly version: 1;
  /** The client identifier, the session's key. */
  clientId: string;
  /** The protocol level of the connection that last used the session (4 = 3.1.1). */
  protocolVersion: ProtocolVersion;
  /** True once a connection was accepted; a later CONNECT without clean start gets Session Present. */
  established: boolean;
  /** Seconds; 0xFFFFFFFF never ends. */
  sessionExpiryInterval: number;
  /** The pending will message. */
  will?: Will;
  /** Milliseconds on the broker's clock when the pending will is published, while disconnected. */
  willAt?: number;
  /** Milliseconds on the broker's clock when the session ends, while disconnected. */
  expiresAt?: number;
  /** The subscriptions, in the order they were first made. */
  subscriptions: StoredSubscription[];
  /** QoS 2 packet ids received and acknowledged with PUBREC, awaiting PUBREL. */
  inbound: number[];
  /** Inflight messages, then queued ones, in sequence order. */
  outbound: StoredOutboundRecord[];
  /**
   * The next packet id to try for an outbound message. Rebuilt from changes it may lag behind the
   * session's own counter, which is harmless: the session skips ids still in flight.
   */
  nextPacketId: number;
  /**
   * Above every `sequence` in `outbound`. Rebuilt from changes it may lag behind the session's
   * own counter, which is harmless: sequences of messages never stored are never seen again.
   */
  nextSequence: number;
}
