import type { Publish, Subscription } from '@mqttkit/codec';
import type { AuthenticateContext, AuthenticationDecision } from './authenticate-context.js';
import type { AuthorizePublishContext, AuthorizeSubscribeContext } from './authorize-context.js';
import type { ClientInfo } from './client-info.js';
import type { Decision } from './decision.js';
import type { Logger } from './logger.js';

/** A value, or a promise of it: every hook method may be synchronous or asynchronous. */
export type MaybePromise<T> = T | Promise<T>;

/** What `onPublish` returns to drop a message: the broker acknowledges it and forwards it to no one. */
export type Drop = 'drop';
/** The `Drop` value; annotated so that returning it never widens to `string`. */
export const drop: Drop = 'drop';

/** The context of `init`. */
export interface HookInitContext {
  /** Where the hook logs. */
  readonly logger: Logger;
}

/** The context of `onPublish`, the transform run on each PUBLISH that passed authorization. */
export interface PublishContext {
  /** The publishing client. */
  readonly client: ClientInfo;
  /** The message as received (topic alias resolved). */
  readonly packet: Readonly<Publish>;
}

/** The context of `onClientConnected`. */
export interface ClientConnectedContext {
  /** The client, with the identity set by authentication. */
  readonly client: ClientInfo;
  /** Whether the broker resumed an existing session. */
  readonly sessionPresent: boolean;
}

/** The context of `onSubscribed`. */
export interface SubscribedContext {
  /** The subscribing client. */
  readonly client: ClientInfo;
  /** The subscriptions of the SUBSCRIBE packet, in order. */
  readonly subscriptions: readonly Subscription[];
  /** The SUBACK reason code of each subscription, in the same order (granted QoS or failure). */
  readonly reasonCodes: readonly number[];
}

/** The context of `onUnsubscribed`. */
export interface UnsubscribedContext {
  /** The unsubscribing client. */
  readonly client: ClientInfo;
  /** The topic filters of the UNSUBSCRIBE packet, in order. */
  readonly topicFilters: readonly string[];
}

/** The context of `onPublished`: a message was accepted and routed. */
export interface PublishedContext {
  /** The publishing client. */
  readonly client: ClientInfo;
  /** The message after `onPublish` transforms. */
  readonly packet: Readonly<Publish>;
  /** How many subscriptions received it. */
  readonly deliveredTo: number;
}

/** Why the broker dropped a message. */
export const DropReason = {
  /** A publish was denied by authorization. */
  notAuthorized: 'not-authorized',
  /** An `onPublish` transform returned `drop`. */
  transform: 'transform',
  /** A subscriber's queue was full. */
  queueFull: 'queue-full',
  /** The Message Expiry Interval elapsed before delivery. */
  expired: 'expired',
  /** The message is larger than the receiver's Maximum Packet Size. */
  tooLarge: 'too-large',
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** The context of `onMessageDropped`. */
export interface MessageDroppedContext {
  /** The client the message came from (`reason` not-authorized or transform) or was meant for. */
  readonly client: ClientInfo;
  /** The dropped message. */
  readonly packet: Readonly<Publish>;
  /** Why it was dropped. */
  readonly reason: DropReason;
}

/** The context of `onClientDisconnected`. */
export interface ClientDisconnectedContext {
  /** The client that went away. */
  readonly client: ClientInfo;
  /** The DISCONNECT reason code sent or received, when there was one. */
  readonly reasonCode?: number;
  /** Whether the client sent DISCONNECT (0x00 or 0x04) rather than losing the connection or being closed. */
  readonly clean: boolean;
  /** The error that closed the connection, if one did. */
  readonly error?: Error;
}

/**
 * A broker extension: a plain object whose present methods say what it provides (STYLE HS-17).
 * Every method takes one context object and may return a promise.
 *
 * - Decisions (`authenticate`, `authorizePublish`, `authorizeSubscribe`) run hook by hook in
 *   order; the first answer other than defer wins and the broker denies when all defer.
 * - The transform (`onPublish`) runs hook by hook; each sees the previous one's packet.
 * - Notifications (`on...ed`, `onMessageDropped`) are fire-and-forget: errors are logged and
 *   never reach a client.
 */
export interface Hook {
  /** A short unique name (`password-file`, `acl`), used in logs and decision explanations. */
  readonly name: string;
  /** Decides whether a client may connect, and runs MQTT 5 enhanced authentication rounds. */
  authenticate?(context: AuthenticateContext): MaybePromise<AuthenticationDecision>;
  /** Decides whether a client may publish a message (or set a will). Deny 0x87 for "not authorized". */
  authorizePublish?(context: AuthorizePublishContext): MaybePromise<Decision>;
  /** Decides whether a client may subscribe to one topic filter. Deny 0x87 for "not authorized". */
  authorizeSubscribe?(context: AuthorizeSubscribeContext): MaybePromise<Decision>;
  /** Returns the packet to route (changed or not), `undefined` to keep it, or `drop`. */
  onPublish?(context: PublishContext): MaybePromise<Readonly<Publish> | Drop | undefined>;
  /** After CONNACK 0x00 was sent. */
  onClientConnected?(context: ClientConnectedContext): MaybePromise<void>;
  /** After SUBACK was sent. */
  onSubscribed?(context: SubscribedContext): MaybePromise<void>;
  /** After UNSUBACK was sent. */
  onUnsubscribed?(context: UnsubscribedContext): MaybePromise<void>;
  /** After a message was accepted and routed to subscribers. */
  onPublished?(context: PublishedContext): MaybePromise<void>;
  /** When the broker dropped a message instead of delivering it. */
  onMessageDropped?(context: MessageDroppedContext): MaybePromise<void>;
  /** After a client's connection closed, for whatever reason. */
  onClientDisconnected?(context: ClientDisconnectedContext): MaybePromise<void>;
  /** Once, before the broker accepts connections. A rejection stops the broker from starting. */
  init?(context: HookInitContext): MaybePromise<void>;
  /** Once, when the broker closes. Must be safe to call more than once. */
  close?(): MaybePromise<void>;
}

/** Types a hook object; returns it unchanged. */
export function defineHook<T extends Hook>(hook: T): T {
  return hook;
}
