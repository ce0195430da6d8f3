// MQTT 3.1.1 section 4.4, redelivery when a persistent session reconnects, from the broker to the
// client and from the client to the broker.
import { describe, expect, it } from 'vitest';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
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

const persistent = (clientId: string) => rawClient(running.port, 4, clientId, { clean: false });

async function drop(raw: RawConnection): Promise<void> {
  raw.socket.destroy();
  await raw.closed;
}

describe('MQTT 3.1.1 4.4 message delivery retry', () => {
  it('[MQTT-4.4.0-1] resends unacknowledged QoS 1 and QoS 2 PUBLISH packets with DUP and their original ids, in order', async () => {
    const clientId = uniqueId('c311b-4.4-publish');
    const first = await persistent(clientId);
    await subscribe(first, [['redeliver44/#', 2]]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.4-publish-publisher'));
    publisher.send(publishPacket('redeliver44/a', 'a', { qos: 1, packetId: 1 }));
    publisher.send(publishPacket('redeliver44/b', 'b', { qos: 2, packetId: 2 }));
    publisher.send(publishPacket('redeliver44/c', 'c', { qos: 1, packetId: 3 }));
    await first.next('publish', 2);
    const original = publishes(first);
    await drop(first);
    const second = await persistent(clientId);
    await second.next('publish', 2);
    const again = publishes(second);
    expect(again.map((packet) => [packet.topic, packet.qos, packet.packetId, packet.dup])).toEqual(
      original.map((packet) => [packet.topic, packet.qos, packet.packetId, true]),
    );
    second.send({ type: 'puback', packetId: again[0]!.packetId! });
    second.send({ type: 'pubrec', packetId: again[1]!.packetId! });
    second.send({ type: 'puback', packetId: again[2]!.packetId! });
    await second.next('pubrel');
    second.send({ type: 'pubcomp', packetId: again[1]!.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-4.4.0-1] resends the unacknowledged messages first, then sends those queued while offline with new ids', async () => {
    const clientId = uniqueId('c311b-4.4-queued');
    const first = await persistent(clientId);
    await subscribe(first, [['queued44/#', 1]]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.4-queued-publisher'));
    for (let index = 1; index <= 3; index += 1)
      publisher.send(publishPacket('queued44/a', String(index), { qos: 1, packetId: index }));
    await first.next('publish', 2);
    const inflight = publishes(first).map((packet) => packet.packetId!);
    // DISCONNECT, so that the broker has closed the connection before 4 to 6 arrive: a message
    // sent on a connection that was dying unnoticed would rightly come back with DUP set.
    await leave(first);
    for (let index = 4; index <= 6; index += 1)
      publisher.send(publishPacket('queued44/a', String(index), { qos: 1, packetId: index }));
    await publisher.next('puback', 5);
    const second = await persistent(clientId);
    await second.next('publish', 5);
    const sent = publishes(second);
    expect(sent.map((packet) => [Buffer.from(packet.payload).toString(), packet.dup])).toEqual([
      ['1', true],
      ['2', true],
      ['3', true],
      ['4', false],
      ['5', false],
      ['6', false],
    ]);
    expect(sent.slice(0, 3).map((packet) => packet.packetId)).toEqual(inflight);
    expect(new Set(sent.map((packet) => packet.packetId)).size).toBe(6);
    for (const packet of sent) second.send({ type: 'puback', packetId: packet.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-4.4.0-1] resends PUBREL, not the PUBLISH, for a QoS 2 message the client had answered with PUBREC', async () => {
    const clientId = uniqueId('c311b-4.4-pubrel');
    const first = await persistent(clientId);
    await subscribe(first, [['rerelease44/#', 2]]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.4-pubrel-publisher'));
    publisher.send(publishPacket('rerelease44/a', 'a', { qos: 2, packetId: 1 }));
    const original = await first.next('publish');
    first.send({ type: 'pubrec', packetId: original.packetId! });
    await first.next('pubrel');
    await drop(first);
    const second = await persistent(clientId);
    expect(await second.next('pubrel')).toEqual({ type: 'pubrel', packetId: original.packetId });
    second.send({ type: 'pubcomp', packetId: original.packetId! });
    await fence(second);
    expect(publishes(second)).toEqual([]);
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-4.4.0-1] accepts the client’s resent QoS 2 PUBLISH and PUBREL after a reconnect without delivering twice', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-4.4-inbound-subscriber'));
    await subscribe(subscriber, [['inbound44/#', 0]]);
    const clientId = uniqueId('c311b-4.4-inbound');
    const first = await persistent(clientId);
    first.send(publishPacket('inbound44/a', 'once', { qos: 2, packetId: 9 }));
    await first.next('pubrec');
    await drop(first);
    const second = await persistent(clientId);
    second.send(publishPacket('inbound44/a', 'once', { qos: 2, packetId: 9, dup: true }));
    expect(await second.next('pubrec')).toEqual({ type: 'pubrec', packetId: 9 });
    second.send({ type: 'pubrel', packetId: 9 });
    expect(await second.next('pubcomp')).toEqual({ type: 'pubcomp', packetId: 9 });
    second.send(publishPacket('inbound44/marker', 'marker'));
    await subscriber.next('publish', 1);
    expect(payloads(subscriber)).toEqual(['once', 'marker']);
    await leave(second);
    await leave(subscriber);
  });
});
