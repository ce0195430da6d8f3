// MQTT 5.0 section 2.2, the variable header: packet identifiers (none at QoS 0, non-zero and
// unused for the broker's own, echoed in acknowledgements) and the property length.
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { Publish } from '@mqttkit/codec';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  disconnectBytes,
  drop,
  fence,
  leave,
  misbehave,
  splitFrames,
  subscribe,
  subscription,
} from '../support/raw-client.js';

// No CONNACK properties at all: receive maximum 65,535 and no topic aliases are the spec defaults.
const running = brokerForFile({ capabilities: { receiveMaximum: 65_535, topicAliasMaximum: 0 } });

const publish = (topic: string, qos: 0 | 1 | 2, packetId?: number): Publish => ({
  type: 'publish',
  topic,
  payload: Buffer.from('p'),
  qos,
  retain: false,
  dup: false,
  ...(packetId === undefined ? {} : { packetId }),
});

describe('MQTT 5.0 section 2.2 packet identifiers', () => {
  it('[MQTT-2.2.1-2] sends a QoS 0 PUBLISH without a packet identifier', async () => {
    const subscriber = await connectRaw(running.port, 5, 'qos0-reader');
    await subscribe(subscriber.raw, [subscription('qos0/topic', 0)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'qos0-writer');
    publisher.raw.send(publish('qos0/topic', 1, 1));
    await publisher.raw.next('puback');
    await subscriber.raw.next('publish');
    const forwarded = splitFrames(subscriber.raw.received()).find((bytes) => bytes[0] === 0x30)!;
    // Topic, property length 0, payload: nothing between the topic and the properties.
    expect(forwarded).toEqual(frame(0x30, [...mqttString('qos0/topic'), 0, 0x70]));
    await leave(subscriber.raw);
    await leave(publisher.raw);
  });

  const zeroIds = [
    ['PUBLISH QoS 1', frame(0x32, [...mqttString('zero'), 0, 0, 0, 0x78])],
    ['PUBLISH QoS 2', frame(0x34, [...mqttString('zero'), 0, 0, 0, 0x78])],
    ['SUBSCRIBE', frame(0x82, [0, 0, 0, ...mqttString('zero'), 0])],
    ['UNSUBSCRIBE', frame(0xa2, [0, 0, 0, ...mqttString('zero')])],
  ] as const;

  it('[MQTT-2.2.1-3] closes with DISCONNECT when a PUBLISH QoS>0, SUBSCRIBE or UNSUBSCRIBE carries packet identifier 0', async () => {
    const outcomes = await Promise.all(
      zeroIds.map(
        async ([name, bytes], index) =>
          [name, await misbehave(running.port, `zero-id-${index}`, [bytes])] as const,
      ),
    );
    for (const [, received] of outcomes) {
      // A Protocol Error or a Malformed Packet: either reason code is the spec's answer.
      expect([
        disconnectBytes(ReasonCode.ProtocolError),
        disconnectBytes(ReasonCode.MalformedPacket),
      ]).toContainEqual(received);
    }
  });

  it('[MQTT-2.2.1-4] gives each unacknowledged QoS 1 and QoS 2 PUBLISH it sends a distinct non-zero packet identifier', async () => {
    const subscriber = await connectRaw(running.port, 5, 'ids-reader');
    await subscribe(subscriber.raw, [subscription('ids/#', 2)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'ids-writer');
    for (let index = 0; index < 10; index += 1) {
      publisher.raw.send(publish(`ids/${index}`, index % 2 === 0 ? 1 : 2, index + 1));
    }
    await subscriber.raw.next('publish', 9);
    const ids = subscriber.raw.packets.flatMap((packet) =>
      packet.type === 'publish' ? [packet.packetId] : [],
    );
    expect(ids.every((id) => id !== undefined && id >= 1 && id <= 0xffff)).toBe(true);
    expect(new Set(ids).size).toBe(10);
    await leave(subscriber.raw);
    publisher.raw.socket.destroy();
  });

  it('[MQTT-2.2.1-4] gives messages queued for a resumed session identifiers other than those of its unacknowledged messages', async () => {
    const options = { clean: false, properties: { sessionExpiryInterval: 60 } } as const;
    const first = await connectRaw(running.port, 5, 'ids-resumed', options);
    await subscribe(first.raw, [subscription('resumed/#', 1)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'ids-resumed-writer');
    for (let index = 0; index < 3; index += 1)
      publisher.raw.send(publish(`resumed/before/${index}`, 1, index + 1));
    await first.raw.next('publish', 2);
    await drop(first.raw);
    for (let index = 0; index < 3; index += 1)
      publisher.raw.send(publish(`resumed/after/${index}`, 1, index + 4));
    await publisher.raw.next('puback', 5);
    const second = await connectRaw(running.port, 5, 'ids-resumed', options);
    await second.raw.next('publish', 5);
    const ids = second.raw.packets.flatMap((packet) => (packet.type === 'publish' ? [packet.packetId] : []));
    expect(new Set(ids).size).toBe(6);
    expect(ids.every((id) => id !== undefined && id >= 1)).toBe(true);
    await leave(second.raw);
    await leave(publisher.raw);
  });

  it('[MQTT-2.2.1-5] answers PUBLISH with PUBACK, PUBREC and PUBCOMP carrying its packet identifier, and sends PUBREL with the identifier of its own PUBLISH', async () => {
    const subscriber = await connectRaw(running.port, 5, 'echo-reader');
    await subscribe(subscriber.raw, [subscription('echo/qos2', 2)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'echo-writer');
    publisher.raw.send(publish('echo/qos1', 1, 0xfffe));
    expect((await publisher.raw.next('puback')).packetId).toBe(0xfffe);
    publisher.raw.send(publish('echo/qos2', 2, 0x0101));
    expect((await publisher.raw.next('pubrec')).packetId).toBe(0x0101);
    publisher.raw.send({ type: 'pubrel', packetId: 0x0101 });
    expect((await publisher.raw.next('pubcomp')).packetId).toBe(0x0101);
    const delivered = await subscriber.raw.next('publish');
    subscriber.raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    expect((await subscriber.raw.next('pubrel')).packetId).toBe(delivered.packetId);
    subscriber.raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await fence(subscriber.raw);
    await leave(subscriber.raw);
    await leave(publisher.raw);
  });

  it('[MQTT-2.2.1-6] answers SUBSCRIBE and UNSUBSCRIBE with SUBACK and UNSUBACK carrying their packet identifiers', async () => {
    const { raw } = await connectRaw(running.port, 5, 'echo-subscriber');
    raw.send({ type: 'subscribe', packetId: 0xffff, subscriptions: [subscription('ack/a', 0)] });
    raw.send({ type: 'subscribe', packetId: 0x1234, subscriptions: [subscription('ack/b', 0)] });
    raw.send({ type: 'unsubscribe', packetId: 7, topicFilters: ['ack/a'] });
    raw.send({ type: 'unsubscribe', packetId: 0x8000, topicFilters: ['ack/b'] });
    await raw.next('unsuback', 1);
    const ids = raw.packets.flatMap((packet) =>
      packet.type === 'suback' || packet.type === 'unsuback' ? [[packet.type, packet.packetId]] : [],
    );
    expect(ids).toEqual([
      ['suback', 0xffff],
      ['suback', 0x1234],
      ['unsuback', 7],
      ['unsuback', 0x8000],
    ]);
    await leave(raw);
  });
});

describe('MQTT 5.0 section 2.2 properties', () => {
  it('[MQTT-2.2.2-1] writes Property Length 0 in CONNACK, SUBACK, UNSUBACK and PUBLISH that carry no properties', async () => {
    const subscriber = await connectRaw(running.port, 5, 'no-properties');
    await subscribe(subscriber.raw, [subscription('bare/topic', 1)], { packetId: 0x0102 });
    const publisher = await connectRaw(running.port, 5, 'no-properties-writer');
    publisher.raw.send(publish('bare/topic', 0));
    await subscriber.raw.next('publish');
    subscriber.raw.send({ type: 'unsubscribe', packetId: 0x0103, topicFilters: ['bare/topic'] });
    await subscriber.raw.next('unsuback');
    expect(splitFrames(subscriber.raw.received())).toEqual([
      Buffer.from([0x20, 3, 0, 0, 0]),
      Buffer.from([0x90, 4, 1, 2, 0, 1]),
      frame(0x30, [...mqttString('bare/topic'), 0, 0x70]),
      Buffer.from([0xb0, 4, 1, 3, 0, 0]),
    ]);
    await leave(subscriber.raw);
    await leave(publisher.raw);
  });

  it('[MQTT-2.2.2-1] answers a PUBLISH that leaves out its Property Length with DISCONNECT 0x81', async () => {
    // Topic "t" and nothing after it: the property length is missing.
    const received = await misbehave(running.port, 'missing-property-length', [
      frame(0x30, [...mqttString('t')]),
    ]);
    expect(received).toEqual(disconnectBytes(ReasonCode.MalformedPacket));
  });

  it('[MQTT-2.2.2-1] answers a SUBSCRIBE that leaves out its Property Length with DISCONNECT 0x81', async () => {
    // Packet id 1, then the topic filter straight away: its length byte 0 is read as the property
    // length, and the rest is no valid filter list.
    const received = await misbehave(running.port, 'missing-subscribe-properties', [
      frame(0x82, [0, 1, ...mqttString('ab'), 0]),
    ]);
    expect(received).toEqual(disconnectBytes(ReasonCode.MalformedPacket));
  });
});
