import { describe, expect, it } from 'vitest';
import { createDecoder } from './decoder.js';
import { encode, encodeInto, encodedLength } from './encode.js';
import type { Packet, ProtocolVersion } from './packet.js';
import { setPacketId, withPacketId } from './set-packet-id.js';
import { hex, isErrorCase, packetCorpus } from './testing/index.js';
import type { PacketCase } from './testing/index.js';

const encodableCases = packetCorpus.filter(
  (entry): entry is PacketCase => !isErrorCase(entry) && entry.decodeOnly !== true,
);
const invalid = (statement?: string) =>
  expect.objectContaining({
    code: 'MQTT_INVALID_ARGUMENT',
    ...(statement === undefined ? {} : { statement }),
  });

const publish = {
  type: 'publish',
  topic: 'a/b',
  payload: hex('68 69'),
  qos: 0,
  retain: false,
  dup: false,
} as const;

describe('encode', () => {
  describe.each(
    encodableCases.map((entry) => [`${entry.name} (level ${entry.protocolVersion})`, entry] as const),
  )('%s', (_, entry) => {
    it('writes exactly the corpus bytes', () => {
      expect(Array.from(encode(entry.packet, entry.protocolVersion))).toEqual(Array.from(entry.bytes));
    });
    it('reports the encoded length', () => {
      expect(encodedLength(entry.packet, entry.protocolVersion)).toBe(entry.bytes.length);
    });
  });

  it('writes the short AUTH form for a success without properties and the long one otherwise', () => {
    expect(Array.from(encode({ type: 'auth', reasonCode: 0 }, 5))).toEqual([0xf0, 0x00]);
    expect(Array.from(encode({ type: 'auth', reasonCode: 0x19 }, 5))).toEqual([0xf0, 0x02, 0x19, 0x00]);
  });

  it('maps an MQTT 5 CONNACK reason code to a 3.1.1 return code', () => {
    expect(Array.from(encode({ type: 'connack', sessionPresent: false, reasonCode: 0x8c }, 4))).toEqual([
      0x20, 0x02, 0x00, 0x04,
    ]);
  });

  it('drops MQTT 5 fields below version 5', () => {
    expect(
      Array.from(
        encode({ type: 'puback', packetId: 1, reasonCode: 0x10, properties: { reasonString: 'x' } }, 4),
      ),
    ).toEqual([0x40, 0x02, 0x00, 0x01]);
    expect(Array.from(encode({ type: 'disconnect', reasonCode: 0x04 }, 4))).toEqual([0xe0, 0x00]);
    expect(Array.from(encode({ type: 'unsuback', packetId: 1, reasonCodes: [0x11] }, 3))).toEqual([
      0xb0, 0x02, 0x00, 0x01,
    ]);
  });

  it('writes a reason code before properties even when the reason code is absent', () => {
    expect(Array.from(encode({ type: 'pubrel', packetId: 1, properties: { reasonString: 'x' } }, 5))).toEqual(
      [0x62, 0x08, 0x00, 0x01, 0x00, 0x04, 0x1f, 0x00, 0x01, 0x78],
    );
    expect(Array.from(encode({ type: 'disconnect', properties: { reasonString: 'x' } }, 5))).toEqual([
      0xe0, 0x06, 0x00, 0x04, 0x1f, 0x00, 0x01, 0x78,
    ]);
  });

  it('skips properties whose value is undefined', () => {
    expect(
      Array.from(encode({ type: 'disconnect', reasonCode: 0, properties: { reasonString: undefined } }, 5)),
    ).toEqual([0xe0, 0x01, 0x00]);
    expect(
      Array.from(
        encode(
          {
            type: 'auth',
            reasonCode: 0x18,
            properties: { reasonString: undefined, authenticationMethod: 'm' },
          },
          5,
        ),
      ),
    ).toEqual([0xf0, 0x06, 0x18, 0x04, 0x15, 0x00, 0x01, 0x6d]);
  });

  it('encodes multi-byte UTF-8, long strings and 4-byte remaining lengths', () => {
    const topic = 'größe/😀/' + 'x'.repeat(40);
    const payload = new Uint8Array(2_100_000);
    for (const version of [4, 5] as ProtocolVersion[]) {
      const bytes = encode({ ...publish, topic, payload }, version);
      const decoder = createDecoder({ protocolVersion: version });
      decoder.push(bytes);
      expect(decoder.next()).toMatchObject({ topic, payload: expect.any(Uint8Array) });
    }
    const longAscii = 'y'.repeat(100);
    const decoder = createDecoder({ protocolVersion: 5 });
    decoder.push(
      encode(
        {
          type: 'disconnect',
          reasonCode: 0,
          properties: { reasonString: longAscii, userProperties: [['é', longAscii]] },
        },
        5,
      ),
    );
    expect(decoder.next()).toEqual({
      type: 'disconnect',
      reasonCode: 0,
      properties: { reasonString: longAscii, userProperties: [['é', longAscii]] },
    });
  });

  it('[MQTT-1.5.4-2] refuses a string with U+0000', () => {
    expect(() => encode({ ...publish, topic: 'a\u0000b' }, 4)).toThrowError(invalid('MQTT-1.5.4-2'));
  });

  it('[MQTT-1.5.4-1] refuses a string with a lone surrogate', () => {
    expect(() => encode({ ...publish, topic: 'a\ud800b' }, 4)).toThrowError(invalid('MQTT-1.5.4-1'));
    expect(() => encode({ ...publish, topic: 'a\udc00' }, 4)).toThrowError(invalid('MQTT-1.5.4-1'));
    expect(() => encode({ ...publish, topic: 'a\ud800' }, 4)).toThrowError(invalid('MQTT-1.5.4-1'));
  });

  it('[MQTT-3.3.2-2] refuses a PUBLISH topic with a wildcard', () => {
    expect(() => encode({ ...publish, topic: 'a/+' }, 4)).toThrowError(invalid('MQTT-3.3.2-2'));
    expect(() => encode({ ...publish, topic: 'é/#' }, 4)).toThrowError(invalid('MQTT-3.3.2-2'));
  });

  it('[MQTT-3.3.1-4] refuses QoS 3 and [MQTT-2.2.1-3] a missing packet id', () => {
    expect(() => encode({ ...publish, qos: 3 as 2, packetId: 1 }, 4)).toThrowError(invalid('MQTT-3.3.1-4'));
    expect(() => encode({ ...publish, qos: 1 }, 4)).toThrowError(invalid('MQTT-2.2.1-3'));
    expect(() => encode({ ...publish, qos: 1, packetId: 0 }, 4)).toThrowError(invalid('MQTT-2.2.1-3'));
    expect(() => encode({ ...publish, qos: 1, packetId: 1.5 }, 4)).toThrowError(invalid('MQTT-2.2.1-3'));
  });

  it('[MQTT-3.3.1-2] refuses DUP on QoS 0', () => {
    expect(() => encode({ ...publish, dup: true }, 4)).toThrowError(invalid('MQTT-3.3.1-2'));
  });

  it('refuses empty topics without an alias, oversized topics and non-byte payloads', () => {
    expect(() => encode({ ...publish, topic: '' }, 4)).toThrowError(invalid('MQTT-4.7.3-1'));
    expect(() => encode({ ...publish, topic: '' }, 5)).toThrowError(invalid());
    expect(() => encode({ ...publish, topic: 'x'.repeat(65_536) }, 4)).toThrowError(invalid());
    expect(() => encode({ ...publish, topic: 5 as unknown as string }, 4)).toThrowError(invalid());
    expect(() => encode({ ...publish, payload: 'hi' as unknown as Uint8Array }, 4)).toThrowError(invalid());
  });

  it('refuses misplaced, mistyped and out-of-range properties', () => {
    const cases: [Packet, string?][] = [
      [{ ...publish, properties: { sessionExpiryInterval: 1 } as never }],
      [{ ...publish, properties: { unknownProperty: 1 } as never }],
      [{ ...publish, properties: { payloadFormatIndicator: 2 as 1 } }],
      [{ ...publish, properties: { topicAlias: 0 } }],
      [{ ...publish, properties: { messageExpiryInterval: 2 ** 32 } }],
      [{ ...publish, properties: { messageExpiryInterval: '1' as unknown as number } }],
      [{ ...publish, properties: { subscriptionIdentifiers: [0] } }],
      [{ ...publish, properties: { subscriptionIdentifiers: 1 as unknown as number[] } }],
      [{ ...publish, properties: { correlationData: 'x' as unknown as Uint8Array } }],
      [{ ...publish, properties: { correlationData: new Uint8Array(65_536) } }],
      [{ ...publish, properties: { contentType: 1 as unknown as string } }],
      [{ ...publish, properties: { contentType: 'x'.repeat(65_536) } }],
      [{ ...publish, properties: { userProperties: 'x' as never } }],
      [{ ...publish, properties: { userProperties: [['only-name']] as never } }],
      [
        {
          type: 'connack',
          sessionPresent: false,
          reasonCode: 0,
          properties: { retainAvailable: 1 as unknown as boolean },
        },
      ],
      [{ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { receiveMaximum: 0 } }],
      [{ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { maximumPacketSize: 0 } }],
      [
        {
          type: 'subscribe',
          packetId: 1,
          subscriptions: [
            { topicFilter: 'a', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ],
          properties: { subscriptionIdentifiers: [1, 2] },
        },
      ],
    ];
    for (const [packet] of cases)
      expect(() => encode(packet, 5), JSON.stringify(packet)).toThrowError(invalid());
  });

  it('refuses invalid CONNECT packets', () => {
    const connect = {
      type: 'connect',
      protocolVersion: 4,
      clean: true,
      keepAlive: 0,
      clientId: 'c',
    } as const;
    expect(() => encode({ ...connect, protocolVersion: 6 as 5 }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, protocolName: 'MQIsdp' }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, protocolVersion: 3, protocolName: 'MQTT' }, 3)).toThrowError(invalid());
    expect(() => encode({ ...connect, keepAlive: 65_536 }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, keepAlive: -1 }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, clientId: 1 as unknown as string }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, clientId: 'c'.repeat(65_536) }, 4)).toThrowError(invalid());
    expect(() => encode({ ...connect, password: hex('01') }, 4)).toThrowError(invalid('MQTT-3.1.2-22'));
    expect(() =>
      encode({ ...connect, username: 'u', password: 'p' as unknown as Uint8Array }, 4),
    ).toThrowError(invalid());
    expect(() => encode({ ...connect, username: 'u', password: new Uint8Array(65_536) }, 4)).toThrowError(
      invalid(),
    );
    const will = { topic: 't', payload: new Uint8Array(0), qos: 0, retain: false } as const;
    expect(() => encode({ ...connect, will: { ...will, qos: 3 as 2 } }, 4)).toThrowError(
      invalid('MQTT-3.1.2-12'),
    );
    expect(() => encode({ ...connect, will: { ...will, topic: '' } }, 4)).toThrowError(
      invalid('MQTT-4.7.3-1'),
    );
    expect(() => encode({ ...connect, will: { ...will, topic: 'a/#' } }, 4)).toThrowError(
      invalid('MQTT-4.7.0-1'),
    );
  });

  it('refuses invalid acknowledgements, subscriptions and reason codes', () => {
    const subscription = {
      topicFilter: 'a',
      qos: 0,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
    } as const;
    const cases: [Packet, ProtocolVersion][] = [
      [{ type: 'puback', packetId: 0 }, 4],
      [{ type: 'puback', packetId: 1, reasonCode: 0x92 }, 5],
      [{ type: 'pubrel', packetId: 1, reasonCode: 0x10 }, 5],
      [{ type: 'connack', sessionPresent: false, reasonCode: 0x01 }, 5],
      [{ type: 'connack', sessionPresent: true, reasonCode: 0x87 }, 4],
      [{ type: 'subscribe', packetId: 0, subscriptions: [subscription] }, 4],
      [{ type: 'subscribe', packetId: 1, subscriptions: [] }, 4],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ ...subscription, topicFilter: '' }] }, 4],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ ...subscription, qos: 3 as 2 }] }, 4],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ ...subscription, retainHandling: 3 as 2 }] }, 5],
      [
        {
          type: 'subscribe',
          packetId: 1,
          subscriptions: [{ ...subscription, topicFilter: '$share/g/a', noLocal: true }],
        },
        5,
      ],
      [{ type: 'suback', packetId: 0, reasonCodes: [0] }, 4],
      [{ type: 'suback', packetId: 1, reasonCodes: [0x97] }, 4],
      [{ type: 'suback', packetId: 1, reasonCodes: [] }, 5],
      [{ type: 'unsuback', packetId: 1, reasonCodes: [] }, 5],
      [{ type: 'unsubscribe', packetId: 0, topicFilters: ['a'] }, 4],
      [{ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 4],
      [{ type: 'unsubscribe', packetId: 1, topicFilters: [''] }, 4],
      [{ type: 'unsuback', packetId: 0, reasonCodes: [] }, 4],
      [{ type: 'unsuback', packetId: 1, reasonCodes: [0x10] }, 5],
      [{ type: 'disconnect', reasonCode: 0x01 }, 5],
      [{ type: 'auth', reasonCode: 0x01 }, 5],
      [{ type: 'auth', reasonCode: 0 }, 4],
      [{ type: 'bogus' } as unknown as Packet, 4],
      [{ type: 'pingreq' }, 6 as ProtocolVersion],
    ];
    for (const [packet, version] of cases)
      expect(() => encode(packet, version), JSON.stringify(packet)).toThrowError(invalid());
  });

  it('refuses a packet body over 268,435,455 bytes', () => {
    const payload = { length: 268_435_455 } as unknown as Uint8Array;
    Object.setPrototypeOf(payload, Uint8Array.prototype);
    expect(() => encodedLength({ ...publish, payload }, 4)).toThrowError(invalid());
  });
});

describe('encodeInto', () => {
  it('writes at an offset of a caller buffer and returns the byte count', () => {
    const target = new Uint8Array(16).fill(0xee);
    expect(encodeInto({ type: 'puback', packetId: 10 }, target, { protocolVersion: 4, offset: 3 })).toBe(4);
    expect(Array.from(target.subarray(0, 8))).toEqual([0xee, 0xee, 0xee, 0x40, 0x02, 0x00, 0x0a, 0xee]);
    expect(encodeInto({ type: 'pingresp' }, target, { protocolVersion: 5 })).toBe(2);
    expect(Array.from(target.subarray(0, 2))).toEqual([0xd0, 0x00]);
  });

  it('writes UTF-8 into a plain Uint8Array', () => {
    const target = new Uint8Array(128);
    const length = encodeInto({ ...publish, topic: 'ü/'.repeat(20) }, target, { protocolVersion: 4 });
    const decoder = createDecoder({ protocolVersion: 4 });
    decoder.push(target.subarray(0, length));
    expect(decoder.next()).toMatchObject({ topic: 'ü/'.repeat(20) });
  });

  it('refuses a target too small or a bad offset without writing', () => {
    const target = new Uint8Array(3);
    expect(() => encodeInto({ type: 'puback', packetId: 1 }, target, { protocolVersion: 4 })).toThrowError(
      invalid(),
    );
    expect(() => encodeInto({ type: 'pingreq' }, target, { protocolVersion: 4, offset: -1 })).toThrowError(
      invalid(),
    );
    expect(() => encodeInto({ type: 'pingreq' }, target, { protocolVersion: 4, offset: 0.5 })).toThrowError(
      invalid(),
    );
    expect(Array.from(target)).toEqual([0, 0, 0]);
  });
});

describe('setPacketId and withPacketId', () => {
  const qos1 = { ...publish, qos: 1, packetId: 1, topic: 't'.repeat(200) } as const;

  it('patches the packet id of an encoded PUBLISH in place', () => {
    for (const version of [3, 4, 5] as ProtocolVersion[]) {
      const bytes = encode(qos1, version);
      expect(setPacketId(bytes, 0x1234)).toBe(bytes);
      expect(Array.from(bytes)).toEqual(Array.from(encode({ ...qos1, packetId: 0x1234 }, version)));
    }
  });

  it('copies an encoded PUBLISH with another packet id, leaving the original alone', () => {
    const bytes = encode(qos1, 5);
    const copy = withPacketId(bytes, 7);
    expect(copy).not.toBe(bytes);
    expect(Array.from(copy)).toEqual(Array.from(encode({ ...qos1, packetId: 7 }, 5)));
    expect(Array.from(bytes)).toEqual(Array.from(encode(qos1, 5)));
  });

  it('refuses bytes that are not a QoS 1 or 2 PUBLISH and invalid ids', () => {
    expect(() => setPacketId(encode(publish, 4), 1)).toThrowError(invalid());
    expect(() => setPacketId(encode({ type: 'puback', packetId: 1 }, 4), 1)).toThrowError(invalid());
    expect(() => setPacketId(new Uint8Array(0), 1)).toThrowError(invalid());
    expect(() => setPacketId(hex('32 80'), 1)).toThrowError(invalid());
    expect(() => setPacketId(hex('32 05 00 01 74'), 1)).toThrowError(invalid());
    expect(() => setPacketId(encode(qos1, 4), 0)).toThrowError(invalid('MQTT-2.2.1-3'));
    expect(() => setPacketId(encode(qos1, 4), 65_536)).toThrowError(invalid('MQTT-2.2.1-3'));
  });
});
