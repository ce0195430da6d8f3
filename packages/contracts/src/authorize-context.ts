import type { Publish, QoS, Subscription } from '@mqttkit/codec';
import type { ClientInfo } from './client-info.js';

/** The context of `authorizePublish`: may this client publish this message? */
export interface AuthorizePublishContext {
  /** The publishing client, with the identity set by authentication. */
  readonly client: ClientInfo;
  /** The topic name, after topic alias resolution. */
  readonly topic: string;
  /** The QoS of the message. */
  readonly qos: QoS;
  /** Whether the message asks to be retained. */
  readonly retain: boolean;
  /** The payload. A view: copy it to keep it after the call. */
  readonly payload: Uint8Array;
  /** `true` when the broker asks about the client's will message (at CONNECT) rather than a PUBLISH. */
  readonly will: boolean;
  /** The PUBLISH packet (or, for a will, a PUBLISH built from it), with its properties. */
  readonly packet: Readonly<Publish>;
}

/** The context of `authorizeSubscribe`: may this client subscribe to this filter? Called per filter. */
export interface AuthorizeSubscribeContext {
  /** The subscribing client, with the identity set by authentication. */
  readonly client: ClientInfo;
  /**
   * The topic filter to authorize: the filter of the subscription with any `$share/<name>/`
   * prefix removed, so rules written for ordinary topics also govern shared subscriptions.
   */
  readonly topicFilter: string;
  /** The share name of a shared subscription (`$share/<shareName>/...`), else absent. */
  readonly shareName?: string;
  /** The subscription as received, including the full filter and its options (QoS, no local, ...). */
  readonly subscription: Readonly<Subscription>;
}
