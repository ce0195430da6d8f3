// `pnpm bench` part 2: the same workloads as codec.bench.ts, but our codec and mqtt-packet take
// turns in short rounds and the medians are reported. On a shared machine the load changes between
// vitest's back-to-back runs; alternating rounds see the same load, so the ratio is steadier.
// Prints a Markdown table (packets/s), the one in the package README.
import mqttPacket from 'mqtt-packet';
import { createDecoder, encode } from '@mqttkit/codec';
import { kilobytePublish, mixedStream, smallPublish } from './workloads.js';
import type { Workload } from './workloads.js';

const roundMilliseconds = 100;
const warmupRounds = 4;
const measuredRounds = 15;

interface Case {
  readonly name: string;
  /** Packets handled by one call of `ours` or `theirs`. */
  readonly packets: number;
  readonly ours: () => void;
  readonly theirs: () => void;
}

function decodeCase(workload: Workload): Case {
  const chunks = workload.chunks.map((chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
  const expected = workload.packets.length;
  const reuse = expected === 1;
  const sharedDecoder = createDecoder({ protocolVersion: workload.protocolVersion });
  let parsed = 0;
  const sharedParser = mqttPacket.parser({ protocolVersion: workload.protocolVersion });
  sharedParser.on('packet', () => {
    parsed += 1;
  });
  return {
    name: `decode: ${workload.name}`,
    packets: expected,
    ours: () => {
      const decoder = reuse ? sharedDecoder : createDecoder({ protocolVersion: workload.protocolVersion });
      let count = 0;
      for (const chunk of chunks) {
        decoder.push(chunk);
        while (decoder.next() !== undefined) count += 1;
      }
      if (count !== expected) throw new Error(`decoded ${count} of ${expected}`);
    },
    theirs: () => {
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
  };
}

function encodeCase(workload: Workload): Case {
  const { packets, incumbentPackets, protocolVersion } = workload;
  return {
    name: `encode: ${workload.name}`,
    packets: packets.length,
    ours: () => {
      for (const packet of packets) encode(packet, protocolVersion);
    },
    theirs: () => {
      for (const packet of incumbentPackets) mqttPacket.generate(packet, { protocolVersion });
    },
  };
}

/** Calls per second over one round. */
function round(action: () => void): number {
  const start = performance.now();
  let calls = 0;
  let elapsed = 0;
  do {
    for (let index = 0; index < 16; index++) action();
    calls += 16;
    elapsed = performance.now() - start;
  } while (elapsed < roundMilliseconds);
  return (calls * 1_000) / elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

const workloads = [smallPublish(), kilobytePublish(), mixedStream()];
const cases = workloads.flatMap((workload) => [decodeCase(workload), encodeCase(workload)]);

console.log(
  `Node ${process.version}, ${process.platform} ${process.arch}; medians of ${measuredRounds} alternating rounds\n`,
);
console.log('| case | @mqttkit/codec packets/s | mqtt-packet packets/s | ratio |');
console.log('| --- | ---: | ---: | ---: |');
for (const entry of cases) {
  for (let index = 0; index < warmupRounds; index++) {
    round(entry.ours);
    round(entry.theirs);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  const ratios: number[] = [];
  for (let index = 0; index < measuredRounds; index++) {
    const oursRate = round(entry.ours);
    const theirsRate = round(entry.theirs);
    ours.push(oursRate * entry.packets);
    theirs.push(theirsRate * entry.packets);
    ratios.push(oursRate / theirsRate);
  }
  console.log(
    `| ${entry.name} | ${format(median(ours))} | ${format(median(theirs))} | ${median(ratios).toFixed(2)}× |`,
  );
}
