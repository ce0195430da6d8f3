import type { ProtocolVersion, Will } from '@mqttkit/codec';
import type { StoredOutboundPhase, StoredOutboundRecord, StoredSubscription } from './stored-session.js';

/**
 * One change to a stored session, as plain data. Structurally identical to the session's
 * `SessionChange`, so the broker hands the changes of `persist` actions to
 * `Store.applySessionChanges` as they are. Each kind's effect on the `StoredSession`:
 *
 * - `session` creates the session when the store does not hold it (empty subscriptions, inbound
 *   and outbound, `established: true`, `nextPacketId` and `nextSequence` 1); otherwise it replaces
 *   `protocolVersion`, `sessionExpiryInterval`, `will`, `willAt` and `expiresAt` (an absent field
 *   removes the stored one) and sets `established`.
 * - `cleared` empties subscriptions, inbound ids and outbound records; the rest stays.
 * - `subscription-added` adds the subscription, or replaces the one with the same topic filter in
 *   its place; `subscription-removed` removes it.
 * - `outbound-added` appends the record (or replaces the one with the same sequence in its place)
 *   and raises `nextSequence` above its sequence; `outbound-updated` sets the phase and packet id
 *   of the record with that sequence; `outbound-removed` removes it. A record entering phase
 *   `publish` with packet id `p` sets `nextPacketId` to `p + 1` (1 after 65,535).
 * - `inbound-added` adds the packet id once; `inbound-removed` removes it.
 *
 * A change that names something the session does not hold (a sequence, topic filter or packet id)
 * is a no-op, and every change but `session` is ignored while the store does not hold the
 * session, so replaying changes is harmless.
 */
export type StoredSessionChange =
  | {
      readonly kind: 'session';
      /** Equal to the client id the changes are applied to. */
      readonly clientId: string;
      /** The protocol level of the current or last connection. */
      readonly protocolVersion: ProtocolVersion;
      /** Seconds; 0xFFFFFFFF never ends. */
      readonly sessionExpiryInterval: number;
      /** The pending will; absent when there is none (any stored one is removed). */
      readonly will?: Will;
      /** When the pending will is published; absent while connected or without a will delay. */
      readonly willAt?: number;
      /** When the session ends; absent while connected or when it never expires. */
      readonly expiresAt?: number;
    }
  | { readonly kind: 'cleared' }
  | {
      readonly kind: 'subscription-added';
      /** The new or replacing subscription, keyed by its topic filter. */
      readonly subscription: StoredSubscription;
    }
  | {
      readonly kind: 'subscription-removed';
      /** The topic filter of the subscription to remove. */
      readonly topicFilter: string;
    }
  | {
      readonly kind: 'outbound-added';
      /** The new record, keyed by its sequence. */
      readonly record: StoredOutboundRecord;
    }
  | {
      readonly kind: 'outbound-updated';
      /** The sequence of the record to update. */
      readonly sequence: number;
      /** Its new phase. */
      readonly phase: StoredOutboundPhase;
      /** Its packet id, assigned when it first entered the inflight window. */
      readonly packetId: number;
    }
  | {
      readonly kind: 'outbound-removed';
      /** The sequence of the record to remove. */
      readonly sequence: number;
    }
  | {
      readonly kind: 'inbound-added';
      /** A QoS 2 packet id acknowledged with PUBREC, now awaiting PUBREL. */
      readonly packetId: number;
    }
  | {
      readonly kind: 'inbound-removed';
      /** The packet id whose PUBREL arrived. */
      readonly packetId: number;
    };
