// Property tests (seeded): encode → decode is the identity, any chunking decodes the same packets,
// and no byte sequence makes the decoder throw anything but an MqttError or loop forever.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MqttError, createDecoder, encode } from '@mqttkit/codec';
import type { Packet, ProtocolVersion } from '@mqttkit/codec';
import { packetArbitrary, protocolVersions } from './packet-arbitraries.js';

const seed = 20_241_122;

function decodeChunks(chunks: Uint8Array[], protocolVersion: ProtocolVersion | undefined): Packet[] {
  const decoder = createDecoder(protocolVersion === undefined ? {} : { protocolVersion });
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    decoder.push(chunk);
    for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) packets.push(packet);
  }
  expect(decoder.bufferedBytes).toBe(0);
  return packets;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Feeds bytes until the decoder throws or runs dry; only MqttErrors may escape. */
function feed(chunks: Uint8Array[], protocolVersion: ProtocolVersion | undefined): void {
  const decoder = createDecoder(protocolVersion === undefined ? {} : { protocolVersion });
  try {
    for (const chunk of chunks) {
      decoder.push(chunk);
      let guard = 0;
      while (decoder.next() !== undefined) {
        guard += 1;
        if (guard > chunk.length + 1) throw new Error('decoder yields more packets than bytes');
      }
    }
  } catch (error) {
    if (!MqttError.isInstance(error)) throw error;
  }
}

describe.each(protocolVersions.map((version) => [version]))('MQTT level %i', (version) => {
  it('decodes every encoded packet to an equal packet', () => {
    fc.assert(
      fc.property(packetArbitrary(version), (packet) => {
        expect(decodeChunks([encode(packet, version)], version)).toEqual([packet]);
      }),
      { seed, numRuns: 1_500 },
    );
  });

  it('decodes the same packets however the stream is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(packetArbitrary(version), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (packets, cuts) => {
          const stream = concat(packets.map((packet) => encode(packet, version)));
          expect(decodeChunks(split(stream, cuts), version)).toEqual(packets);
        },
      ),
      { seed, numRuns: 400 },
    );
  });

  it('throws only MqttErrors for valid packets with corrupted bytes', () => {
    fc.assert(
      fc.property(
        packetArbitrary(version),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (packet, edits, cuts) => {
          const bytes = encode(packet, version).slice();
          for (const [position, value] of edits) bytes[position % bytes.length] = value;
          feed(split(bytes, cuts), version);
        },
      ),
      { seed, numRuns: 3_000 },
    );
  });
});

describe('random bytes', () => {
  it('never crash or hang the decoder, whatever the version', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(undefined, 3 as const, 4 as const, 5 as const),
        fc.uint8Array({ maxLength: 96 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (version, bytes, cuts) => {
          feed(split(bytes, cuts), version);
        },
      ),
      { seed, numRuns: 5_000 },
    );
  });

  it('never crash a decoder that learnt its version from a CONNECT', () => {
    fc.assert(
      fc.property(fc.constantFrom(3, 4, 5), fc.uint8Array({ maxLength: 64 }), (level, bytes) => {
        const connect = encode(
          {
            type: 'connect',
            protocolVersion: level as ProtocolVersion,
            clean: true,
            keepAlive: 0,
            clientId: 'c',
          },
          level as ProtocolVersion,
        );
        feed([connect, bytes], undefined);
      }),
      { seed, numRuns: 2_000 },
    );
  });
});
