// MQTT 5.0 section 4.4: unacknowledged PUBLISH and PUBREL packets are resent when a session resumes
// (Clean Start 0), and at no other time; a PUBLISH refused with an error acknowledgement counts as done.
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import { brokerTimer } from '../../support/broker-timer.js';
import { inbox } from '../../support/inbox.js';
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

const running = brokerForFile();

const persistent = { properties: { sessionExpiryInterval: 60 } };

describe('4.4 message delivery retry', () => {
  it('[MQTT-4.4.0-1] resends unacknowledged QoS 1 and QoS 2 PUBLISH and PUBREL with their ids on a Clean Start 0 reconnect, and not while connected', async () => {
    const raw = await rawClient(running.port, 5, 'retry-both', persistent);
    await subscribe(raw, [['retry/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('retry/released', 'x', { qos: 2 });
    await publisher.publishAsync('retry/qos1', 'x', { qos: 1 });
    await publisher.publishAsync('retry/qos2', 'x', { qos: 2 });
    await raw.next('publish', 2);
    const [released, qos1, qos2] = publishes(raw);
    raw.send({ type: 'pubrec', packetId: released!.packetId! });
    await raw.next('pubrel');
    // Time passes on the open connection: nothing is sent again.
    await brokerTimer(running, 1);
    await fence(raw);
    expect(publishes(raw)).toHaveLength(3);
    expect(packetsOf(raw, 'pubrel')).toHaveLength(1);
    await drop(raw);
    const again = await rawClient(running.port, 5, 'retry-both', { ...persistent, clean: false });
    await again.next('publish', 1);
    await again.next('pubrel');
    const resent = publishes(again).map((packet) => [packet.topic, packet.packetId, packet.qos, packet.dup]);
    expect(resent).toEqual([
      ['retry/qos1', qos1!.packetId, 1, true],
      ['retry/qos2', qos2!.packetId, 2, true],
    ]);
    expect(packetsOf(again, 'pubrel').map((packet) => packet.packetId)).toEqual([released!.packetId]);
    again.send({ type: 'pubcomp', packetId: released!.packetId! });
    again.send({ type: 'puback', packetId: qos1!.packetId! });
    again.send({ type: 'pubrec', packetId: qos2!.packetId! });
    await again.next('pubrel', 1);
    again.send({ type: 'pubcomp', packetId: qos2!.packetId! });
    await fence(again);
    expect(publishes(again)).toHaveLength(2);
    await leave(again);
  });

  it('[MQTT-4.4.0-1] resends nothing to a client that reconnects with Clean Start 1', async () => {
    const raw = await rawClient(running.port, 5, 'retry-clean', persistent);
    await subscribe(raw, [['fresh/#', 1]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('fresh/a', 'x', { qos: 1 });
    await raw.next('publish');
    await drop(raw);
    const again = await rawClient(running.port, 5, 'retry-clean', { clean: true });
    await fence(again);
    expect(publishes(again)).toEqual([]);
    await leave(again);
  });

  it('[MQTT-4.4.0-1] takes a QoS 2 PUBLISH and a PUBREL the client resends after a reconnect, passing the message on once', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const heard = inbox(subscriber);
    await subscriber.subscribeAsync('inbound/#', { qos: 2 });
    const raw = await rawClient(running.port, 5, 'retry-inbound', persistent);
    raw.send(publishPacket('inbound/a', 'inbound/a', { qos: 2, packetId: 21 }));
    await raw.next('pubrec');
    raw.send(publishPacket('inbound/b', 'inbound/b', { qos: 2, packetId: 22 }));
    await raw.next('pubrec', 1);
    raw.send({ type: 'pubrel', packetId: 22 });
    await raw.next('pubcomp');
    await drop(raw);
    const again = await rawClient(running.port, 5, 'retry-inbound', { ...persistent, clean: false });
    again.send(publishPacket('inbound/a', 'inbound/a', { qos: 2, packetId: 21, dup: true }));
    expect((await again.next('pubrec')).packetId).toBe(21);
    again.send({ type: 'pubrel', packetId: 21 });
    expect((await again.next('pubcomp')).packetId).toBe(21);
    again.send(publishPacket('inbound/fence', 'inbound/fence', { qos: 1, packetId: 23 }));
    await heard.on('inbound/fence');
    // Arrival order on the wire: the QoS 2 messages finish their own exchange after the fence.
    expect(heard.arrivals).toEqual(['inbound/a', 'inbound/b', 'inbound/fence']);
    await leave(again);
  });

  it('[MQTT-4.4.0-2] does not resend a PUBLISH refused with PUBACK or PUBREC 0x80 or above when the session resumes', async () => {
    const raw = await rawClient(running.port, 5, 'retry-refuser', persistent);
    await subscribe(raw, [['refuse/#', 2]]);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('refuse/qos1', 'x', { qos: 1 });
    await publisher.publishAsync('refuse/qos2', 'x', { qos: 2 });
    await raw.next('publish', 1);
    const [qos1, qos2] = publishes(raw);
    raw.send({ type: 'puback', packetId: qos1!.packetId!, reasonCode: ReasonCode.UnspecifiedError });
    raw.send({ type: 'pubrec', packetId: qos2!.packetId!, reasonCode: ReasonCode.QuotaExceeded });
    await fence(raw);
    expect(packetsOf(raw, 'pubrel')).toEqual([]);
    await drop(raw);
    const again = await rawClient(running.port, 5, 'retry-refuser', { ...persistent, clean: false });
    await fence(again);
    expect(publishes(again)).toEqual([]);
    expect(packetsOf(again, 'pubrel')).toEqual([]);
    await leave(again);
  });
});
