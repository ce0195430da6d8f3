import { encode } from '@mqttkit/codec';
import { FrameReader } from './frame-reader.js';
import type { Frame } from './frame-reader.js';
import { connectLoadClient, PacketNumber } from './load-client.js';
import type { LoadClient } from './load-client.js';
import { measureWindow } from './measure-window.js';
import type { Scenario } from './scenario.js';

const publishers = 4;
const window = 64;
const topic = 'bench/qos1';
const pubackSize = 4;

/**
 * Collects packet ids during one chunk of input and acts on all of them in one write, queued as a
 * microtask so it runs once the reader has walked the whole chunk.
 */
class IdBatch {
  private readonly ids = new Uint16Array(65_536);
  private size = 0;

  constructor(private readonly flush: (ids: Uint16Array, size: number) => void) {}

  add(id: number): void {
    if (this.size === 0) queueMicrotask(() => this.run());
    this.ids[this.size] = id;
    this.size += 1;
  }

  private run(): void {
    const size = this.size;
    this.size = 0;
    this.flush(this.ids, size);
  }
}

function packetIdOfPublish(frame: Frame): number {
  const body = frame.body!;
  const offset = frame.bodyOffset;
  const topicLength = (body[offset]! << 8) | body[offset + 1]!;
  return (body[offset + 2 + topicLength]! << 8) | body[offset + 3 + topicLength]!;
}

/** Keeps a window of QoS 1 messages in flight per publisher, resending a packet id as soon as it is acked. */
async function startPublisher(port: number, index: number, onAck: () => void): Promise<LoadClient> {
  const packets = Array.from({ length: window }, (_, offset) =>
    encode(
      {
        type: 'publish',
        topic,
        payload: new Uint8Array(16),
        qos: 1,
        retain: false,
        dup: false,
        packetId: offset + 1,
      },
      4,
    ),
  );
  const packetSize = packets[0]!.length;
  let running = true;
  const resend = new IdBatch((ids, size) => {
    if (!running) return;
    const bytes = Buffer.allocUnsafe(size * packetSize);
    for (let position = 0; position < size; position += 1)
      bytes.set(packets[ids[position]! - 1]!, position * packetSize);
    client.socket.write(bytes);
  });
  const client = await connectLoadClient({
    port,
    clientId: `qos1-publisher-${index}`,
    bodyTypes: FrameReader.types(PacketNumber.puback),
    onPacket: (frame) => {
      if (frame.header >> 4 !== PacketNumber.puback) return;
      onAck();
      resend.add((frame.body![frame.bodyOffset]! << 8) | frame.body![frame.bodyOffset + 1]!);
    },
  });
  client.socket.once('close', () => (running = false));
  client.socket.write(Buffer.concat(packets));
  return client;
}

/** Publishers keep 64 QoS 1 messages in flight each; one QoS 1 subscriber acknowledges what it gets. */
export const qos1Scenario: Scenario = {
  id: 'qos1',
  title: `QoS 1: ${publishers} publishers × window ${window} → 1 QoS 1 subscriber`,
  async run(broker, options) {
    let acked = 0;
    const acknowledge = new IdBatch((ids, size) => {
      const bytes = Buffer.allocUnsafe(size * pubackSize);
      for (let position = 0; position < size; position += 1) {
        const id = ids[position]!;
        bytes.writeUInt32BE(0x40020000 | id, position * pubackSize);
      }
      subscriber.socket.write(bytes);
    });
    const subscriber = await connectLoadClient({
      port: broker.port,
      clientId: 'qos1-subscriber',
      bodyTypes: FrameReader.types(PacketNumber.publish),
      onPacket: (frame) => {
        if (frame.header >> 4 !== PacketNumber.publish) return;
        if ((frame.header & 0x06) !== 0) acknowledge.add(packetIdOfPublish(frame));
      },
    });
    const clients: LoadClient[] = [subscriber];
    try {
      await subscriber.subscribe(topic, 1);
      for (let index = 0; index < publishers; index += 1) {
        clients.push(await startPublisher(broker.port, index, () => (acked += 1)));
      }
      const result = await measureWindow(broker, options, () => acked);
      return {
        metrics: [{ label: 'acked', unit: 'msg/s', higherIsBetter: true, value: result.rate }],
        brokerCpu: result.brokerCpu,
        loadCpu: result.loadCpu,
      };
    } finally {
      for (const client of clients) client.close();
    }
  },
};
