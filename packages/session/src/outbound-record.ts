import type { QoS } from '@mqttkit/codec';
import type { ApplicationMessage } from './application-message.js';

/** Where an outbound message is: waiting, sent and awaiting PUBACK/PUBREC, or released and awaiting PUBCOMP. */
export type OutboundPhase = 'queued' | 'publish' | 'pubrel';

/** One outbound message of a session, as plain data. */
export interface OutboundRecord {
  /** Unique within the session and increasing in arrival order; the key a store files it under. */
  readonly sequence: number;
  readonly message: ApplicationMessage;
  readonly qos: QoS;
  readonly retain: boolean;
  subscriptionIdentifiers?: readonly number[];
  /** Payload bytes plus topic length: what the queue and inflight byte bounds count. */
  readonly bytes: number;
  phase: OutboundPhase;
  /** Assigned when the message first enters the inflight window; kept for every re-send. */
  packetId?: number;
}
