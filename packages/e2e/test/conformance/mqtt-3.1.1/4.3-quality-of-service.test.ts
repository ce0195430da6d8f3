// MQTT 3.1.1 section 4.3, the QoS 0, 1 and 2 flows with the broker as sender and as receiver,
// byte by byte over raw connections.
import { describe, expect, it } from 'vitest';
import { brokerForFile } from '../support/file-broker.js';
import {
  connackLength,
  fence,
  leave,
  payloads,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';

const running = brokerForFile();

const connect = (prefix: string) => rawClient(running.port, 4, uniqueId(`c311b-4.3-${prefix}`));

describe('MQTT 3.1.1 4.3 quality of service', () => {
  it('[MQTT-4.3.1-1] sends a QoS 0 message as a PUBLISH with QoS 0 and DUP 0', async () => {
    const subscriber = await connect('qos0');
    await subscribe(subscriber, [['qos0/a', 2]]);
    const publisher = await connect('qos0-publisher');
    publisher.send(publishPacket('qos0/a', 'x'));
    await subscriber.next('publish');
    // After CONNACK and SUBACK: PUBLISH, flags 0000, no packet id.
    expect(subscriber.received().subarray(connackLength + 5)).toEqual(
      Buffer.from([0x30, 9, 0, 6, ...Buffer.from('qos0/a'), 0x78]),
    );
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-4.3.2-1] gives each QoS 1 message a new packet id, QoS 1 and DUP 0, and keeps it until PUBACK', async () => {
    const subscriber = await connect('qos1-sender');
    await subscribe(subscriber, [['qos1s/a', 1]]);
    const publisher = await connect('qos1-sender-publisher');
    for (let index = 1; index <= 3; index += 1)
      publisher.send(publishPacket('qos1s/a', String(index), { qos: 1, packetId: index }));
    await subscriber.next('publish', 2);
    const sent = publishes(subscriber);
    expect(sent.map((packet) => [packet.qos, packet.dup])).toEqual([
      [1, false],
      [1, false],
      [1, false],
    ]);
    const ids = sent.map((packet) => packet.packetId!);
    expect(new Set(ids).size).toBe(3);
    expect(ids.every((id) => id > 0 && id <= 0xffff)).toBe(true);
    // Acknowledging frees the id; the unacknowledged ones stay in use.
    subscriber.send({ type: 'puback', packetId: ids[0]! });
    publisher.send(publishPacket('qos1s/a', '4', { qos: 1, packetId: 4 }));
    const fourth = await subscriber.next('publish', 3);
    expect(ids.slice(1)).not.toContain(fourth.packetId);
    for (const id of [...ids.slice(1), fourth.packetId!]) subscriber.send({ type: 'puback', packetId: id });
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-4.3.2-2] answers a QoS 1 PUBLISH with PUBACK and treats a later PUBLISH with the same id as a new message, DUP or not', async () => {
    const subscriber = await connect('qos1-receiver-subscriber');
    await subscribe(subscriber, [['qos1r/a', 0]]);
    const publisher = await connect('qos1-receiver');
    publisher.send(publishPacket('qos1r/a', 'first', { qos: 1, packetId: 42 }));
    expect(await publisher.next('puback')).toEqual({ type: 'puback', packetId: 42 });
    publisher.send(publishPacket('qos1r/a', 'second', { qos: 1, packetId: 42, dup: true }));
    expect(await publisher.next('puback', 1)).toEqual({ type: 'puback', packetId: 42 });
    publisher.send(publishPacket('qos1r/a', 'third', { qos: 1, packetId: 42 }));
    await publisher.next('puback', 2);
    await subscriber.next('publish', 2);
    expect(payloads(subscriber)).toEqual(['first', 'second', 'third']);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-4.3.3-1] sends a QoS 2 message with a new id and DUP 0, then PUBREL with that id after PUBREC, and never the PUBLISH again', async () => {
    const subscriber = await connect('qos2-sender');
    await subscribe(subscriber, [['qos2s/a', 2]]);
    const publisher = await connect('qos2-sender-publisher');
    publisher.send(publishPacket('qos2s/a', 'one', { qos: 2, packetId: 1 }));
    publisher.send(publishPacket('qos2s/a', 'two', { qos: 2, packetId: 2 }));
    await subscriber.next('publish', 1);
    const [one, two] = publishes(subscriber);
    expect([one!.qos, one!.dup, two!.qos, two!.dup]).toEqual([2, false, 2, false]);
    expect(one!.packetId).not.toBe(two!.packetId);
    subscriber.send({ type: 'pubrec', packetId: one!.packetId! });
    expect(await subscriber.next('pubrel')).toEqual({ type: 'pubrel', packetId: one!.packetId });
    // PUBREL is repeated for a repeated PUBREC; the PUBLISH is not.
    subscriber.send({ type: 'pubrec', packetId: one!.packetId! });
    expect(await subscriber.next('pubrel', 1)).toEqual({ type: 'pubrel', packetId: one!.packetId });
    subscriber.send({ type: 'pubcomp', packetId: one!.packetId! });
    subscriber.send({ type: 'pubrec', packetId: two!.packetId! });
    await subscriber.next('pubrel', 2);
    subscriber.send({ type: 'pubcomp', packetId: two!.packetId! });
    await fence(subscriber);
    expect(publishes(subscriber)).toHaveLength(2);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-4.3.3-2] answers a QoS 2 PUBLISH and its repeats with PUBREC, forwards it once, answers PUBREL with PUBCOMP, then takes the id as new', async () => {
    const subscriber = await connect('qos2-receiver-subscriber');
    await subscribe(subscriber, [['qos2r/a', 2]]);
    const publisher = await connect('qos2-receiver');
    publisher.send(publishPacket('qos2r/a', 'first', { qos: 2, packetId: 7 }));
    expect(await publisher.next('pubrec')).toEqual({ type: 'pubrec', packetId: 7 });
    publisher.send(publishPacket('qos2r/a', 'first', { qos: 2, packetId: 7, dup: true }));
    expect(await publisher.next('pubrec', 1)).toEqual({ type: 'pubrec', packetId: 7 });
    publisher.send({ type: 'pubrel', packetId: 7 });
    expect(await publisher.next('pubcomp')).toEqual({ type: 'pubcomp', packetId: 7 });
    publisher.send(publishPacket('qos2r/a', 'second', { qos: 2, packetId: 7 }));
    await publisher.next('pubrec', 2);
    publisher.send({ type: 'pubrel', packetId: 7 });
    await publisher.next('pubcomp', 1);
    for (let index = 0; index < 2; index += 1) {
      const delivered = await subscriber.next('publish', index);
      subscriber.send({ type: 'pubrec', packetId: delivered.packetId! });
      await subscriber.next('pubrel', index);
      subscriber.send({ type: 'pubcomp', packetId: delivered.packetId! });
    }
    await fence(subscriber);
    expect(payloads(subscriber)).toEqual(['first', 'second']);
    await leave(subscriber);
    await leave(publisher);
  });
});
