// The three workloads of the benchmark, built once, in both packet models.
import mqttPacket from 'mqtt-packet';
import type { Packet, ProtocolVersion } from '@mqttkit/codec';

export interface Workload {
  readonly name: string;
  readonly protocolVersion: ProtocolVersion;
  /** Our packets, encoded by `encode`. */
  readonly packets: Packet[];
  /** The same packets in mqtt-packet's model, encoded by `generate`. */
  readonly incumbentPackets: mqttPacket.Packet[];
  /** The encoded stream, split into the chunks both decoders are fed. */
  readonly chunks: Uint8Array[];
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 0x1_0000_0000;
  };
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

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

const smallPayload = new Uint8Array(16).fill(0x61);
const kilobytePayload = new Uint8Array(1024).fill(0x62);

export function smallPublish(): Workload {
  const packet: Packet = {
    type: 'publish',
    topic: 'sensors/kitchen/temperature',
    payload: smallPayload,
    qos: 0,
    retain: false,
    dup: false,
  };
  const incumbent = {
    cmd: 'publish',
    topic: 'sensors/kitchen/temperature',
    payload: toBuffer(smallPayload),
    qos: 0,
    retain: false,
    dup: false,
  } as mqttPacket.IPublishPacket;
  return {
    name: 'QoS 0 PUBLISH, 16-byte payload, 3.1.1',
    protocolVersion: 4,
    packets: [packet],
    incumbentPackets: [incumbent],
    chunks: [new Uint8Array(mqttPacket.generate(incumbent, { protocolVersion: 4 }))],
  };
}

export function kilobytePublish(): Workload {
  const packet: Packet = {
    type: 'publish',
    topic: 'sensors/kitchen/temperature',
    payload: kilobytePayload,
    qos: 1,
    retain: false,
    dup: false,
    packetId: 42,
    properties: {
      userProperties: [
        ['source', 'bench'],
        ['unit', 'celsius'],
      ],
    },
  };
  const incumbent = {
    cmd: 'publish',
    topic: 'sensors/kitchen/temperature',
    payload: toBuffer(kilobytePayload),
    qos: 1,
    retain: false,
    dup: false,
    messageId: 42,
    properties: { userProperties: { source: 'bench', unit: 'celsius' } },
  } as mqttPacket.IPublishPacket;
  return {
    name: 'QoS 1 PUBLISH, 1 KiB payload, MQTT 5, two user properties',
    protocolVersion: 5,
    packets: [packet],
    incumbentPackets: [incumbent],
    chunks: [new Uint8Array(mqttPacket.generate(incumbent, { protocolVersion: 5 }))],
  };
}

/** 10,000 packets of the kinds a broker sees most, 3.1.1, cut at random points into 1 to 1,500-byte chunks. */
export function mixedStream(): Workload {
  const next = random(2_024);
  const packets: Packet[] = [];
  const incumbentPackets: mqttPacket.Packet[] = [];
  for (let index = 0; index < 10_000; index++) {
    const packetId = (index % 65_535) + 1;
    const kind = index % 8;
    if (kind < 4) {
      const qos = (kind % 3) as 0 | 1 | 2;
      const payload = new Uint8Array(Math.floor(next() * 256)).fill(0x63);
      const topic = `devices/${index % 97}/telemetry`;
      packets.push(
        qos === 0
          ? { type: 'publish', topic, payload, qos, retain: false, dup: false }
          : { type: 'publish', topic, payload, qos, retain: false, dup: false, packetId },
      );
      incumbentPackets.push({
        cmd: 'publish',
        topic,
        payload: toBuffer(payload),
        qos,
        retain: false,
        dup: false,
        ...(qos === 0 ? {} : { messageId: packetId }),
      } as mqttPacket.IPublishPacket);
    } else if (kind === 4) {
      packets.push({ type: 'puback', packetId });
      incumbentPackets.push({ cmd: 'puback', messageId: packetId });
    } else if (kind === 5) {
      packets.push({
        type: 'subscribe',
        packetId,
        subscriptions: [
          {
            topicFilter: `devices/${index % 97}/#`,
            qos: 1,
            noLocal: false,
            retainAsPublished: false,
            retainHandling: 0,
          },
        ],
      });
      incumbentPackets.push({
        cmd: 'subscribe',
        messageId: packetId,
        subscriptions: [{ topic: `devices/${index % 97}/#`, qos: 1 }],
      });
    } else if (kind === 6) {
      packets.push({ type: 'pingreq' });
      incumbentPackets.push({ cmd: 'pingreq' });
    } else {
      packets.push({ type: 'pubrel', packetId });
      incumbentPackets.push({ cmd: 'pubrel', messageId: packetId });
    }
  }
  const stream = concat(
    incumbentPackets.map((packet) => new Uint8Array(mqttPacket.generate(packet, { protocolVersion: 4 }))),
  );
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < stream.length;) {
    const size = 1 + Math.floor(next() * 1_500);
    chunks.push(toBuffer(stream.subarray(offset, offset + size)));
    offset += size;
  }
  return {
    name: '10,000 mixed packets, random chunks',
    protocolVersion: 4,
    packets,
    incumbentPackets,
    chunks,
  };
}
