// `pnpm bench`: our codec against mqtt-packet on the workloads of issue 2. vitest prints ops/s for
// both and, under each group, how many times faster the winner is.
import { bench, describe } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { createDecoder, encode } from '@mqttkit/codec';
import { kilobytePublish, mixedStream, smallPublish } from './workloads.js';
import type { Workload } from './workloads.js';

const options = { time: 1_000, warmupTime: 300 };

/**
 * Single-packet cases run this many packets per benchmark iteration, so the harness's per-iteration
 * timing cost does not swamp sub-microsecond work: multiply the printed hz by it for packets/s.
 */
const packetsPerIteration = 100;

/**
 * A single-packet workload reuses one decoder and one parser, as a connection does; the mixed
 * stream starts both afresh each run, so its figures include creating them.
 */
function decodeBenchmarks(workload: Workload): void {
  const reuse = workload.packets.length === 1;
  const single = workload.chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  const chunks = reuse ? Array.from({ length: packetsPerIteration }, () => single[0]!) : single;
  const expected = reuse ? packetsPerIteration : workload.packets.length;
  const sharedDecoder = createDecoder({ protocolVersion: workload.protocolVersion });
  const sharedParser = mqttPacket.parser({ protocolVersion: workload.protocolVersion });
  let parsed = 0;
  sharedParser.on('packet', () => {
    parsed += 1;
  });
  describe(`decode: ${workload.name}${reuse ? `, ${packetsPerIteration} per iteration` : ''}`, () => {
    bench(
      '@mqttkit/codec',
      () => {
        const decoder = reuse ? sharedDecoder : createDecoder({ protocolVersion: workload.protocolVersion });
        let count = 0;
        for (const chunk of chunks) {
          decoder.push(chunk);
          while (decoder.next() !== undefined) count += 1;
        }
        if (count !== expected) throw new Error(`decoded ${count} of ${expected}`);
      },
      options,
    );
    bench(
      'mqtt-packet',
      () => {
        let parser = sharedParser;
        if (!reuse) {
          parser = mqttPacket.parser({ protocolVersion: workload.protocolVersion });
          parser.on('packet', () => {
            parsed += 1;
          });
        }
        parsed = 0;
        for (const chunk of chunks) parser.parse(chunk);
        if (parsed !== expected) throw new Error(`decoded ${parsed} of ${expected}`);
      },
      options,
    );
  });
}

function encodeBenchmarks(workload: Workload): void {
  const { protocolVersion } = workload;
  const repeat = workload.packets.length === 1 ? packetsPerIteration : 1;
  const packets = Array.from({ length: repeat }, () => workload.packets).flat();
  const incumbentPackets = Array.from({ length: repeat }, () => workload.incumbentPackets).flat();
  describe(`encode: ${workload.name}${repeat > 1 ? `, ${repeat} per iteration` : ''}`, () => {
    bench(
      '@mqttkit/codec',
      () => {
        for (const packet of packets) encode(packet, protocolVersion);
      },
      options,
    );
    bench(
      'mqtt-packet',
      () => {
        for (const packet of incumbentPackets) mqttPacket.generate(packet, { protocolVersion });
      },
      options,
    );
  });
}

for (const workload of [smallPublish(), kilobytePublish(), mixedStream()]) {
  decodeBenchmarks(workload);
  encodeBenchmarks(workload);
}
