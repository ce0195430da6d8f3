import type { ProtocolVersion, Will } from '@mqttkit/codec';
import type { OutboundRecord } from './outbound-record.js';
import type { SessionSubscription } from './session-subscription.js';

/** The state of the live network connection, kept so a session can be moved while connected. */
export interface ConnectionState {
  /** Seconds; the keep alive in force (the server's when it set one). */
  keepAlive: number;
  /** When the last packet arrived from the client. */
  lastPacketAt: number;
  /** The inflight window: the client's Receive Maximum capped by the server's maximum. */
  sendWindow: number;
  /** The client's Maximum Packet Size. */
  maximumPacketSize: number;
  /** The client's Topic Alias Maximum (outbound aliases). */
  topicAliasMaximum: number;
  authenticationMethod?: string;
  /** Inbound topic alias mappings, as [alias, topic] pairs. */
  inboundAliases: [number, string][];
  /** Outbound topic alias mappings, as [topic, alias] pairs. */
  outboundAliases: [string, number][];
}

/**
 * Everything a session holds, as plain data: JSON-safe apart from `Uint8Array` payloads and
 * binary properties. `Session.fromState` resumes it exactly.
 */
export interface SessionState {
  readonly version: 1;
  clientId: string;
  protocolVersion: ProtocolVersion;
  /** True once a connection was accepted; a later CONNECT without clean start gets Session Present. */
  established: boolean;
  /** Seconds; 0 ends the session with the connection, 0xFFFFFFFF never ends it. */
  sessionExpiryInterval: number;
  will?: Will;
  /** When the pending will is published, while disconnected. */
  willAt?: number;
  /** When the session ends, while disconnected. */
  expiresAt?: number;
  subscriptions: SessionSubscription[];
  /** QoS 2 packet ids received and acknowledged with PUBREC, awaiting PUBREL. */
  inbound: number[];
  /** Inflight messages in send order, then queued messages in arrival order. */
  outbound: OutboundRecord[];
  nextPacketId: number;
  nextSequence: number;
  connection?: ConnectionState;
}
