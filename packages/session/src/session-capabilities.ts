import { MqttError, ReasonCode } from '@mqttkit/codec';
import type { QoS } from '@mqttkit/codec';

/** The largest packet MQTT can frame: 268,435,455 bytes of body plus a 5-byte fixed header. */
export const protocolMaximumPacketSize = 268_435_460;

/** "Never expires" for the Session Expiry Interval (MQTT 5 section 3.1.2.11.2). */
export const sessionNeverExpires = 0xffff_ffff;

/**
 * Everything the server decides about a session, validated once and shared by every session. The
 * MQTT 5 CONNACK properties are derived from it (STYLE HS-22).
 */
export interface SessionCapabilities {
  /** QoS 1 and 2 PUBLISH packets a client may leave unacknowledged; announced as Receive Maximum. */
  readonly receiveMaximum: number;
  /** The highest QoS the server accepts in a PUBLISH and grants in a SUBACK. */
  readonly maximumQoS: QoS;
  /** Whether clients may publish retained messages and retained wills. */
  readonly retainAvailable: boolean;
  /** The highest inbound topic alias; 0 turns inbound aliases off. */
  readonly topicAliasMaximum: number;
  /** The largest packet the server accepts, announced in CONNACK (the codec enforces it). */
  readonly maximumPacketSize: number;
  /** Seconds; when set, replaces the client's keep alive for MQTT 5 clients. */
  readonly serverKeepAlive: number | undefined;
  /** Seconds; caps the client's Session Expiry Interval and is the lifetime of 3.1.1 persistent sessions. */
  readonly maximumSessionExpiryInterval: number;
  /** Outbound QoS 1 and 2 messages in flight at once; the window for 3.1.1 and a cap for MQTT 5. */
  readonly maximumInflightMessages: number;
  /** Payload and topic bytes of outbound messages in flight at once. */
  readonly maximumInflightBytes: number;
  /** Outbound messages waiting for the window or for the client to come back. */
  readonly maximumQueuedMessages: number;
  /** Payload and topic bytes of the waiting messages. */
  readonly maximumQueuedBytes: number;
  /** Whether topic filters may contain `+` and `#`. */
  readonly wildcardSubscriptionAvailable: boolean;
  /** Whether `$share/{ShareName}/{filter}` subscriptions are accepted. */
  readonly sharedSubscriptionAvailable: boolean;
  /** Whether SUBSCRIBE may carry a Subscription Identifier. */
  readonly subscriptionIdentifiersAvailable: boolean;
  /** Whether the server assigns topic aliases to outbound messages when the client allows them. */
  readonly outboundTopicAliases: boolean;
  /** Whether an empty client identifier is accepted (MQTT 5 assigns one; 3.1.1 needs a clean session). */
  readonly allowEmptyClientId: boolean;
}

/** The input of `createSessionCapabilities`: any subset, the rest defaults. */
export type SessionCapabilitiesInput = Partial<SessionCapabilities>;

/** The defaults, documented in the README's capabilities table. */
export const defaultSessionCapabilities: SessionCapabilities = Object.freeze({
  receiveMaximum: 1024,
  maximumQoS: 2,
  retainAvailable: true,
  topicAliasMaximum: 1024,
  maximumPacketSize: protocolMaximumPacketSize,
  serverKeepAlive: undefined,
  maximumSessionExpiryInterval: sessionNeverExpires,
  maximumInflightMessages: 1024,
  maximumInflightBytes: 64 * 1024 * 1024,
  maximumQueuedMessages: 1000,
  maximumQueuedBytes: 16 * 1024 * 1024,
  wildcardSubscriptionAvailable: true,
  sharedSubscriptionAvailable: true,
  subscriptionIdentifiersAvailable: true,
  outboundTopicAliases: false,
  allowEmptyClientId: true,
});

const integerRanges = {
  receiveMaximum: [1, 65_535],
  topicAliasMaximum: [0, 65_535],
  maximumPacketSize: [1, protocolMaximumPacketSize],
  maximumSessionExpiryInterval: [0, sessionNeverExpires],
  maximumInflightMessages: [1, 65_535],
  maximumInflightBytes: [1, Number.MAX_SAFE_INTEGER],
  maximumQueuedMessages: [0, Number.MAX_SAFE_INTEGER],
  maximumQueuedBytes: [0, Number.MAX_SAFE_INTEGER],
} as const satisfies Partial<Record<keyof SessionCapabilities, readonly [number, number]>>;

const booleanKeys = [
  'retainAvailable',
  'wildcardSubscriptionAvailable',
  'sharedSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'outboundTopicAliases',
  'allowEmptyClientId',
] as const;

/**
 * Fills in the defaults and validates every value, throwing an `MqttError` with code
 * `MQTT_INVALID_ARGUMENT` for a value out of range. The result is frozen.
 */
export function createSessionCapabilities(input: SessionCapabilitiesInput = {}): SessionCapabilities {
  const known = new Set<string>(Object.keys(defaultSessionCapabilities));
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      throw invalid(`Unknown session capability '${key}'`);
    }
  }
  const capabilities: SessionCapabilities = { ...defaultSessionCapabilities, ...withoutUndefined(input) };
  for (const [key, [minimum, maximum]] of Object.entries(integerRanges)) {
    const value = capabilities[key as keyof typeof integerRanges];
    if (!Number.isInteger(value) || value < minimum || value > maximum) {
      throw invalid(
        `Session capability '${key}' must be an integer from ${minimum} to ${maximum}, got ${String(value)}`,
      );
    }
  }
  for (const key of booleanKeys) {
    if (typeof capabilities[key] !== 'boolean') {
      throw invalid(`Session capability '${key}' must be a boolean`);
    }
  }
  if (capabilities.maximumQoS !== 0 && capabilities.maximumQoS !== 1 && capabilities.maximumQoS !== 2) {
    throw invalid(
      `Session capability 'maximumQoS' must be 0, 1 or 2, got ${String(capabilities.maximumQoS)}`,
    );
  }
  const keepAlive = capabilities.serverKeepAlive;
  if (keepAlive !== undefined && (!Number.isInteger(keepAlive) || keepAlive < 0 || keepAlive > 65_535)) {
    throw invalid(
      `Session capability 'serverKeepAlive' must be an integer from 0 to 65535, got ${String(keepAlive)}`,
    );
  }
  return Object.freeze(capabilities);
}

function withoutUndefined(input: SessionCapabilitiesInput): SessionCapabilitiesInput {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function invalid(message: string): MqttError {
  return new MqttError(message, {
    code: 'MQTT_INVALID_ARGUMENT',
    reasonCode: ReasonCode.ImplementationSpecificError,
  });
}
