// The packet corpus (STYLE HS-25): bytes written from the figures and field tables of MQTT 3.1,
// 3.1.1 and 5.0, with the packet each one means or the error it must raise.
import type { MqttErrorCode } from '../mqtt-error.js';
import type { Packet, ProtocolVersion } from '../packet.js';

/** A valid packet: `bytes` decode to `packet`, and `packet` encodes to `bytes` unless `decodeOnly`. */
export interface PacketCase {
  readonly name: string;
  readonly protocolVersion: ProtocolVersion;
  readonly bytes: Uint8Array;
  readonly packet: Packet;
  /** The bytes are a valid but non-canonical form: the encoder writes the shorter one. */
  readonly decodeOnly?: boolean;
}

/** The error a decoder raises for invalid bytes. */
export interface ExpectedError {
  readonly code: MqttErrorCode;
  readonly reasonCode: number;
  /** The normative statement id, when one applies. */
  readonly statement?: string;
}

/** Invalid bytes: a decoder created with `protocolVersion` (and `maximumPacketSize`) throws `error`. */
export interface ErrorCase {
  readonly name: string;
  readonly protocolVersion: ProtocolVersion;
  readonly bytes: Uint8Array;
  readonly error: ExpectedError;
  readonly maximumPacketSize?: number;
}

export type CorpusCase = PacketCase | ErrorCase;

/** Bytes from a hex string; spaces are ignored. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  const bytes = new Uint8Array(digits.length / 2);
  for (let index = 0; index < bytes.length; index++)
    bytes[index] = parseInt(digits.slice(index * 2, index * 2 + 2), 16);
  return bytes;
}

function ascii(text: string): Uint8Array {
  return new Uint8Array(Array.from(text, (character) => character.charCodeAt(0)));
}

const malformed = (statement?: string): ExpectedError => ({
  code: 'MQTT_MALFORMED_PACKET',
  reasonCode: 0x81,
  ...(statement === undefined ? {} : { statement }),
});
const protocolError = (statement?: string): ExpectedError => ({
  code: 'MQTT_PROTOCOL_ERROR',
  reasonCode: 0x82,
  ...(statement === undefined ? {} : { statement }),
});
const unsupported = (statement: string): ExpectedError => ({
  code: 'MQTT_UNSUPPORTED_PROTOCOL_VERSION',
  reasonCode: 0x84,
  statement,
});

const subscription = { noLocal: false, retainAsPublished: false, retainHandling: 0 } as const;

/** Packets whose bytes are the same in MQTT 3.1 and 3.1.1. */
const v3v4Shared: Omit<PacketCase, 'protocolVersion'>[] = [
  {
    name: 'CONNACK accepted, session present',
    bytes: hex('20 02 01 00'),
    packet: { type: 'connack', sessionPresent: true, reasonCode: 0 },
  },
  {
    name: 'CONNACK return code 5 is reason code 0x87',
    bytes: hex('20 02 00 05'),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x87 },
  },
  {
    name: 'CONNACK return code 1 is reason code 0x84',
    bytes: hex('20 02 00 01'),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x84 },
  },
  {
    name: 'PUBLISH QoS 0',
    bytes: hex('30 07 00 03 61 2f 62 68 69'),
    packet: { type: 'publish', topic: 'a/b', payload: ascii('hi'), qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBLISH QoS 1, retain and dup',
    bytes: hex('3b 09 00 03 61 2f 62 00 0a 68 69'),
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 1,
      retain: true,
      dup: true,
      packetId: 10,
    },
  },
  {
    name: 'PUBLISH QoS 2, empty payload',
    bytes: hex('34 05 00 01 74 00 01'),
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(0),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 1,
    },
  },
  {
    name: 'PUBLISH keeps a U+FEFF in the topic',
    bytes: hex('30 06 00 04 ef bb bf 74'),
    packet: {
      type: 'publish',
      topic: '\ufefft',
      payload: new Uint8Array(0),
      qos: 0,
      retain: false,
      dup: false,
    },
  },
  { name: 'PUBACK', bytes: hex('40 02 00 0a'), packet: { type: 'puback', packetId: 10 } },
  { name: 'PUBREC', bytes: hex('50 02 00 0a'), packet: { type: 'pubrec', packetId: 10 } },
  { name: 'PUBREL', bytes: hex('62 02 00 0a'), packet: { type: 'pubrel', packetId: 10 } },
  { name: 'PUBCOMP', bytes: hex('70 02 ff ff'), packet: { type: 'pubcomp', packetId: 65_535 } },
  {
    name: 'SUBSCRIBE with two filters',
    bytes: hex('82 0c 00 0b 00 03 61 2f 23 01 00 01 62 02'),
    packet: {
      type: 'subscribe',
      packetId: 11,
      subscriptions: [
        { topicFilter: 'a/#', qos: 1, ...subscription },
        { topicFilter: 'b', qos: 2, ...subscription },
      ],
    },
  },
  {
    name: 'SUBACK',
    bytes: hex('90 05 00 0b 01 02 80'),
    packet: { type: 'suback', packetId: 11, reasonCodes: [1, 2, 0x80] },
  },
  {
    name: 'UNSUBSCRIBE',
    bytes: hex('a2 0a 00 0c 00 03 61 2f 23 00 01 62'),
    packet: { type: 'unsubscribe', packetId: 12, topicFilters: ['a/#', 'b'] },
  },
  {
    name: 'UNSUBACK',
    bytes: hex('b0 02 00 0c'),
    packet: { type: 'unsuback', packetId: 12, reasonCodes: [] },
  },
  { name: 'PINGREQ', bytes: hex('c0 00'), packet: { type: 'pingreq' } },
  { name: 'PINGRESP', bytes: hex('d0 00'), packet: { type: 'pingresp' } },
  { name: 'DISCONNECT', bytes: hex('e0 00'), packet: { type: 'disconnect' } },
];

const v3Cases: PacketCase[] = [
  {
    name: 'CONNECT MQIsdp level 3',
    protocolVersion: 3,
    bytes: hex('10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 63 31'),
    packet: {
      type: 'connect',
      protocolName: 'MQIsdp',
      protocolVersion: 3,
      clean: true,
      keepAlive: 60,
      clientId: 'c1',
    },
  },
  ...v3v4Shared.map((entry) => ({ ...entry, name: `${entry.name} (3.1)`, protocolVersion: 3 as const })),
];

const v4Cases: PacketCase[] = [
  {
    name: 'CONNECT minimal',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31'),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepAlive: 60,
      clientId: 'c1',
    },
  },
  {
    name: 'CONNECT with will, user name and password',
    protocolVersion: 4,
    bytes: hex('10 1b 00 04 4d 51 54 54 04 ee 00 0a 00 02 63 31 00 01 74 00 02 01 02 00 01 75 00 01 70'),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepAlive: 10,
      clientId: 'c1',
      will: { topic: 't', payload: hex('01 02'), qos: 1, retain: true },
      username: 'u',
      password: ascii('p'),
    },
  },
  {
    name: 'CONNECT with an empty client id and no clean session',
    protocolVersion: 4,
    bytes: hex('10 0c 00 04 4d 51 54 54 04 00 00 00 00 00'),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clean: false,
      keepAlive: 0,
      clientId: '',
    },
  },
  ...v3v4Shared.map((entry) => ({ ...entry, protocolVersion: 4 as const })),
];

const v5Cases: PacketCase[] = [
  {
    name: 'CONNECT minimal',
    protocolVersion: 5,
    bytes: hex('10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 02 63 31'),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepAlive: 60,
      clientId: 'c1',
    },
  },
  {
    name: 'CONNECT with properties, will properties, user name and password',
    protocolVersion: 5,
    bytes: hex(`10 37 00 04 4d 51 54 54 05 d6 00 1e
      0f 11 00 00 00 3c 21 00 0a 26 00 01 6b 00 01 76
      00 02 63 31
      0c 18 00 00 00 05 03 00 04 74 65 78 74
      00 01 74 00 01 01 00 01 75 00 01 70`),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepAlive: 30,
      clientId: 'c1',
      properties: { sessionExpiryInterval: 60, receiveMaximum: 10, userProperties: [['k', 'v']] },
      will: {
        topic: 't',
        payload: hex('01'),
        qos: 2,
        retain: false,
        properties: { willDelayInterval: 5, contentType: 'text' },
      },
      username: 'u',
      password: ascii('p'),
    },
  },
  {
    name: 'CONNECT with a password and no user name',
    protocolVersion: 5,
    bytes: hex('10 11 00 04 4d 51 54 54 05 42 00 3c 00 00 00 00 02 01 02'),
    packet: {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepAlive: 60,
      clientId: '',
      password: hex('01 02'),
    },
  },
  {
    name: 'CONNACK success',
    protocolVersion: 5,
    bytes: hex('20 03 00 00 00'),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: 'CONNACK not authorized',
    protocolVersion: 5,
    bytes: hex('20 03 00 87 00'),
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x87 },
  },
  {
    name: 'CONNACK with properties',
    protocolVersion: 5,
    bytes: hex('20 11 01 00 0e 22 00 0a 12 00 02 69 64 24 01 25 00 2a 01'),
    packet: {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: {
        topicAliasMaximum: 10,
        assignedClientIdentifier: 'id',
        maximumQoS: 1,
        retainAvailable: false,
        sharedSubscriptionAvailable: true,
      },
    },
  },
  {
    name: 'PUBLISH QoS 0 without properties',
    protocolVersion: 5,
    bytes: hex('30 08 00 03 61 2f 62 00 68 69'),
    packet: { type: 'publish', topic: 'a/b', payload: ascii('hi'), qos: 0, retain: false, dup: false },
  },
  {
    name: 'PUBLISH QoS 1 with every PUBLISH property',
    protocolVersion: 5,
    bytes: hex(`32 30 00 03 61 2f 62 00 0b
      26 01 01 02 00 00 00 3c 23 00 01 08 00 01 72 09 00 02 01 02
      26 00 01 61 00 01 62 0b 05 0b 80 01 03 00 04 6a 73 6f 6e
      68 69`),
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 11,
      properties: {
        payloadFormatIndicator: 1,
        messageExpiryInterval: 60,
        topicAlias: 1,
        responseTopic: 'r',
        correlationData: hex('01 02'),
        userProperties: [['a', 'b']],
        subscriptionIdentifiers: [5, 128],
        contentType: 'json',
      },
    },
  },
  {
    name: 'PUBLISH with an empty topic and a topic alias',
    protocolVersion: 5,
    bytes: hex('30 06 00 00 03 23 00 05'),
    packet: {
      type: 'publish',
      topic: '',
      payload: new Uint8Array(0),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 5 },
    },
  },
  {
    name: 'PUBACK without reason code',
    protocolVersion: 5,
    bytes: hex('40 02 00 0a'),
    packet: { type: 'puback', packetId: 10 },
  },
  {
    name: 'PUBACK no matching subscribers',
    protocolVersion: 5,
    bytes: hex('40 03 00 0a 10'),
    packet: { type: 'puback', packetId: 10, reasonCode: 0x10 },
  },
  {
    name: 'PUBACK with a reason string',
    protocolVersion: 5,
    bytes: hex('40 08 00 0a 87 04 1f 00 01 78'),
    packet: { type: 'puback', packetId: 10, reasonCode: 0x87, properties: { reasonString: 'x' } },
  },
  {
    name: 'PUBACK with an empty property block',
    protocolVersion: 5,
    bytes: hex('40 04 00 0a 00 00'),
    packet: { type: 'puback', packetId: 10, reasonCode: 0 },
    decodeOnly: true,
  },
  {
    name: 'PUBREC unspecified error',
    protocolVersion: 5,
    bytes: hex('50 03 00 0a 80'),
    packet: { type: 'pubrec', packetId: 10, reasonCode: 0x80 },
  },
  {
    name: 'PUBREL packet identifier not found',
    protocolVersion: 5,
    bytes: hex('62 03 00 0a 92'),
    packet: { type: 'pubrel', packetId: 10, reasonCode: 0x92 },
  },
  {
    name: 'PUBCOMP',
    protocolVersion: 5,
    bytes: hex('70 02 00 0a'),
    packet: { type: 'pubcomp', packetId: 10 },
  },
  {
    name: 'SUBSCRIBE with subscription options and identifier',
    protocolVersion: 5,
    bytes: hex('82 18 00 0b 02 0b 07 00 03 61 2f 23 2d 00 0a 24 73 68 61 72 65 2f 67 2f 78 10'),
    packet: {
      type: 'subscribe',
      packetId: 11,
      properties: { subscriptionIdentifiers: [7] },
      subscriptions: [
        { topicFilter: 'a/#', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 },
        { topicFilter: '$share/g/x', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 1 },
      ],
    },
  },
  {
    name: 'SUBACK with a quota failure',
    protocolVersion: 5,
    bytes: hex('90 06 00 0b 00 01 02 97'),
    packet: { type: 'suback', packetId: 11, reasonCodes: [1, 2, 0x97] },
  },
  {
    name: 'UNSUBSCRIBE',
    protocolVersion: 5,
    bytes: hex('a2 08 00 0c 00 00 03 61 2f 23'),
    packet: { type: 'unsubscribe', packetId: 12, topicFilters: ['a/#'] },
  },
  {
    name: 'UNSUBACK',
    protocolVersion: 5,
    bytes: hex('b0 05 00 0c 00 00 11'),
    packet: { type: 'unsuback', packetId: 12, reasonCodes: [0, 0x11] },
  },
  { name: 'PINGREQ', protocolVersion: 5, bytes: hex('c0 00'), packet: { type: 'pingreq' } },
  { name: 'PINGRESP', protocolVersion: 5, bytes: hex('d0 00'), packet: { type: 'pingresp' } },
  { name: 'DISCONNECT normal', protocolVersion: 5, bytes: hex('e0 00'), packet: { type: 'disconnect' } },
  {
    name: 'DISCONNECT with will message',
    protocolVersion: 5,
    bytes: hex('e0 01 04'),
    packet: { type: 'disconnect', reasonCode: 0x04 },
  },
  {
    name: 'DISCONNECT use another server',
    protocolVersion: 5,
    bytes: hex('e0 07 9c 05 1c 00 02 73 32'),
    packet: { type: 'disconnect', reasonCode: 0x9c, properties: { serverReference: 's2' } },
  },
  {
    name: 'AUTH success, short form',
    protocolVersion: 5,
    bytes: hex('f0 00'),
    packet: { type: 'auth', reasonCode: 0 },
  },
  {
    name: 'AUTH success, long form',
    protocolVersion: 5,
    bytes: hex('f0 02 00 00'),
    packet: { type: 'auth', reasonCode: 0 },
    decodeOnly: true,
  },
  {
    name: 'AUTH re-authenticate without a property length',
    protocolVersion: 5,
    bytes: hex('f0 01 19'),
    packet: { type: 'auth', reasonCode: 0x19 },
    decodeOnly: true,
  },
  {
    name: 'AUTH continue with method and data',
    protocolVersion: 5,
    bytes: hex('f0 0c 18 0a 15 00 03 53 43 52 16 00 01 01'),
    packet: {
      type: 'auth',
      reasonCode: 0x18,
      properties: { authenticationMethod: 'SCR', authenticationData: hex('01') },
    },
  },
];

const errorCases: ErrorCase[] = [
  {
    name: '[MQTT-3.3.1-4] PUBLISH with QoS 3',
    protocolVersion: 4,
    bytes: hex('36 05 00 01 74 00 01'),
    error: malformed('MQTT-3.3.1-4'),
  },
  {
    name: '[MQTT-3.3.1-4] PUBLISH with QoS 3',
    protocolVersion: 5,
    bytes: hex('36 06 00 01 74 00 01 00'),
    error: malformed('MQTT-3.3.1-4'),
  },
  {
    name: '[MQTT-3.3.1-2] QoS 0 PUBLISH with DUP',
    protocolVersion: 4,
    bytes: hex('38 03 00 01 74'),
    error: protocolError('MQTT-3.3.1-2'),
  },
  {
    name: '[MQTT-3.3.2-2] PUBLISH topic with #',
    protocolVersion: 4,
    bytes: hex('30 05 00 03 61 2f 23'),
    error: protocolError('MQTT-3.3.2-2'),
  },
  {
    name: '[MQTT-3.3.2-2] PUBLISH topic with +',
    protocolVersion: 5,
    bytes: hex('30 06 00 03 2b 2f 61 00'),
    error: protocolError('MQTT-3.3.2-2'),
  },
  {
    name: '[MQTT-3.3.2-2] PUBLISH non-ASCII topic with #',
    protocolVersion: 4,
    bytes: hex('30 06 00 04 c3 a9 2f 23'),
    error: protocolError('MQTT-3.3.2-2'),
  },
  {
    name: '[MQTT-4.7.3-1] PUBLISH with an empty topic',
    protocolVersion: 4,
    bytes: hex('30 02 00 00'),
    error: protocolError('MQTT-4.7.3-1'),
  },
  {
    name: 'PUBLISH with an empty topic and no alias',
    protocolVersion: 5,
    bytes: hex('30 03 00 00 00'),
    error: protocolError(),
  },
  {
    name: '[MQTT-2.3.1-1] PUBLISH QoS 1 with packet id 0',
    protocolVersion: 4,
    bytes: hex('32 05 00 01 74 00 00'),
    error: protocolError('MQTT-2.3.1-1'),
  },
  {
    name: '[MQTT-2.2.1-3] PUBLISH QoS 1 with packet id 0',
    protocolVersion: 5,
    bytes: hex('32 06 00 01 74 00 00 00'),
    error: protocolError('MQTT-2.2.1-3'),
  },
  {
    name: '[MQTT-2.3.1-1] SUBSCRIBE with packet id 0',
    protocolVersion: 4,
    bytes: hex('82 06 00 00 00 01 74 00'),
    error: protocolError('MQTT-2.3.1-1'),
  },
  {
    name: 'PUBACK with packet id 0',
    protocolVersion: 4,
    bytes: hex('40 02 00 00'),
    error: protocolError('MQTT-2.3.1-1'),
  },
  {
    name: '[MQTT-2.2.2-1] PUBACK with flags',
    protocolVersion: 4,
    bytes: hex('41 02 00 01'),
    error: malformed('MQTT-2.2.2-1'),
  },
  {
    name: '[MQTT-2.1.3-1] PUBACK with flags',
    protocolVersion: 5,
    bytes: hex('48 02 00 01'),
    error: malformed('MQTT-2.1.3-1'),
  },
  {
    name: '[MQTT-2.2.2-1] CONNECT with flags',
    protocolVersion: 4,
    bytes: hex('11 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31'),
    error: malformed('MQTT-2.2.2-1'),
  },
  {
    name: '[MQTT-3.6.1-1] PUBREL with flags 0000',
    protocolVersion: 4,
    bytes: hex('60 02 00 01'),
    error: malformed('MQTT-3.6.1-1'),
  },
  {
    name: '[MQTT-3.8.1-1] SUBSCRIBE with flags 0000',
    protocolVersion: 4,
    bytes: hex('80 06 00 01 00 01 74 00'),
    error: malformed('MQTT-3.8.1-1'),
  },
  {
    name: '[MQTT-3.10.1-1] UNSUBSCRIBE with flags 0000',
    protocolVersion: 5,
    bytes: hex('a0 06 00 01 00 00 01 74'),
    error: malformed('MQTT-3.10.1-1'),
  },
  {
    name: '[MQTT-3.14.1-1] DISCONNECT with flags',
    protocolVersion: 4,
    bytes: hex('e1 00'),
    error: malformed('MQTT-3.14.1-1'),
  },
  {
    name: '[MQTT-3.15.1-1] AUTH with flags',
    protocolVersion: 5,
    bytes: hex('f1 00'),
    error: malformed('MQTT-3.15.1-1'),
  },
  { name: 'AUTH does not exist in 3.1.1', protocolVersion: 4, bytes: hex('f0 00'), error: malformed() },
  { name: 'packet type 0 is reserved', protocolVersion: 4, bytes: hex('00 00'), error: malformed() },
  {
    name: '[MQTT-3.8.3-3] SUBSCRIBE without filters',
    protocolVersion: 4,
    bytes: hex('82 02 00 01'),
    error: protocolError('MQTT-3.8.3-3'),
  },
  {
    name: '[MQTT-3.8.3-2] SUBSCRIBE without filters',
    protocolVersion: 5,
    bytes: hex('82 03 00 01 00'),
    error: protocolError('MQTT-3.8.3-2'),
  },
  {
    name: '[MQTT-3.10.3-2] UNSUBSCRIBE without filters',
    protocolVersion: 4,
    bytes: hex('a2 02 00 01'),
    error: protocolError('MQTT-3.10.3-2'),
  },
  {
    name: '[MQTT-3.10.3-2] UNSUBSCRIBE without filters',
    protocolVersion: 5,
    bytes: hex('a2 03 00 01 00'),
    error: protocolError('MQTT-3.10.3-2'),
  },
  {
    name: '[MQTT-4.7.3-1] SUBSCRIBE with an empty filter',
    protocolVersion: 4,
    bytes: hex('82 05 00 01 00 00 00'),
    error: protocolError('MQTT-4.7.3-1'),
  },
  {
    name: '[MQTT-4.7.3-1] UNSUBSCRIBE with an empty filter',
    protocolVersion: 4,
    bytes: hex('a2 04 00 01 00 00'),
    error: protocolError('MQTT-4.7.3-1'),
  },
  {
    name: '[MQTT-3.8.3-4] SUBSCRIBE requesting QoS 3',
    protocolVersion: 4,
    bytes: hex('82 06 00 01 00 01 74 03'),
    error: malformed('MQTT-3.8.3-4'),
  },
  {
    name: '[MQTT-3.8.3-5] SUBSCRIBE options with reserved bits',
    protocolVersion: 5,
    bytes: hex('82 07 00 01 00 00 01 74 c1'),
    error: malformed('MQTT-3.8.3-5'),
  },
  {
    name: 'SUBSCRIBE with maximum QoS 3',
    protocolVersion: 5,
    bytes: hex('82 07 00 01 00 00 01 74 03'),
    error: protocolError(),
  },
  {
    name: 'SUBSCRIBE with retain handling 3',
    protocolVersion: 5,
    bytes: hex('82 07 00 01 00 00 01 74 30'),
    error: protocolError(),
  },
  {
    name: '[MQTT-3.8.3-4] SUBSCRIBE with No Local on a shared subscription',
    protocolVersion: 5,
    bytes: hex('82 10 00 01 00 00 0a 24 73 68 61 72 65 2f 67 2f 74 04'),
    error: protocolError('MQTT-3.8.3-4'),
  },
  {
    name: '[MQTT-1.5.3-1] string that is not UTF-8',
    protocolVersion: 4,
    bytes: hex('30 04 00 02 c3 28'),
    error: malformed('MQTT-1.5.3-1'),
  },
  {
    name: '[MQTT-1.5.3-1] string with an encoded surrogate',
    protocolVersion: 4,
    bytes: hex('30 05 00 03 ed a0 80'),
    error: malformed('MQTT-1.5.3-1'),
  },
  {
    name: '[MQTT-1.5.3-2] string with U+0000',
    protocolVersion: 4,
    bytes: hex('30 05 00 03 61 00 62'),
    error: malformed('MQTT-1.5.3-2'),
  },
  {
    name: '[MQTT-1.5.4-1] string with an overlong encoding',
    protocolVersion: 5,
    bytes: hex('30 05 00 02 c0 af 00'),
    error: malformed('MQTT-1.5.4-1'),
  },
  {
    name: '[MQTT-1.5.4-2] string with U+0000',
    protocolVersion: 5,
    bytes: hex('30 06 00 03 61 00 62 00'),
    error: malformed('MQTT-1.5.4-2'),
  },
  {
    name: 'remaining length longer than 4 bytes',
    protocolVersion: 4,
    bytes: hex('30 ff ff ff ff 01'),
    error: malformed(),
  },
  {
    name: '[MQTT-1.5.5-1] remaining length not in its shortest form',
    protocolVersion: 5,
    bytes: hex('c0 80 00'),
    error: malformed('MQTT-1.5.5-1'),
  },
  {
    name: 'property length not in its shortest form',
    protocolVersion: 5,
    bytes: hex('30 05 00 01 74 80 00'),
    error: malformed('MQTT-1.5.5-1'),
  },
  {
    name: 'property identifier longer than 4 bytes',
    protocolVersion: 5,
    bytes: hex('30 09 00 01 74 05 ff ff ff ff 01'),
    error: malformed(),
  },
  {
    name: 'packet ends inside a field',
    protocolVersion: 4,
    bytes: hex('30 03 00 05 61'),
    error: malformed(),
  },
  { name: 'PINGREQ with a body', protocolVersion: 4, bytes: hex('c0 01 00'), error: malformed() },
  {
    name: 'PUBACK with a reason code in 3.1.1',
    protocolVersion: 4,
    bytes: hex('40 03 00 01 00'),
    error: malformed(),
  },
  {
    name: 'duplicate topic alias',
    protocolVersion: 5,
    bytes: hex('30 0a 00 01 74 06 23 00 01 23 00 02'),
    error: protocolError(),
  },
  {
    name: 'session expiry interval in a PUBLISH',
    protocolVersion: 5,
    bytes: hex('30 09 00 01 74 05 11 00 00 00 01'),
    error: malformed(),
  },
  {
    name: 'unknown property 0x7f',
    protocolVersion: 5,
    bytes: hex('30 06 00 01 74 02 7f 00'),
    error: malformed(),
  },
  {
    name: 'property block longer than the packet',
    protocolVersion: 5,
    bytes: hex('30 04 00 01 74 05'),
    error: malformed(),
  },
  {
    name: 'two subscription identifiers in a SUBSCRIBE',
    protocolVersion: 5,
    bytes: hex('82 0b 00 01 04 0b 01 0b 02 00 01 74 00'),
    error: protocolError(),
  },
  {
    name: 'subscription identifier 0',
    protocolVersion: 5,
    bytes: hex('30 06 00 01 74 02 0b 00'),
    error: protocolError(),
  },
  {
    name: '[MQTT-3.3.2-8] topic alias 0',
    protocolVersion: 5,
    bytes: hex('30 07 00 01 74 03 23 00 00'),
    error: protocolError('MQTT-3.3.2-8'),
  },
  {
    name: 'receive maximum 0',
    protocolVersion: 5,
    bytes: hex('20 06 00 00 03 21 00 00'),
    error: protocolError(),
  },
  {
    name: 'maximum packet size 0',
    protocolVersion: 5,
    bytes: hex('20 08 00 00 05 27 00 00 00 00'),
    error: protocolError(),
  },
  {
    name: 'payload format indicator 2',
    protocolVersion: 5,
    bytes: hex('30 06 00 01 74 02 01 02'),
    error: protocolError(),
  },
  {
    name: 'retain available 2',
    protocolVersion: 5,
    bytes: hex('20 05 00 00 02 25 02'),
    error: protocolError(),
  },
  {
    name: '[MQTT-3.3.2-14] response topic with a wildcard',
    protocolVersion: 5,
    bytes: hex('30 08 00 01 74 04 08 00 01 23'),
    error: protocolError('MQTT-3.3.2-14'),
  },
  {
    name: '[MQTT-3.2.2-1] CONNACK with reserved flags',
    protocolVersion: 5,
    bytes: hex('20 03 02 00 00'),
    error: malformed('MQTT-3.2.2-1'),
  },
  {
    name: '[MQTT-3.2.2-4] CONNACK refusing with session present',
    protocolVersion: 4,
    bytes: hex('20 02 01 05'),
    error: protocolError('MQTT-3.2.2-4'),
  },
  {
    name: '[MQTT-3.2.2-6] CONNACK refusing with session present',
    protocolVersion: 5,
    bytes: hex('20 03 01 87 00'),
    error: protocolError('MQTT-3.2.2-6'),
  },
  {
    name: 'CONNACK return code 6 is reserved',
    protocolVersion: 4,
    bytes: hex('20 02 00 06'),
    error: malformed(),
  },
  {
    name: '[MQTT-3.2.2-8] CONNACK reason code 0x01',
    protocolVersion: 5,
    bytes: hex('20 03 00 01 00'),
    error: protocolError('MQTT-3.2.2-8'),
  },
  {
    name: '[MQTT-3.4.2-1] PUBACK reason code 0x05',
    protocolVersion: 5,
    bytes: hex('40 03 00 01 05'),
    error: protocolError('MQTT-3.4.2-1'),
  },
  {
    name: '[MQTT-3.6.2-1] PUBREL reason code 0x10',
    protocolVersion: 5,
    bytes: hex('62 03 00 01 10'),
    error: protocolError('MQTT-3.6.2-1'),
  },
  {
    name: '[MQTT-3.9.3-2] SUBACK return code 0x03',
    protocolVersion: 4,
    bytes: hex('90 03 00 01 03'),
    error: protocolError('MQTT-3.9.3-2'),
  },
  {
    name: '[MQTT-3.8.4-5] SUBACK without return codes',
    protocolVersion: 4,
    bytes: hex('90 02 00 01'),
    error: protocolError('MQTT-3.8.4-5'),
  },
  {
    name: '[MQTT-3.8.4-6] SUBACK without reason codes',
    protocolVersion: 5,
    bytes: hex('90 03 00 01 00'),
    error: protocolError('MQTT-3.8.4-6'),
  },
  {
    name: '[MQTT-3.11.3-2] UNSUBACK without reason codes',
    protocolVersion: 5,
    bytes: hex('b0 03 00 01 00'),
    error: protocolError('MQTT-3.11.3-2'),
  },
  {
    name: '[MQTT-3.11.3-2] UNSUBACK reason code 0x01',
    protocolVersion: 5,
    bytes: hex('b0 04 00 01 00 01'),
    error: protocolError('MQTT-3.11.3-2'),
  },
  {
    name: '[MQTT-3.14.2-1] DISCONNECT reason code 0x01',
    protocolVersion: 5,
    bytes: hex('e0 01 01'),
    error: protocolError('MQTT-3.14.2-1'),
  },
  {
    name: '[MQTT-3.15.2-1] AUTH reason code 0x01',
    protocolVersion: 5,
    bytes: hex('f0 01 01'),
    error: protocolError('MQTT-3.15.2-1'),
  },
  {
    name: '[MQTT-3.1.2-1] CONNECT protocol name MQTX',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 58 04 02 00 3c 00 02 63 31'),
    error: unsupported('MQTT-3.1.2-1'),
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT MQTT level 3',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 03 02 00 3c 00 02 63 31'),
    error: unsupported('MQTT-3.1.2-2'),
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT MQTT level 6',
    protocolVersion: 5,
    bytes: hex('10 0f 00 04 4d 51 54 54 06 02 00 3c 00 00 02 63 31'),
    error: unsupported('MQTT-3.1.2-2'),
  },
  {
    name: '[MQTT-3.1.2-2] CONNECT MQIsdp level 4',
    protocolVersion: 3,
    bytes: hex('10 10 00 06 4d 51 49 73 64 70 04 02 00 3c 00 02 63 31'),
    error: unsupported('MQTT-3.1.2-2'),
  },
  {
    name: '[MQTT-3.1.2-3] CONNECT reserved flag',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 04 03 00 3c 00 02 63 31'),
    error: malformed('MQTT-3.1.2-3'),
  },
  {
    name: '[MQTT-3.1.2-13] CONNECT will QoS without a will',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 04 0a 00 3c 00 02 63 31'),
    error: malformed('MQTT-3.1.2-13'),
  },
  {
    name: '[MQTT-3.1.2-11] CONNECT will QoS without a will',
    protocolVersion: 5,
    bytes: hex('10 0f 00 04 4d 51 54 54 05 0a 00 3c 00 00 02 63 31'),
    error: malformed('MQTT-3.1.2-11'),
  },
  {
    name: '[MQTT-3.1.2-15] CONNECT will retain without a will',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 04 22 00 3c 00 02 63 31'),
    error: malformed('MQTT-3.1.2-15'),
  },
  {
    name: '[MQTT-3.1.2-13] CONNECT will retain without a will',
    protocolVersion: 5,
    bytes: hex('10 0f 00 04 4d 51 54 54 05 22 00 3c 00 00 02 63 31'),
    error: malformed('MQTT-3.1.2-13'),
  },
  {
    name: '[MQTT-3.1.2-14] CONNECT will QoS 3',
    protocolVersion: 4,
    bytes: hex('10 0e 00 04 4d 51 54 54 04 1e 00 3c 00 02 63 31'),
    error: malformed('MQTT-3.1.2-14'),
  },
  {
    name: '[MQTT-3.1.2-12] CONNECT will QoS 3',
    protocolVersion: 5,
    bytes: hex('10 0f 00 04 4d 51 54 54 05 1e 00 3c 00 00 02 63 31'),
    error: malformed('MQTT-3.1.2-12'),
  },
  {
    name: '[MQTT-3.1.2-22] CONNECT password without user name',
    protocolVersion: 4,
    bytes: hex('10 12 00 04 4d 51 54 54 04 42 00 3c 00 02 63 31 00 02 01 02'),
    error: malformed('MQTT-3.1.2-22'),
  },
  {
    name: '[MQTT-4.7.3-1] CONNECT with an empty will topic',
    protocolVersion: 4,
    bytes: hex('10 12 00 04 4d 51 54 54 04 06 00 3c 00 02 63 31 00 00 00 00'),
    error: protocolError('MQTT-4.7.3-1'),
  },
  {
    name: '[MQTT-4.7.0-1] CONNECT with a wildcard in the will topic',
    protocolVersion: 5,
    bytes: hex('10 15 00 04 4d 51 54 54 05 06 00 3c 00 00 02 63 31 00 00 01 23 00 00'),
    error: protocolError('MQTT-4.7.0-1'),
  },
  {
    name: 'CONNECT with bytes after the last field',
    protocolVersion: 4,
    bytes: hex('10 0f 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31 00'),
    error: malformed(),
  },
  {
    name: 'CONNECT ending inside the protocol name',
    protocolVersion: 4,
    bytes: hex('10 04 00 04 4d 51'),
    error: malformed(),
  },
  {
    name: 'packet larger than the maximum packet size',
    protocolVersion: 4,
    bytes: hex('30 ff 01'),
    error: { code: 'MQTT_PACKET_TOO_LARGE', reasonCode: 0x95 },
    maximumPacketSize: 100,
  },
];

/** Every case of the corpus: valid packets of every type in MQTT 3.1, 3.1.1 and 5.0, then errors. */
export const packetCorpus: readonly CorpusCase[] = [...v3Cases, ...v4Cases, ...v5Cases, ...errorCases];

export function isErrorCase(entry: CorpusCase): entry is ErrorCase {
  return 'error' in entry;
}
