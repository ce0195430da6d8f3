// MQTT 3.1.1 section 3.3, PUBLISH: the DUP, QoS and RETAIN flags, the topic name, the answers a
// PUBLISH gets and the QoS of a delivery, over raw 3.1.1 connections.
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import type { Hook } from '@mqttkit/contracts';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  fence,
  leave,
  payloads,
  publishBytes,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';

const denyDenied: Hook = {
  name: 'deny-denied',
  authorizePublish: ({ topic }) => (topic.startsWith('denied/') ? { deny: 0x87 } : 'defer'),
};

const running = brokerForFile({ hooks: [denyDenied, allowAll({ logger: { warn: () => {} } })] });

const connect = (prefix: string, clean = true) =>
  rawClient(running.port, 4, uniqueId(`c311b-3.3-${prefix}`), { clean });

describe('MQTT 3.1.1 3.3 PUBLISH', () => {
  it('[MQTT-3.3.1-1] sets DUP on a QoS 1 PUBLISH it re-delivers after the subscriber reconnects', async () => {
    const clientId = uniqueId('c311b-3.3-dup');
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [['dup/one', 1]]);
    const publisher = await connect('dup-publisher');
    publisher.send(publishPacket('dup/one', 'x', { qos: 1, packetId: 3 }));
    const original = await first.next('publish');
    expect(original.dup).toBe(false);
    first.socket.destroy();
    await first.closed;
    const second = await rawClient(running.port, 4, clientId, { clean: false });
    const again = await second.next('publish');
    expect([again.dup, again.packetId, again.qos]).toEqual([true, original.packetId, 1]);
    second.send({ type: 'puback', packetId: again.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-2] sends QoS 0 PUBLISH packets with DUP 0, even for a message that came in with DUP 1', async () => {
    const subscriber = await connect('dup0-subscriber');
    await subscribe(subscriber, [['dup0/#', 0]]);
    const publisher = await connect('dup0-publisher');
    publisher.send(publishPacket('dup0/a', 'a', { qos: 1, dup: true, packetId: 9 }));
    publisher.send(publishPacket('dup0/b', 'b'));
    await subscriber.next('publish', 1);
    expect(publishes(subscriber).map((packet) => [packet.qos, packet.dup])).toEqual([
      [0, false],
      [0, false],
    ]);
    // After CONNACK and the 5-byte SUBACK: type 3, DUP 0, QoS 0, RETAIN 0.
    expect(subscriber.received()[connackLength + 5]).toBe(0x30);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-3] does not copy an incoming DUP flag to the subscriber’s first delivery', async () => {
    const subscriber = await connect('dup-copy-subscriber');
    await subscribe(subscriber, [['dupcopy/#', 1]]);
    const publisher = await connect('dup-copy-publisher');
    publisher.send(publishPacket('dupcopy/a', 'a', { qos: 1, dup: true, packetId: 4 }));
    const delivered = await subscriber.next('publish');
    expect([delivered.qos, delivered.dup]).toEqual([1, false]);
    subscriber.send({ type: 'puback', packetId: delivered.packetId! });
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-4] closes the connection on a PUBLISH with both QoS bits set', async () => {
    const publisher = await connect('qos3');
    publisher.send(frame(0x36, [...mqttString('qos3'), 0, 1, 0x78]));
    expect(await closedAfter(publisher, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.3.1-5] stores a retained message with its QoS and gives it to a later subscriber', async () => {
    const publisher = await connect('retain-store');
    publisher.send(publishPacket('retain5/a', 'kept', { qos: 1, retain: true, packetId: 2 }));
    await publisher.next('puback');
    const subscriber = await connect('retain-store-subscriber');
    await subscribe(subscriber, [['retain5/a', 2]]);
    const delivered = await subscriber.next('publish');
    expect([delivered.topic, Buffer.from(delivered.payload).toString(), delivered.qos]).toEqual([
      'retain5/a',
      'kept',
      1,
    ]);
    subscriber.send({ type: 'puback', packetId: delivered.packetId! });
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-6] sends the latest retained message of every topic a new subscription matches', async () => {
    const publisher = await connect('retain-latest');
    publisher.send(publishPacket('retain6/a', 'a-old', { retain: true }));
    publisher.send(publishPacket('retain6/a', 'a-new', { retain: true }));
    publisher.send(publishPacket('retain6/b', 'b', { retain: true }));
    publisher.send(publishPacket('other6/c', 'c', { retain: true }));
    await fence(publisher);
    const subscriber = await connect('retain-latest-subscriber');
    await subscribe(subscriber, [['retain6/+', 0]]);
    await fence(subscriber);
    expect(payloads(subscriber).sort()).toEqual(['a-new', 'b']);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-7] lets a retained QoS 0 message replace the retained message of its topic', async () => {
    const publisher = await connect('retain-qos0');
    publisher.send(publishPacket('retain7/a', 'qos1', { qos: 1, retain: true, packetId: 5 }));
    await publisher.next('puback');
    publisher.send(publishPacket('retain7/a', 'qos0', { retain: true }));
    await fence(publisher);
    const subscriber = await connect('retain-qos0-subscriber');
    await subscribe(subscriber, [['retain7/a', 1]]);
    await fence(subscriber);
    // Discarding the QoS 0 message is allowed too; mqttkit keeps it. The QoS 1 one is gone either way.
    expect(
      publishes(subscriber).map((packet) => [Buffer.from(packet.payload).toString(), packet.qos]),
    ).toEqual([['qos0', 0]]);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-8] sets RETAIN on a retained message sent because a new subscription matched it', async () => {
    const publisher = await connect('retain-flag');
    publisher.send(publishPacket('retain8/a', 'r', { retain: true }));
    await fence(publisher);
    const subscriber = await connect('retain-flag-subscriber');
    await subscribe(subscriber, [['retain8/#', 0]]);
    const delivered = await subscriber.next('publish');
    expect([delivered.topic, delivered.retain]).toEqual(['retain8/a', true]);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-9] clears RETAIN on a retained message sent to an existing subscription', async () => {
    const subscriber = await connect('retain-live-subscriber');
    await subscribe(subscriber, [['retain9/#', 0]]);
    const publisher = await connect('retain-live');
    publisher.send(publishPacket('retain9/a', 'r', { retain: true }));
    const delivered = await subscriber.next('publish');
    expect([delivered.topic, delivered.retain]).toEqual(['retain9/a', false]);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-9] clears RETAIN on a retained message queued for a persistent session while it was offline', async () => {
    const clientId = uniqueId('c311b-3.3-retain-queued');
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [['retain9q/#', 1]]);
    await leave(first);
    const publisher = await connect('retain-queued-publisher');
    publisher.send(publishPacket('retain9q/a', 'r', { qos: 1, retain: true, packetId: 3 }));
    await publisher.next('puback');
    const second = await rawClient(running.port, 4, clientId, { clean: false });
    const delivered = await second.next('publish');
    expect([delivered.topic, delivered.qos, delivered.retain]).toEqual(['retain9q/a', 1, false]);
    second.send({ type: 'puback', packetId: delivered.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-10] delivers a retained message with an empty payload normally and removes the topic’s retained message', async () => {
    const publisher = await connect('retain-empty');
    publisher.send(publishPacket('retain10/a', 'old', { retain: true }));
    await fence(publisher);
    const live = await connect('retain-empty-live');
    await subscribe(live, [['retain10/a', 0]]);
    await live.next('publish');
    publisher.send(publishPacket('retain10/a', '', { retain: true }));
    const delivered = await live.next('publish', 1);
    expect([delivered.topic, delivered.payload.length, delivered.retain]).toEqual(['retain10/a', 0, false]);
    const later = await connect('retain-empty-later');
    await subscribe(later, [['retain10/a', 0]]);
    await fence(later);
    expect(publishes(later)).toEqual([]);
    await leave(later);
    await leave(live);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-11] does not store a retained message with an empty payload as a retained message', async () => {
    const publisher = await connect('retain-empty-new');
    publisher.send(publishPacket('retain11/a', '', { qos: 1, retain: true, packetId: 6 }));
    await publisher.next('puback');
    const subscriber = await connect('retain-empty-new-subscriber');
    await subscribe(subscriber, [['retain11/#', 1]]);
    await fence(subscriber);
    expect(publishes(subscriber)).toEqual([]);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-12] neither stores nor replaces the retained message for a PUBLISH without RETAIN', async () => {
    const publisher = await connect('retain-off');
    publisher.send(publishPacket('retain12/a', 'kept', { retain: true }));
    publisher.send(publishPacket('retain12/a', 'live'));
    publisher.send(publishPacket('retain12/b', 'never', { qos: 1, packetId: 8 }));
    await publisher.next('puback');
    const subscriber = await connect('retain-off-subscriber');
    await subscribe(subscriber, [['retain12/+', 0]]);
    await fence(subscriber);
    expect(payloads(subscriber)).toEqual(['kept']);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-1] reads the topic name as UTF-8 and hands it on unchanged', async () => {
    const topic = 'utf8/grüße/水/🙂';
    const subscriber = await connect('utf8-subscriber');
    await subscribe(subscriber, [['utf8/#', 0]]);
    const publisher = await connect('utf8-publisher');
    publisher.send(frame(0x30, [...mqttString(topic), 0x78]));
    const delivered = await subscriber.next('publish');
    expect(delivered.topic).toBe(topic);
    expect(subscriber.received().includes(Buffer.from(mqttString(topic)))).toBe(true);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-1] closes the connection on a topic name that is not well-formed UTF-8', async () => {
    const publisher = await connect('utf8-bad');
    publisher.send(frame(0x30, [...mqttString(Buffer.from([0x61, 0xc3, 0x28])), 0x78]));
    expect(await closedAfter(publisher, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.3.2-2] closes the connection on a topic name with a + wildcard', async () => {
    const publisher = await connect('wild-plus');
    publisher.send(publishBytes('wild/+/a', 'x'));
    expect(await closedAfter(publisher, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.3.2-2] closes the connection on a topic name with a # wildcard', async () => {
    const publisher = await connect('wild-hash');
    publisher.send(publishBytes('wild/#', 'x', { qos: 1 }));
    expect(await closedAfter(publisher, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.3.2-3] sends the publisher’s topic name, not the subscription’s filter', async () => {
    const subscriber = await connect('name-subscriber');
    await subscribe(subscriber, [['name3/+/c/#', 0]]);
    const publisher = await connect('name-publisher');
    publisher.send(publishPacket('name3/b/c/d/e', 'x'));
    expect((await subscriber.next('publish')).topic).toBe('name3/b/c/d/e');
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-1] answers QoS 0 with nothing, QoS 1 with PUBACK and QoS 2 with PUBREC, each with the packet id', async () => {
    const publisher = await connect('answers');
    publisher.send(publishPacket('answers/0', 'x'));
    await fence(publisher);
    expect(publisher.packets.map((packet) => packet.type)).toEqual(['connack', 'pingresp']);
    publisher.send(publishPacket('answers/1', 'x', { qos: 1, packetId: 0x1234 }));
    expect(await publisher.next('puback')).toEqual({ type: 'puback', packetId: 0x1234 });
    publisher.send(publishPacket('answers/2', 'x', { qos: 2, packetId: 0xfedc }));
    expect(await publisher.next('pubrec')).toEqual({ type: 'pubrec', packetId: 0xfedc });
    publisher.send({ type: 'pubrel', packetId: 0xfedc });
    await publisher.next('pubcomp');
    await leave(publisher);
  });

  it('[MQTT-3.3.5-1] delivers at the highest QoS of the overlapping subscriptions that match', async () => {
    const subscriber = await connect('overlap-subscriber');
    await subscribe(subscriber, [
      ['overlap/#', 0],
      ['overlap/+', 2],
      ['overlap/a', 1],
    ]);
    const publisher = await connect('overlap-publisher');
    publisher.send(publishPacket('overlap/a', 'x', { qos: 2, packetId: 1 }));
    await publisher.next('pubrec');
    publisher.send({ type: 'pubrel', packetId: 1 });
    await publisher.next('pubcomp');
    const delivered = await subscriber.next('publish');
    subscriber.send({ type: 'pubrec', packetId: delivered.packetId! });
    await subscriber.next('pubrel');
    subscriber.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await fence(subscriber);
    // One copy per subscription would be allowed too, as long as one of them has QoS 2.
    expect(publishes(subscriber).map((packet) => packet.qos)).toEqual([2]);
    await leave(subscriber);
    await leave(publisher);
  });

  it('[MQTT-3.3.5-2] acknowledges an unauthorized PUBLISH as its QoS requires and forwards it to no one', async () => {
    const subscriber = await connect('denied-subscriber');
    await subscribe(subscriber, [
      ['denied/#', 2],
      ['allowed/marker', 0],
    ]);
    const publisher = await connect('denied-publisher');
    publisher.send(publishPacket('denied/0', 'x'));
    publisher.send(publishPacket('denied/1', 'x', { qos: 1, packetId: 11 }));
    expect(await publisher.next('puback')).toEqual({ type: 'puback', packetId: 11 });
    publisher.send(publishPacket('denied/2', 'x', { qos: 2, packetId: 12 }));
    expect(await publisher.next('pubrec')).toEqual({ type: 'pubrec', packetId: 12 });
    publisher.send({ type: 'pubrel', packetId: 12 });
    expect(await publisher.next('pubcomp')).toEqual({ type: 'pubcomp', packetId: 12 });
    // The marker is routed after the denied messages would have been.
    publisher.send(publishPacket('allowed/marker', 'marker'));
    await subscriber.next('publish');
    expect(payloads(subscriber)).toEqual(['marker']);
    await leave(subscriber);
    await leave(publisher);
  });
});
