// MQTT 5.0 section 4.3: the QoS 0, 1 and 2 protocol flows, with the broker as sender (to a raw
// subscriber) and as receiver (from a raw publisher), checked packet by packet.
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { brokerTimer } from '../../support/broker-timer.js';
import { inbox } from '../../support/inbox.js';
import type { Inbox } from '../../support/inbox.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  drop,
  fence,
  leave,
  packetsOf,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
} from '../support/raw-client.js';

// Everything is allowed except publishing under `forbidden/`, which is refused with 0x87.
const policy: Hook = {
  name: 'c50c-policy',
  authenticate: () => 'allow',
  authorizePublish: ({ topic }) =>
    topic.startsWith('forbidden/') ? { deny: ReasonCode.NotAuthorized } : 'allow',
  authorizeSubscribe: () => 'allow',
};

const running = brokerForFile({ hooks: [policy] });

/** An MQTT.js subscriber on `filter` at QoS 2, with its inbox. */
async function listener(filter: string): Promise<Inbox> {
  const client = await running.client({ protocolVersion: 5 });
  const received = inbox(client);
  await client.subscribeAsync(filter, { qos: 2 });
  return received;
}

describe('4.3 QoS flows, the broker sending', () => {
  it('[MQTT-4.3.1-1] delivers a QoS 0 message as PUBLISH with QoS 0, DUP 0 and no packet id', async () => {
    const raw = await rawClient(running.port, 5, 'qos0-reader');
    await subscribe(raw, [['qos0/#', 0]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('qos0/a', 'x', { qos: 2 });
    const delivered = await raw.next('publish');
    expect([delivered.qos, delivered.dup, delivered.packetId]).toEqual([0, false, undefined]);
    await leave(raw);
  });

  it('[MQTT-4.3.2-1] [MQTT-4.3.2-2] delivers QoS 1 messages as PUBLISH QoS 1, DUP 0, each with a packet id not in use', async () => {
    const raw = await rawClient(running.port, 5, 'qos1-reader');
    await subscribe(raw, [['qos1/#', 1]]);
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 5; index += 1) await publisher.publishAsync(`qos1/${index}`, 'x', { qos: 1 });
    await raw.next('publish', 4);
    const delivered = publishes(raw);
    expect(delivered.map((packet) => [packet.qos, packet.dup])).toEqual(Array(5).fill([1, false]));
    const ids = delivered.map((packet) => packet.packetId!);
    expect(ids.every((id) => id >= 1 && id <= 65_535)).toBe(true);
    expect(new Set(ids).size).toBe(5);
    await leave(raw);
  });

  it('[MQTT-4.3.2-3] keeps a QoS 1 delivery unacknowledged until its PUBACK: with Receive Maximum 1 the next waits, and a reconnect resends it', async () => {
    const raw = await rawClient(running.port, 5, 'qos1-holder', {
      clean: true,
      properties: { receiveMaximum: 1, sessionExpiryInterval: 60 },
    });
    await subscribe(raw, [['held1/#', 1]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('held1/a', 'x', { qos: 1 });
    await publisher.publishAsync('held1/b', 'x', { qos: 1 });
    const first = await raw.next('publish');
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['held1/a']);
    await drop(raw);
    const again = await rawClient(running.port, 5, 'qos1-holder', {
      clean: false,
      properties: { receiveMaximum: 1, sessionExpiryInterval: 0 },
    });
    const resent = await again.next('publish');
    expect([resent.topic, resent.packetId, resent.dup]).toEqual(['held1/a', first.packetId, true]);
    again.send({ type: 'puback', packetId: resent.packetId! });
    expect((await again.next('publish', 1)).topic).toBe('held1/b');
    await leave(again);
  });

  it('[MQTT-4.3.3-1] [MQTT-4.3.3-2] delivers QoS 2 messages as PUBLISH QoS 2, DUP 0, each with a packet id not in use', async () => {
    const raw = await rawClient(running.port, 5, 'qos2-reader');
    await subscribe(raw, [['qos2/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 5; index += 1) await publisher.publishAsync(`qos2/${index}`, 'x', { qos: 2 });
    await raw.next('publish', 4);
    const delivered = publishes(raw);
    expect(delivered.map((packet) => [packet.qos, packet.dup])).toEqual(Array(5).fill([2, false]));
    expect(new Set(delivered.map((packet) => packet.packetId)).size).toBe(5);
    await leave(raw);
  });

  it('[MQTT-4.3.3-3] [MQTT-4.3.3-4] keeps a QoS 2 delivery unacknowledged until PUBREC, then answers a success PUBREC with PUBREL of the same id', async () => {
    const raw = await rawClient(running.port, 5, 'qos2-receiver', { properties: { receiveMaximum: 1 } });
    await subscribe(raw, [['held2/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('held2/a', 'x', { qos: 2 });
    await publisher.publishAsync('held2/b', 'x', { qos: 2 });
    const first = await raw.next('publish');
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['held2/a']);
    expect(packetsOf(raw, 'pubrel')).toEqual([]);
    raw.send({ type: 'pubrec', packetId: first.packetId!, reasonCode: ReasonCode.NoMatchingSubscribers });
    expect((await raw.next('pubrel')).packetId).toBe(first.packetId);
    raw.send({ type: 'pubcomp', packetId: first.packetId! });
    await leave(raw);
  });

  it('[MQTT-4.3.3-5] keeps the PUBREL unacknowledged until PUBCOMP: the next QoS 2 message waits for it under Receive Maximum 1', async () => {
    const raw = await rawClient(running.port, 5, 'qos2-completer', { properties: { receiveMaximum: 1 } });
    await subscribe(raw, [['release/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('release/a', 'x', { qos: 2 });
    await publisher.publishAsync('release/b', 'x', { qos: 2 });
    const first = await raw.next('publish');
    raw.send({ type: 'pubrec', packetId: first.packetId! });
    await raw.next('pubrel');
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['release/a']);
    raw.send({ type: 'pubcomp', packetId: first.packetId! });
    expect((await raw.next('publish', 1)).topic).toBe('release/b');
    await leave(raw);
  });

  it('[MQTT-4.3.3-6] resends only the PUBREL, never the PUBLISH, after PUBREC when the session resumes', async () => {
    const options = { properties: { sessionExpiryInterval: 60 } };
    const raw = await rawClient(running.port, 5, 'qos2-resumer', options);
    await subscribe(raw, [['resume2/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('resume2/a', 'x', { qos: 2 });
    const first = await raw.next('publish');
    raw.send({ type: 'pubrec', packetId: first.packetId! });
    await raw.next('pubrel');
    await drop(raw);
    const again = await rawClient(running.port, 5, 'qos2-resumer', { ...options, clean: false });
    expect((await again.next('pubrel')).packetId).toBe(first.packetId);
    again.send({ type: 'pubcomp', packetId: first.packetId! });
    await fence(again);
    expect(publishes(again)).toEqual([]);
    await leave(again);
  });

  it('[MQTT-4.3.3-7] does not expire a QoS 2 message it has already sent: it is resent after its expiry interval passed', async () => {
    const options = { properties: { sessionExpiryInterval: 60 } };
    const raw = await rawClient(running.port, 5, 'qos2-late', options);
    await subscribe(raw, [['late2/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('late2/a', 'x', { qos: 2, properties: { messageExpiryInterval: 1 } });
    const first = await raw.next('publish');
    await drop(raw);
    await brokerTimer(running, 1);
    const again = await rawClient(running.port, 5, 'qos2-late', { ...options, clean: false });
    const resent = await again.next('publish');
    expect([resent.topic, resent.packetId, resent.dup]).toEqual(['late2/a', first.packetId, true]);
    again.send({ type: 'pubrec', packetId: resent.packetId! });
    expect((await again.next('pubrel')).packetId).toBe(first.packetId);
    again.send({ type: 'pubcomp', packetId: first.packetId! });
    await leave(again);
  });
});

describe('4.3 QoS flows, the broker receiving', () => {
  it('[MQTT-4.3.2-4] answers a QoS 1 PUBLISH with PUBACK of the same id once it has the message', async () => {
    const heard = await listener('own1/#');
    const raw = await rawClient(running.port, 5, 'own1-publisher');
    raw.send(publishPacket('own1/a', 'own1/a', { qos: 1, packetId: 4242 }));
    const puback = await raw.next('puback');
    expect([puback.packetId, puback.reasonCode ?? 0]).toEqual([4242, 0]);
    expect((await heard.next(1))[0]!.topic).toBe('own1/a');
    await leave(raw);
  });

  it('[MQTT-4.3.2-5] treats a QoS 1 PUBLISH that reuses an acknowledged id as a new message, DUP set or not', async () => {
    const heard = await listener('reuse1/#');
    const raw = await rawClient(running.port, 5, 'reuse1-publisher');
    raw.send(publishPacket('reuse1/a', 'reuse1/a', { qos: 1, packetId: 9 }));
    await raw.next('puback');
    raw.send(publishPacket('reuse1/b', 'reuse1/b', { qos: 1, packetId: 9, dup: true }));
    await raw.next('puback', 1);
    raw.send(publishPacket('reuse1/c', 'reuse1/c', { qos: 1, packetId: 9 }));
    await raw.next('puback', 2);
    expect((await heard.next(3)).map((message) => message.topic)).toEqual([
      'reuse1/a',
      'reuse1/b',
      'reuse1/c',
    ]);
    await leave(raw);
  });

  it('[MQTT-4.3.3-8] [MQTT-4.3.3-11] answers a QoS 2 PUBLISH with PUBREC of the same id, and PUBREL with PUBCOMP of the same id', async () => {
    const heard = await listener('own2/#');
    const raw = await rawClient(running.port, 5, 'own2-publisher');
    raw.send(publishPacket('own2/a', 'own2/a', { qos: 2, packetId: 777 }));
    const pubrec = await raw.next('pubrec');
    expect([pubrec.packetId, pubrec.reasonCode ?? 0]).toEqual([777, 0]);
    raw.send({ type: 'pubrel', packetId: 777 });
    const pubcomp = await raw.next('pubcomp');
    expect([pubcomp.packetId, pubcomp.reasonCode ?? 0]).toEqual([777, 0]);
    expect((await heard.next(1))[0]!.topic).toBe('own2/a');
    await leave(raw);
  });

  it('[MQTT-4.3.3-9] treats a PUBLISH that reuses the id of one refused with PUBREC 0x87 as a new message', async () => {
    const heard = await listener('reuse2/#');
    const raw = await rawClient(running.port, 5, 'refused2-publisher');
    raw.send(publishPacket('forbidden/a', 'forbidden/a', { qos: 2, packetId: 5 }));
    const refusal = await raw.next('pubrec');
    expect([refusal.packetId, refusal.reasonCode]).toEqual([5, ReasonCode.NotAuthorized]);
    raw.send(publishPacket('reuse2/a', 'reuse2/a', { qos: 2, packetId: 5 }));
    const accepted = await raw.next('pubrec', 1);
    expect([accepted.packetId, accepted.reasonCode ?? 0]).toEqual([5, 0]);
    raw.send({ type: 'pubrel', packetId: 5 });
    await raw.next('pubcomp');
    expect((await heard.next(1))[0]!.topic).toBe('reuse2/a');
    await leave(raw);
  });

  it('[MQTT-4.3.3-10] answers repeats of a QoS 2 PUBLISH with PUBREC until PUBREL, and passes the message on once', async () => {
    const heard = await listener('repeat2/#');
    const raw = await rawClient(running.port, 5, 'repeat2-publisher');
    raw.send(publishPacket('repeat2/a', 'repeat2/a', { qos: 2, packetId: 12 }));
    await raw.next('pubrec');
    raw.send(publishPacket('repeat2/a', 'repeat2/a', { qos: 2, packetId: 12, dup: true }));
    raw.send(publishPacket('repeat2/a', 'repeat2/a', { qos: 2, packetId: 12, dup: true }));
    await raw.next('pubrec', 2);
    expect(packetsOf(raw, 'pubrec').map((packet) => packet.packetId)).toEqual([12, 12, 12]);
    raw.send({ type: 'pubrel', packetId: 12 });
    await raw.next('pubcomp');
    raw.send(publishPacket('repeat2/fence', 'repeat2/fence', { qos: 1, packetId: 13 }));
    await heard.on('repeat2/fence');
    expect(heard.arrivals).toEqual(['repeat2/a', 'repeat2/fence']);
    await leave(raw);
  });

  it('[MQTT-4.3.3-12] treats a QoS 2 PUBLISH that reuses an id after PUBCOMP as a new message', async () => {
    const heard = await listener('after2/#');
    const raw = await rawClient(running.port, 5, 'after2-publisher');
    for (const [index, topic] of ['after2/a', 'after2/b'].entries()) {
      raw.send(publishPacket(topic, topic, { qos: 2, packetId: 31 }));
      expect((await raw.next('pubrec', index)).reasonCode ?? 0).toBe(0);
      raw.send({ type: 'pubrel', packetId: 31 });
      await raw.next('pubcomp', index);
    }
    expect((await heard.next(2)).map((message) => message.topic)).toEqual(['after2/a', 'after2/b']);
    await leave(raw);
  });

  it('[MQTT-4.3.3-13] completes the QoS 2 exchange with PUBCOMP even after the message expired', async () => {
    const raw = await rawClient(running.port, 5, 'expired2-publisher');
    raw.send(
      publishPacket('expired2/a', 'expired2/a', {
        qos: 2,
        packetId: 44,
        properties: { messageExpiryInterval: 1 },
      }),
    );
    await raw.next('pubrec');
    await brokerTimer(running, 1);
    raw.send({ type: 'pubrel', packetId: 44 });
    const pubcomp = await raw.next('pubcomp');
    expect([pubcomp.packetId, pubcomp.reasonCode ?? 0]).toEqual([44, 0]);
    await leave(raw);
  });
});
