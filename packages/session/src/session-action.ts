import type { Auth, Packet } from '@mqttkit/codec';
import type { ApplicationMessage } from './application-message.js';
import type { SessionChange } from './session-change.js';
import type { SessionSubscription } from './session-subscription.js';

/** Write this packet to the client's connection. */
export interface SendAction {
  readonly type: 'send';
  readonly packet: Packet;
}

/** Hand this inbound application message to the router; `clientId` is the publisher, for No Local. */
export interface DeliverAction {
  readonly type: 'deliver';
  readonly message: ApplicationMessage;
  readonly clientId: string;
}

/**
 * Close the connection. When `sendDisconnect` is true, first send DISCONNECT with `reasonCode`
 * (MQTT 5 only, and only after a successful CONNACK [MQTT-3.14.0-1]).
 */
export interface DisconnectAction {
  readonly type: 'disconnect';
  readonly reasonCode: number;
  readonly sendDisconnect: boolean;
  /** Why, for logs. */
  readonly message: string;
  /** The normative statement the client broke, when one applies. */
  readonly statement?: string;
}

/** Publish the session's will message now. */
export interface PublishWillAction {
  readonly type: 'publish-will';
  readonly message: ApplicationMessage;
  readonly clientId: string;
}

/** Write this change to the session store. */
export interface PersistAction {
  readonly type: 'persist';
  readonly change: SessionChange;
}

/** Why a message was not delivered. */
export type DropReason =
  'queue-full' | 'expired' | 'packet-too-large' | 'not-authorized' | 'refused' | 'session-ended';

/** A message was dropped; every drop is reported once. */
export interface DropAction {
  readonly type: 'drop';
  readonly message: ApplicationMessage;
  readonly reason: DropReason;
  /** The reason code behind the drop: the deny of the authorizer or the client's refusal. */
  readonly reasonCode?: number;
}

/**
 * Add or replace the subscription in the router's index. `sendRetained` is the Retain Handling
 * decision: send the matching retained messages now, with RETAIN set.
 */
export interface SubscribeAction {
  readonly type: 'subscribe';
  readonly subscription: SessionSubscription;
  readonly isNew: boolean;
  readonly sendRetained: boolean;
}

/** Remove the subscription from the router's index. */
export interface UnsubscribeAction {
  readonly type: 'unsubscribe';
  readonly topicFilter: string;
}

/** Hand this AUTH packet to the broker's authentication hooks (re-authentication). */
export interface AuthAction {
  readonly type: 'auth';
  readonly packet: Auth;
}

/** The session is over: forget it and delete it from the store. */
export interface EndAction {
  readonly type: 'end';
  readonly clientId: string;
}

/** Everything a session asks its broker to do, in order. */
export type SessionAction =
  | SendAction
  | DeliverAction
  | DisconnectAction
  | PublishWillAction
  | PersistAction
  | DropAction
  | SubscribeAction
  | UnsubscribeAction
  | AuthAction
  | EndAction;
