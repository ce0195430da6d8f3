// The QoS 1 and 2 handshakes byte by byte: duplicates, redelivery after a reconnect, and the
// broker's own Receive Maximum.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { ProtocolVersion, Publish } from '@mqttkit/codec';
import { inbox } from './support/inbox.js';
import { connectPacket, openRawConnection } from './support/raw-connection.js';
import type { RawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
beforeEach(async () => {
  running = await startBroker({ capabilities: { receiveMaximum: 2 } });
});
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

const publish = (topic: string, options: { qos: 1 | 2; packetId: number; dup?: boolean }): Publish => ({
  type: 'publish',
  topic,
  payload: Buffer.from(topic),
  qos: options.qos,
  retain: false,
  dup: options.dup ?? false,
  packetId: options.packetId,
});

async function persistentClient(clientId: string, protocolVersion: ProtocolVersion): Promise<RawConnection> {
  const raw = await openRawConnection(running.port, protocolVersion);
  raw.send({
    ...connectPacket(clientId, protocolVersion),
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 60 } } : {}),
  });
  await raw.next('connack');
  return raw;
}

async function leave(raw: RawConnection): Promise<void> {
  raw.socket.end();
  await raw.closed;
}

const versions = [
  [4, '3.1.1'],
  [5, '5.0'],
] as const;

describe('QoS flows', () => {
  for (const [protocolVersion, label] of versions) {
    it(`[MQTT-4.3.3-2] [MQTT-4.3.3-10] answers a repeated QoS 2 PUBLISH with PUBREC and delivers it once (MQTT ${label})`, async () => {
      const subscriber = await running.client({ protocolVersion: 5 });
      const received = inbox(subscriber);
      await subscriber.subscribeAsync('twice/#', { qos: 2 });
      const raw = await openRawConnection(running.port, protocolVersion);
      raw.send(connectPacket(`twice-${protocolVersion}`, protocolVersion));
      await raw.next('connack');
      raw.send(publish('twice/a', { qos: 2, packetId: 7 }));
      expect((await raw.next('pubrec')).packetId).toBe(7);
      raw.send(publish('twice/a', { qos: 2, packetId: 7, dup: true }));
      expect((await raw.next('pubrec', 1)).packetId).toBe(7);
      raw.send({ type: 'pubrel', packetId: 7 });
      expect((await raw.next('pubcomp')).packetId).toBe(7);
      // After PUBCOMP the id is free: the same id is a new message [MQTT-4.3.3-12].
      raw.send(publish('twice/b', { qos: 2, packetId: 7 }));
      await raw.next('pubrec', 2);
      raw.send({ type: 'pubrel', packetId: 7 });
      await raw.next('pubcomp', 1);
      await received.on('twice/b');
      expect(received.messages.map((message) => message.topic)).toEqual(['twice/a', 'twice/b']);
      await leave(raw);
    });

    it(`[MQTT-4.4.0-1] [MQTT-3.3.1-1] resends an unacknowledged QoS 1 PUBLISH with DUP and its packet id after a reconnect (MQTT ${label})`, async () => {
      const clientId = `resend-${protocolVersion}`;
      const first = await persistentClient(clientId, protocolVersion);
      first.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'resend/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      });
      await first.next('suback');
      const publisher = await running.client({ protocolVersion: 5 });
      await publisher.publishAsync('resend/one', 'x', { qos: 1 });
      const original = await first.next('publish');
      expect(original.dup).toBe(false);
      await leave(first);
      const second = await persistentClient(clientId, protocolVersion);
      const again = await second.next('publish');
      expect([again.topic, again.packetId, again.dup, again.qos]).toEqual([
        'resend/one',
        original.packetId,
        true,
        1,
      ]);
      second.send({ type: 'puback', packetId: again.packetId! });
      await leave(second);
    });

    it(`[MQTT-4.4.0-1] [MQTT-4.3.3-6] resends PUBREL, not the PUBLISH, for a QoS 2 message acknowledged with PUBREC before a reconnect (MQTT ${label})`, async () => {
      const clientId = `rerelease-${protocolVersion}`;
      const first = await persistentClient(clientId, protocolVersion);
      first.send({
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'rerelease/#', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      });
      await first.next('suback');
      const publisher = await running.client({ protocolVersion: 5 });
      await publisher.publishAsync('rerelease/one', 'x', { qos: 2 });
      const original = await first.next('publish');
      first.send({ type: 'pubrec', packetId: original.packetId! });
      await first.next('pubrel');
      await leave(first);
      const second = await persistentClient(clientId, protocolVersion);
      const pubrel = await second.next('pubrel');
      expect(pubrel.packetId).toBe(original.packetId);
      second.send({ type: 'pubcomp', packetId: pubrel.packetId });
      second.send({ type: 'pingreq' });
      await second.next('pingresp');
      expect(second.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
      await leave(second);
    });
  }

  it('[MQTT-3.1.4-3] [MQTT-4.4.0-1] moves an unacknowledged QoS 1 message to the connection that takes the session over', async () => {
    const first = await persistentClient('taken', 5);
    first.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'taken/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await first.next('suback');
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('taken/a', 'x', { qos: 1 });
    const original = await first.next('publish');
    const second = await persistentClient('taken', 5);
    expect((await first.next('disconnect')).reasonCode).toBe(ReasonCode.SessionTakenOver);
    const again = await second.next('publish');
    expect([again.topic, again.packetId, again.dup]).toEqual(['taken/a', original.packetId, true]);
    second.send({ type: 'puback', packetId: again.packetId! });
    await leave(second);
  });

  it('[MQTT-3.3.4-9] [MQTT-4.3.3-4] counts a QoS 2 delivery answered by an error PUBREC as done, without PUBREL', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('refuser', 5), properties: { receiveMaximum: 1 } });
    await raw.next('connack');
    raw.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'refused/#', qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await raw.next('suback');
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('refused/1', 'x', { qos: 2 });
    await publisher.publishAsync('refused/2', 'y', { qos: 2 });
    const first = await raw.next('publish');
    raw.send({
      type: 'pubrec',
      packetId: first.packetId!,
      reasonCode: ReasonCode.ImplementationSpecificError,
    });
    const second = await raw.next('publish', 1);
    expect(second.topic).toBe('refused/2');
    expect(raw.packets.filter((packet) => packet.type === 'pubrel')).toEqual([]);
    await leave(raw);
  });

  it('[MQTT-3.3.4-7] closes an MQTT 5 client that exceeds the broker’s Receive Maximum with DISCONNECT 0x93', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('greedy', 5));
    const connack = await raw.next('connack');
    expect(connack.properties?.receiveMaximum).toBe(2);
    const connackLength = encode(connack, 5).length;
    // QoS 2 messages stay unacknowledged until PUBREL, which this client never sends.
    for (let packetId = 1; packetId <= 3; packetId += 1)
      raw.send(publish(`greedy/${packetId}`, { qos: 2, packetId }));
    await raw.closed;
    const pubrecs = raw.packets.filter((packet) => packet.type === 'pubrec');
    expect(pubrecs).toHaveLength(2);
    const pubrecBytes = pubrecs.reduce((total, packet) => total + encode(packet, 5).length, 0);
    expect(raw.received().subarray(connackLength + pubrecBytes)).toEqual(
      Buffer.from(encode({ type: 'disconnect', reasonCode: ReasonCode.ReceiveMaximumExceeded }, 5)),
    );
  });
});
