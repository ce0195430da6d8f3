// MQTT 3.1.1 section 4.6, message ordering: every topic is an Ordered Topic, and each publisher's
// messages reach each subscriber in the order they arrived.
import { describe, expect, it } from 'vitest';
import type { QoS } from '@mqttkit/codec';
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

const count = 40;

/** Acknowledges every QoS 1 and 2 PUBLISH the subscriber gets, as a client would. */
function acknowledge(raw: RawConnection): void {
  let seen = 0;
  raw.socket.on('data', () => {
    for (const packet of publishes(raw).slice(seen)) {
      if (packet.qos === 1) raw.send({ type: 'puback', packetId: packet.packetId! });
      if (packet.qos === 2) raw.send({ type: 'pubrec', packetId: packet.packetId! });
    }
    seen = publishes(raw).length;
    for (const packet of raw.packets) {
      if (packet.type === 'pubrel' && !('answered' in packet)) {
        Object.assign(packet, { answered: true });
        raw.send({ type: 'pubcomp', packetId: packet.packetId });
      }
    }
  });
}

async function publishInOrder(topic: string, qos: QoS, subscriberQoS: QoS): Promise<string[]> {
  const subscriber = await rawClient(running.port, 4, uniqueId('c311b-4.6-subscriber'));
  acknowledge(subscriber);
  await subscribe(subscriber, [[topic, subscriberQoS]]);
  const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.6-publisher'));
  for (let index = 1; index <= count; index += 1) {
    // The publisher answers PUBREC with PUBREL at once, without waiting: flows overlap.
    publisher.send(publishPacket(topic, String(index), { qos, packetId: index }));
    if (qos === 2) publisher.send({ type: 'pubrel', packetId: index });
  }
  await subscriber.next('publish', count - 1);
  // Let the last QoS 2 flow finish before leaving.
  if (Math.min(qos, subscriberQoS) === 2) await subscriber.next('pubrel', count - 1);
  await fence(subscriber);
  const received = payloads(subscriber);
  await leave(subscriber);
  await leave(publisher);
  return received;
}

const expected = Array.from({ length: count }, (_, index) => String(index + 1));

describe('MQTT 3.1.1 4.6 message ordering', () => {
  it('[MQTT-4.6.0-5] treats a topic as ordered without any configuration (QoS 1)', async () => {
    expect(await publishInOrder('ordered46/qos1', 1, 1)).toEqual(expected);
  });

  it('[MQTT-4.6.0-6] forwards one publisher’s QoS 0 messages on a topic in the order they arrived', async () => {
    expect(await publishInOrder('ordered46/qos0', 0, 0)).toEqual(expected);
  });

  it('[MQTT-4.6.0-6] forwards one publisher’s QoS 2 messages on a topic in the order they arrived', async () => {
    expect(await publishInOrder('ordered46/qos2', 2, 2)).toEqual(expected);
  });

  it('[MQTT-4.6.0-6] keeps the order when the subscription downgrades QoS 2 messages to QoS 1', async () => {
    expect(await publishInOrder('ordered46/down', 2, 1)).toEqual(expected);
  });

  it('[MQTT-4.6.0-6] delivers the messages queued for an offline persistent session in the order they arrived', async () => {
    const clientId = uniqueId('c311b-4.6-offline');
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [['ordered46/offline', 1]]);
    await leave(first);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.6-offline-publisher'));
    for (let index = 1; index <= count; index += 1)
      publisher.send(publishPacket('ordered46/offline', String(index), { qos: 1, packetId: index }));
    await publisher.next('puback', count - 1);
    const second = await rawClient(running.port, 4, clientId, { clean: false });
    acknowledge(second);
    await second.next('publish', count - 1);
    await fence(second);
    expect(payloads(second)).toEqual(expected);
    await leave(second);
    await leave(publisher);
  });
});
