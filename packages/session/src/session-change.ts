import type { ProtocolVersion, Will } from '@mqttkit/codec';
import type { OutboundPhase, OutboundRecord } from './outbound-record.js';
import type { SessionSubscription } from './session-subscription.js';

/**
 * One change to a session's durable state, as plain data, for a store to apply. Only sessions that
 * outlive their connection (Session Expiry Interval above 0) report changes.
 */
export type SessionChange =
  | {
      readonly kind: 'session';
      readonly clientId: string;
      readonly protocolVersion: ProtocolVersion;
      readonly sessionExpiryInterval: number;
      readonly will?: Will;
      readonly willAt?: number;
      readonly expiresAt?: number;
    }
  | { readonly kind: 'cleared' }
  | { readonly kind: 'subscription-added'; readonly subscription: SessionSubscription }
  | { readonly kind: 'subscription-removed'; readonly topicFilter: string }
  | { readonly kind: 'outbound-added'; readonly record: OutboundRecord }
  | {
      readonly kind: 'outbound-updated';
      readonly sequence: number;
      readonly phase: OutboundPhase;
      readonly packetId: number;
    }
  | { readonly kind: 'outbound-removed'; readonly sequence: number }
  | { readonly kind: 'inbound-added'; readonly packetId: number }
  | { readonly kind: 'inbound-removed'; readonly packetId: number };
