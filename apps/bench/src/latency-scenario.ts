import { encode } from '@mqttkit/codec';
import { setTimeout as sleep } from 'node:timers/promises';
import { FrameReader } from './frame-reader.js';
import { connectLoadClient, PacketNumber } from './load-client.js';
import type { LoadClient } from './load-client.js';
import type { Scenario } from './scenario.js';

const topic = 'bench/latency';
const payloadSize = 16;

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

function milliseconds(value: number): string {
  return value.toFixed(2);
}

/**
 * One publisher sends QoS 0 messages at a fixed rate with its send time in the payload; one
 * subscriber in the same process records how long each took (same clock, so no skew).
 */
export const latencyScenario: Scenario = {
  id: 'latency',
  title: 'latency: 1 publisher → 1 subscriber, QoS 0, fixed rate',
  forwarder: true,
  async run(broker, options) {
    const samples = new Float64Array(
      Math.ceil((options.latencyRate * (options.duration + options.warmup + 2000)) / 1000),
    );
    let sampleCount = 0;
    let recording = false;
    const clients: LoadClient[] = [];
    try {
      const subscriber = await connectLoadClient({
        port: broker.port,
        clientId: 'latency-subscriber',
        bodyTypes: FrameReader.types(PacketNumber.publish),
        onPacket: (frame) => {
          if (frame.header >> 4 !== PacketNumber.publish || !recording || sampleCount === samples.length)
            return;
          const body = frame.body!;
          const topicLength = (body[frame.bodyOffset]! << 8) | body[frame.bodyOffset + 1]!;
          samples[sampleCount] = performance.now() - body.readDoubleLE(frame.bodyOffset + 2 + topicLength);
          sampleCount += 1;
        },
      });
      clients.push(subscriber);
      await subscriber.subscribe(topic, 0);
      const publisher = await connectLoadClient({ port: broker.port, clientId: 'latency-publisher' });
      clients.push(publisher);
      const template = Buffer.from(
        encode(
          { type: 'publish', topic, payload: new Uint8Array(payloadSize), qos: 0, retain: false, dup: false },
          4,
        ),
      );
      const timestampOffset = template.length - payloadSize;
      const start = performance.now();
      let sent = 0;
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - start) * options.latencyRate) / 1000) - sent;
        if (due <= 0) return;
        const bytes = Buffer.allocUnsafe(due * template.length);
        for (let index = 0; index < due; index += 1) {
          const offset = index * template.length;
          template.copy(bytes, offset);
          bytes.writeDoubleLE(performance.now(), offset + timestampOffset);
        }
        publisher.socket.write(bytes);
        sent += due;
      }, 1);
      try {
        await sleep(options.warmup);
        recording = true;
        await sleep(options.duration);
        recording = false;
      } finally {
        clearInterval(timer);
      }
      const sorted = samples.slice(0, sampleCount).sort();
      const expected = (options.latencyRate * options.duration) / 1000;
      return {
        metrics: [
          { label: 'p50', unit: 'ms', higherIsBetter: false, value: percentile(sorted, 0.5) },
          { label: 'p99', unit: 'ms', higherIsBetter: false, value: percentile(sorted, 0.99) },
        ],
        // The shape of the tail, to tell a broker's own stalls from the machine's (which hit every broker).
        note:
          `${sampleCount} of about ${Math.round(expected)} messages received at ${options.latencyRate} msg/s; ` +
          `p90 ${milliseconds(percentile(sorted, 0.9))}, p99.9 ${milliseconds(percentile(sorted, 0.999))}, ` +
          `max ${milliseconds(sorted[sorted.length - 1] ?? Number.NaN)} ms`,
      };
    } finally {
      for (const client of clients) client.close();
    }
  },
};
