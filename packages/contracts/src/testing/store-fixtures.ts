import type { Will } from '@mqttkit/codec';
import type { StoredMessage } from '../stored-message.js';
import type { StoredOutboundRecord, StoredSession } from '../stored-session.js';

/** Every byte value once, for byte-for-byte checks. */
export function allByteValues(): Uint8Array {
  return Uint8Array.from({ length: 256 }, (_, index) => index);
}

/**
 * A message with every stored property set: binary payload, correlation data, user properties
 * with repeated names in a fixed order, and an expiry. `overrides` replaces any field.
 */
export function createStoredMessage(overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    topic: 'sensors/é/😀/temperature',
    payload: allByteValues(),
    qos: 1,
    retain: false,
    properties: {
      payloadFormatIndicator: 0,
      messageExpiryInterval: 60,
      contentType: 'application/octet-stream',
      responseTopic: 'replies/1',
      correlationData: Uint8Array.of(0, 255, 0, 128),
      userProperties: [
        ['z', 'last name first'],
        ['a', '1'],
        ['a', '2'],
        ['', ''],
        ['ключ', '值'],
      ],
    },
    expiresAt: 1_700_000_060_000,
    ...overrides,
  };
}

/** A will with a binary payload and every will property. */
export function createStoredWill(overrides: Partial<Will> = {}): Will {
  return {
    topic: 'clients/gone',
    payload: Uint8Array.of(0, 1, 2, 254, 255),
    qos: 2,
    retain: true,
    properties: {
      willDelayInterval: 30,
      payloadFormatIndicator: 1,
      messageExpiryInterval: 120,
      contentType: 'text/plain',
      responseTopic: 'clients/gone/ack',
      correlationData: Uint8Array.of(9, 8, 7),
      userProperties: [
        ['b', '2'],
        ['b', '1'],
      ],
    },
    ...overrides,
  };
}

/** An outbound record for `sequence`, queued unless `overrides` says otherwise. */
export function createStoredOutboundRecord(
  sequence: number,
  overrides: Partial<StoredOutboundRecord> = {},
): StoredOutboundRecord {
  const message = overrides.message ?? createStoredMessage({ topic: `queue/${String(sequence)}` });
  return {
    sequence,
    message,
    qos: 1,
    retain: false,
    bytes: message.payload.byteLength + message.topic.length,
    phase: 'queued',
    ...overrides,
  };
}

/**
 * A session holding one of everything: a will with its delay, subscriptions with MQTT 5
 * options, QoS 2 ids awaiting PUBREL, and outbound records in each phase.
 */
export function createStoredSession(clientId: string, overrides: Partial<StoredSession> = {}): StoredSession {
  return {
    version: 1,
    clientId,
    protocolVersion: 5,
    established: true,
    sessionExpiryInterval: 3600,
    will: createStoredWill(),
    willAt: 1_700_000_030_000,
    expiresAt: 1_700_003_600_000,
    subscriptions: [
      {
        topicFilter: 'sensors/+/temperature',
        qos: 1,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      },
      {
        topicFilter: '$share/group/jobs/#',
        qos: 2,
        noLocal: true,
        retainAsPublished: true,
        retainHandling: 2,
        subscriptionIdentifier: 268_435_455,
      },
    ],
    inbound: [7, 65_535, 1],
    outbound: [
      createStoredOutboundRecord(3, { phase: 'pubrel', packetId: 11, qos: 2 }),
      createStoredOutboundRecord(4, { phase: 'publish', packetId: 12, subscriptionIdentifiers: [1, 5] }),
      createStoredOutboundRecord(6, { retain: true, qos: 0 }),
      createStoredOutboundRecord(9, {
        message: createStoredMessage({ topic: 'empty', payload: new Uint8Array(0) }),
      }),
    ],
    nextPacketId: 13,
    nextSequence: 10,
    ...overrides,
  };
}
