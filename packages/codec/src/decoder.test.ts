import { describe, expect, it } from 'vitest';
import { createDecoder } from './decoder.js';
import { encode } from './encode.js';
import { MqttError } from './mqtt-error.js';
import type { Packet } from './packet.js';
import { hex, isErrorCase, packetCorpus } from './testing/index.js';
import type { ErrorCase, PacketCase } from './testing/index.js';

const validCases = packetCorpus.filter((entry): entry is PacketCase => !isErrorCase(entry));
const errorCases = packetCorpus.filter(isErrorCase);

function decodeAll(chunks: Uint8Array[], options: Parameters<typeof createDecoder>[0]): Packet[] {
  const decoder = createDecoder(options);
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) packets.push(packet);
  }
  return packets;
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function expectCaseError(entry: ErrorCase, chunks: Uint8Array[]): void {
  const decoder = createDecoder({
    protocolVersion: entry.protocolVersion,
    ...(entry.maximumPacketSize === undefined ? {} : { maximumPacketSize: entry.maximumPacketSize }),
  });
  const error = thrown(() => {
    for (const chunk of chunks) {
      decoder.push(chunk);
      while (decoder.next() !== undefined);
    }
  });
  expect(MqttError.isInstance(error)).toBe(true);
  const mqttError = error as MqttError;
  expect({ code: mqttError.code, reasonCode: mqttError.reasonCode, statement: mqttError.statement }).toEqual({
    statement: undefined,
    ...entry.error,
  });
}

describe('createDecoder', () => {
  describe.each(
    validCases.map((entry) => [`${entry.name} (level ${entry.protocolVersion})`, entry] as const),
  )('%s', (_, entry) => {
    it('decodes the corpus bytes in one chunk', () => {
      expect(decodeAll([entry.bytes], { protocolVersion: entry.protocolVersion })).toEqual([entry.packet]);
    });
    it('decodes the corpus bytes fed one byte at a time', () => {
      expect(decodeAll(bytewise(entry.bytes), { protocolVersion: entry.protocolVersion })).toEqual([
        entry.packet,
      ]);
    });
  });

  describe.each(
    errorCases.map((entry) => [`${entry.name} (level ${entry.protocolVersion})`, entry] as const),
  )('%s', (_, entry) => {
    it('throws the expected MqttError', () => {
      expectCaseError(entry, [entry.bytes]);
    });
    it('throws the same error when fed one byte at a time', () => {
      expectCaseError(entry, bytewise(entry.bytes));
    });
  });

  it('learns the protocol version from the first CONNECT', () => {
    const decoder = createDecoder();
    expect(decoder.protocolVersion).toBeUndefined();
    decoder.push(hex('10 0f 00 04 4d 51 54 54 05 02 00 3c 00 00 02 63 31'));
    decoder.push(hex('40 03 00 0a 10'));
    expect(decoder.next()).toMatchObject({ type: 'connect', protocolVersion: 5 });
    expect(decoder.protocolVersion).toBe(5);
    expect(decoder.next()).toEqual({ type: 'puback', packetId: 10, reasonCode: 0x10 });
  });

  it('learns MQTT 3.1 from an MQIsdp CONNECT', () => {
    const decoder = createDecoder();
    decoder.push(hex('10 10 00 06 4d 51 49 73 64 70 03 02 00 3c 00 02 63 31'));
    expect(decoder.next()).toMatchObject({ protocolName: 'MQIsdp', protocolVersion: 3 });
    expect(decoder.protocolVersion).toBe(3);
  });

  it('keeps a given protocol version when a CONNECT of another version arrives', () => {
    const decoder = createDecoder({ protocolVersion: 5 });
    decoder.push(hex('10 0e 00 04 4d 51 54 54 04 02 00 3c 00 02 63 31'));
    expect(decoder.next()).toMatchObject({ protocolVersion: 4 });
    expect(decoder.protocolVersion).toBe(5);
  });

  it('[MQTT-3.1.0-1] refuses a first packet other than CONNECT when the version is unknown', () => {
    const decoder = createDecoder();
    decoder.push(hex('c0 00'));
    expect(() => decoder.next()).toThrowError(
      expect.objectContaining({ code: 'MQTT_PROTOCOL_ERROR', statement: 'MQTT-3.1.0-1' }),
    );
  });

  it('[MQTT-3.1.2-2] raises UnsupportedProtocolVersionError for an unknown level before learning a version', () => {
    const decoder = createDecoder();
    decoder.push(hex('10 0e 00 04 4d 51 54 54 07 02 00 3c 00 02 63 31'));
    expect(() => decoder.next()).toThrowError(
      expect.objectContaining({ name: 'UnsupportedProtocolVersionError', reasonCode: 0x84 }),
    );
    expect(decoder.protocolVersion).toBeUndefined();
  });

  it('returns undefined until a whole packet has arrived and counts buffered bytes', () => {
    const decoder = createDecoder({ protocolVersion: 4 });
    expect(decoder.next()).toBeUndefined();
    decoder.push(hex('30'));
    expect(decoder.next()).toBeUndefined();
    decoder.push(hex('07 00 03'));
    expect(decoder.next()).toBeUndefined();
    expect(decoder.bufferedBytes).toBe(4);
    decoder.push(new Uint8Array(0));
    decoder.push(hex('61 2f 62 68 69 c0'));
    expect(decoder.next()).toMatchObject({ type: 'publish', topic: 'a/b' });
    expect(decoder.bufferedBytes).toBe(1);
    expect(decoder.next()).toBeUndefined();
    decoder.push(hex('00'));
    expect(decoder.next()).toEqual({ type: 'pingreq' });
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('rejects a packet over maximumPacketSize from its header alone, before its body arrives', () => {
    const decoder = createDecoder({ protocolVersion: 4, maximumPacketSize: 1_000 });
    decoder.push(hex('30 ff ff 03'));
    expect(() => decoder.next()).toThrowError(
      expect.objectContaining({ name: 'PacketTooLargeError', reasonCode: 0x95 }),
    );
  });

  it('accepts a packet of exactly maximumPacketSize bytes', () => {
    const decoder = createDecoder({ protocolVersion: 4, maximumPacketSize: 9 });
    decoder.push(hex('30 07 00 03 61 2f 62 68 69'));
    expect(decoder.next()).toMatchObject({ type: 'publish' });
  });

  it('refuses every later call after an error, keeping the reason code and cause', () => {
    const decoder = createDecoder({ protocolVersion: 4 });
    decoder.push(hex('c0 00 36 05 00 01 74 00 01 c0 00'));
    expect(decoder.next()).toEqual({ type: 'pingreq' });
    const first = thrown(() => decoder.next()) as MqttError;
    expect(first.code).toBe('MQTT_MALFORMED_PACKET');
    for (const action of [() => decoder.next(), () => decoder.push(hex('c0 00'))]) {
      const later = thrown(action) as MqttError;
      expect(later.code).toBe('MQTT_DECODER_CLOSED');
      expect(later.reasonCode).toBe(0x81);
      expect(later.cause).toBe(first);
    }
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('returns payloads as views into the pushed chunk when a packet lies in one chunk', () => {
    const chunk = hex('30 07 00 03 61 2f 62 68 69');
    const decoder = createDecoder({ protocolVersion: 4 });
    decoder.push(chunk);
    const packet = decoder.next() as Extract<Packet, { type: 'publish' }>;
    expect(packet.payload.buffer).toBe(chunk.buffer);
    expect(packet.payload.byteOffset).toBe(7);
  });

  it('copies a packet split across chunks into fresh memory that later packets never overwrite', () => {
    const decoder = createDecoder({ protocolVersion: 4 });
    decoder.push(hex('30 07 00 03 61'));
    decoder.push(hex('2f 62 68 69'));
    const first = decoder.next() as Extract<Packet, { type: 'publish' }>;
    for (let index = 0; index < 20_000; index++) {
      decoder.push(hex('30 07 00 03 61'));
      decoder.push(hex('2f 62 ff ff'));
      expect(decoder.next()).toMatchObject({ type: 'publish', topic: 'a/b' });
    }
    expect(Array.from(first.payload)).toEqual([0x68, 0x69]);
  });

  it('decodes the right topic names however often topics of one length repeat or collide', () => {
    const topics = Array.from({ length: 1_000 }, (_, index) => `t/${String(index).padStart(4, '0')}`);
    const decoder = createDecoder({ protocolVersion: 4 });
    for (let round = 0; round < 2; round++) {
      for (const topic of topics) {
        decoder.push(
          encode(
            { type: 'publish', topic, payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
            4,
          ),
        );
        expect(decoder.next()).toMatchObject({ topic });
      }
    }
  });

  it('decodes thousands of small chunks without keeping consumed ones', () => {
    const bytes = encode({ type: 'pingreq' }, 4);
    const decoder = createDecoder({ protocolVersion: 4 });
    for (let index = 0; index < 5_000; index++) {
      decoder.push(bytes.subarray(0, 1));
      decoder.push(bytes.subarray(1));
      decoder.push(bytes);
    }
    let count = 0;
    while (decoder.next() !== undefined) count += 1;
    expect(count).toBe(10_000);
  });

  it('decodes a stream of packets larger than its chunks, each packet starting mid-chunk', () => {
    const packets = Array.from({ length: 300 }, (_, index) =>
      encode(
        {
          type: 'publish',
          topic: `t/${index}`,
          payload: new Uint8Array(1_000 + index).fill(index & 0xff),
          qos: 0,
          retain: false,
          dup: false,
        },
        4,
      ),
    );
    const stream = new Uint8Array(packets.reduce((total, packet) => total + packet.length, 0));
    let offset = 0;
    for (const packet of packets) {
      stream.set(packet, offset);
      offset += packet.length;
    }
    const decoder = createDecoder({ protocolVersion: 4 });
    const decoded: Extract<Packet, { type: 'publish' }>[] = [];
    for (let start = 0; start < stream.length; start += 97) {
      decoder.push(stream.subarray(start, start + 97));
      for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
        decoded.push(packet as Extract<Packet, { type: 'publish' }>);
      }
    }
    expect(decoder.bufferedBytes).toBe(0);
    expect(decoded.map((packet) => packet.topic)).toEqual(packets.map((_, index) => `t/${index}`));
    for (const [index, packet] of decoded.entries()) {
      expect(packet.payload.length).toBe(1_000 + index);
      expect(packet.payload.every((byte) => byte === (index & 0xff))).toBe(true);
    }
  });

  it('throws MQTT_INVALID_ARGUMENT for bad options and non-byte input', () => {
    const invalid = expect.objectContaining({ code: 'MQTT_INVALID_ARGUMENT' });
    expect(() => createDecoder({ protocolVersion: 6 as 5 })).toThrowError(invalid);
    expect(() => createDecoder({ maximumPacketSize: 1 })).toThrowError(invalid);
    expect(() => createDecoder({ maximumPacketSize: 1.5 })).toThrowError(invalid);
    expect(() => createDecoder({ maximumPacketSize: 268_435_461 })).toThrowError(invalid);
    expect(() => createDecoder().push('c000' as unknown as Uint8Array)).toThrowError(invalid);
  });
});

describe('createDecoder fault containment', () => {
  it('wraps an unexpected internal fault in a MalformedPacketError', () => {
    const faulty = new Proxy(hex('c0 00'), {
      get(target, property) {
        if (property === '0') throw new TypeError('fault');
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function'
          ? (value as (...parameters: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const decoder = createDecoder({ protocolVersion: 4 });
    decoder.push(faulty);
    expect(() => decoder.next()).toThrowError(
      expect.objectContaining({ code: 'MQTT_MALFORMED_PACKET', cause: expect.any(TypeError) }),
    );
  });
});
