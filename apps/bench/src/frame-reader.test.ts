import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import type { Packet } from '@mqttkit/codec';
import { FrameReader } from './frame-reader.js';

const packets: Packet[] = [
  { type: 'connack', sessionPresent: false, reasonCode: 0 },
  { type: 'publish', topic: 'a/b', payload: new Uint8Array([1, 2, 3]), qos: 0, retain: false, dup: false },
  {
    type: 'publish',
    topic: 'bench/qos1',
    payload: new Uint8Array(300).fill(7),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 513,
  },
  { type: 'puback', packetId: 65_535 },
  { type: 'pingresp' },
  { type: 'suback', packetId: 1, reasonCodes: [0] },
];

function read(
  stream: Buffer,
  cuts: number[],
  bodyTypes: number,
): { header: number; body: string | undefined }[] {
  const frames: { header: number; body: string | undefined }[] = [];
  const reader = new FrameReader(bodyTypes, (frame) => {
    const body = frame.body?.subarray(frame.bodyOffset, frame.bodyOffset + frame.bodyLength).toString('hex');
    frames.push({ header: frame.header, body });
  });
  let start = 0;
  for (const cut of [...new Set(cuts)].sort((left, right) => left - right)) {
    reader.push(stream.subarray(start, cut));
    start = cut;
  }
  reader.push(stream.subarray(start));
  return frames;
}

describe('FrameReader', () => {
  it('splits a stream into the same frames however it is chunked', () => {
    const encoded = packets.map((packet) => Buffer.from(encode(packet, 4)));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: packets.length - 1 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (order, rawCuts) => {
          const stream = Buffer.concat(order.map((index) => encoded[index]!));
          const cuts = rawCuts.map((cut) => cut % (stream.length + 1));
          const frames = read(stream, cuts, FrameReader.types(3, 4));
          expect(frames.map((frame) => frame.header)).toEqual(order.map((index) => encoded[index]![0]));
          frames.forEach((frame, position) => {
            const bytes = encoded[order[position]!]!;
            const type = bytes[0]! >> 4;
            const bodyLength = bytes.length - (bytes[1]! >= 0x80 ? 3 : 2);
            expect(frame.body).toBe(
              type === 3 || type === 4
                ? bytes.subarray(bytes.length - bodyLength).toString('hex')
                : undefined,
            );
          });
        },
      ),
      { seed: 6, numRuns: 300 },
    );
  });

  it('builds type masks from packet type numbers', () => {
    expect(FrameReader.types(3, 4)).toBe(0b11000);
  });
});
