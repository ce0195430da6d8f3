// MQTT 3.1.1 section 2.3.1: Packet Identifiers. Non-zero where required, absent on QoS 0, echoed
// by every acknowledgement, unique among the broker's own unacknowledged messages and kept on resend.
import { describe, expect, it } from 'vitest';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  drop,
  fence,
  leave,
  publishPacket,
  rawClient,
  sessionPresent,
  splitFrames,
  subscribe,
  subscription,
  afterConnack,
} from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 section 2.3 packet identifier', () => {
  it('[MQTT-2.3.1-1] closes the connection on a QoS 1 PUBLISH with Packet Identifier 0, without a PUBACK', async () => {
    const body = [...mqttString('id/zero'), 0, 0, 0x78];
    expect(await afterConnack(running.port, 'id-zero-publish', frame(0x32, body))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.3.1-1] closes the connection on a QoS 2 PUBLISH with Packet Identifier 0, without a PUBREC', async () => {
    const body = [...mqttString('id/zero'), 0, 0, 0x78];
    expect(await afterConnack(running.port, 'id-zero-publish-2', frame(0x34, body))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.3.1-1] closes the connection on a SUBSCRIBE with Packet Identifier 0, without a SUBACK', async () => {
    const body = [0, 0, ...mqttString('id/zero'), 0];
    expect(await afterConnack(running.port, 'id-zero-subscribe', frame(0x82, body))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.3.1-1] closes the connection on an UNSUBSCRIBE with Packet Identifier 0, without an UNSUBACK', async () => {
    const body = [0, 0, ...mqttString('id/zero')];
    expect(await afterConnack(running.port, 'id-zero-unsubscribe', frame(0xa2, body))).toEqual(
      Buffer.alloc(0),
    );
  });

  it('[MQTT-2.3.1-1] gives its first QoS 1 and QoS 2 PUBLISH packets to a new session non-zero Packet Identifiers', async () => {
    const subscriber = await rawClient(running.port, 4, 'id-nonzero-subscriber');
    await subscribe(subscriber, [['id/nonzero/#', 2]], { packetId: 1 });
    const sender = await rawClient(running.port, 4, 'id-nonzero-sender');
    sender.send(publishPacket('id/nonzero/one', 'one', { qos: 1, packetId: 1 }));
    sender.send(publishPacket('id/nonzero/two', 'two', { qos: 2, packetId: 2 }));
    await subscriber.next('publish', 1);
    // Bytes 2-3 after the topic: read them from the wire, not from the decoder.
    const publishes = splitFrames(subscriber.received()).filter((packet) => packet[0]! >> 4 === 0x3);
    const ids = publishes.map((packet) => {
      const topicEnd = 2 + 2 + packet.readUInt16BE(2);
      return packet.readUInt16BE(topicEnd);
    });
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).not.toBe(0);
    await drop(subscriber);
    await leave(sender);
  });

  it('[MQTT-2.3.1-4] gives its unacknowledged QoS 1 and 2 PUBLISH packets distinct non-zero identifiers and resends them with the same identifiers', async () => {
    const clientId = 'id-server-unique';
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [['id/unique/#', 2]], { packetId: 1 });
    const sender = await rawClient(running.port, 4, 'id-unique-sender');
    for (const [index, qos] of [1, 2, 1, 2].entries()) {
      sender.send(
        publishPacket(`id/unique/${index}`, String(index), { qos: qos as 1 | 2, packetId: index + 1 }),
      );
    }
    await sender.next('puback', 1);
    await sender.next('pubrec', 1);
    const sent = await Promise.all([0, 1, 2, 3].map((index) => first.next('publish', index)));
    const ids = sent.map((publish) => publish.packetId!);
    for (const id of ids) expect(id).toBeGreaterThan(0);
    expect(new Set(ids).size).toBe(4);
    await drop(first);

    const again = await rawClient(running.port, 4, clientId, { clean: false });
    expect(sessionPresent(again)).toBe(true);
    const resent = await Promise.all([0, 1, 2, 3].map((index) => again.next('publish', index)));
    expect(resent.map((publish) => [publish.topic, publish.packetId, publish.dup])).toEqual(
      sent.map((publish) => [publish.topic, publish.packetId, true]),
    );
    for (const publish of resent) {
      if (publish.qos === 1) again.send({ type: 'puback', packetId: publish.packetId! });
      else again.send({ type: 'pubrec', packetId: publish.packetId! });
    }
    await again.next('pubrel', 1);
    for (const publish of resent) {
      if (publish.qos === 2) again.send({ type: 'pubcomp', packetId: publish.packetId! });
    }
    await fence(again);
    await Promise.all([leave(again), leave(sender)]);
  });

  it('[MQTT-2.3.1-5] sends a QoS 0 PUBLISH without a Packet Identifier', async () => {
    const subscriber = await rawClient(running.port, 4, 'id-qos0-subscriber');
    await subscribe(subscriber, [['id/qos0', 0]], { packetId: 1 });
    const sender = await rawClient(running.port, 4, 'id-qos0-sender');
    sender.send(publishPacket('id/qos0', 'xy', { qos: 1, packetId: 9 }));
    await subscriber.next('publish');
    const packets = splitFrames(subscriber.received());
    // CONNACK, SUBACK, then the PUBLISH: topic length, topic and payload only.
    expect(packets[2]).toEqual(frame(0x30, [...mqttString('id/qos0'), 0x78, 0x79]));
    await Promise.all([leave(subscriber), leave(sender)]);
  });

  it('[MQTT-2.3.1-6] answers PUBLISH with PUBACK and PUBREC carrying its Packet Identifier, and sends PUBREL with the identifier of its own PUBLISH', async () => {
    const raw = await rawClient(running.port, 4, 'id-acks');
    await subscribe(raw, [['id/acks/two', 2]], { packetId: 1 });
    raw.send(publishPacket('id/acks/one', 'one', { qos: 1, packetId: 0x1234 }));
    await raw.next('puback');
    raw.send(publishPacket('id/acks/two', 'two', { qos: 2, packetId: 0xabcd }));
    await raw.next('pubrec');
    raw.send({ type: 'pubrel', packetId: 0xabcd });
    await raw.next('pubcomp');
    const delivered = await raw.next('publish');
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    await raw.next('pubrel');
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await fence(raw);
    const packets = splitFrames(raw.received());
    const id = delivered.packetId!;
    expect(packets.find((packet) => packet[0] === 0x40)).toEqual(Buffer.from([0x40, 2, 0x12, 0x34]));
    expect(packets.find((packet) => packet[0] === 0x50)).toEqual(Buffer.from([0x50, 2, 0xab, 0xcd]));
    expect(packets.find((packet) => packet[0] === 0x70)).toEqual(Buffer.from([0x70, 2, 0xab, 0xcd]));
    expect(packets.find((packet) => packet[0] === 0x62)).toEqual(Buffer.from([0x62, 2, id >> 8, id & 0xff]));
    await leave(raw);
  });

  it('[MQTT-2.3.1-7] answers SUBSCRIBE and UNSUBSCRIBE with SUBACK and UNSUBACK echoing their Packet Identifiers', async () => {
    const raw = await rawClient(running.port, 4, 'id-subacks');
    raw.send({ type: 'subscribe', packetId: 0xfedc, subscriptions: [subscription('id/sub', 1)] });
    raw.send({ type: 'unsubscribe', packetId: 0x0102, topicFilters: ['id/sub'] });
    await raw.next('unsuback');
    const packets = splitFrames(raw.received());
    expect(packets.slice(1)).toEqual([
      Buffer.from([0x90, 3, 0xfe, 0xdc, 0x01]),
      Buffer.from([0xb0, 2, 0x01, 0x02]),
    ]);
    await leave(raw);
  });
});
