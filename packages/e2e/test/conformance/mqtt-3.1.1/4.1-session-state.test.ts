// MQTT 3.1.1 section 4.1, session state: kept for the life of the session, which lasts at least
// as long as the connection.
import { describe, expect, it } from 'vitest';
import { connectPacket, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  fence,
  leave,
  payloads,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 4.1 session state', () => {
  it('[MQTT-4.1.0-1] keeps a persistent session’s subscriptions and queued messages between connections', async () => {
    const clientId = uniqueId('c311b-4.1-kept');
    const first = await rawClient(running.port, 4, clientId, { clean: false });
    await subscribe(first, [
      ['kept41/one', 1],
      ['kept41/two', 2],
    ]);
    await leave(first);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.1-kept-publisher'));
    publisher.send(publishPacket('kept41/one', 'one', { qos: 1, packetId: 1 }));
    publisher.send(publishPacket('kept41/two', 'two', { qos: 2, packetId: 2 }));
    await publisher.next('pubrec');
    await fence(publisher);
    const second = await openRawConnection(running.port, 4);
    second.send({ ...connectPacket(clientId, 4), clean: false });
    expect((await second.next('connack')).sessionPresent).toBe(true);
    const [one, two] = [await second.next('publish'), await second.next('publish', 1)];
    expect([one, two].map((packet) => [packet.topic, packet.qos])).toEqual([
      ['kept41/one', 1],
      ['kept41/two', 2],
    ]);
    second.send({ type: 'puback', packetId: one.packetId! });
    second.send({ type: 'pubrec', packetId: two.packetId! });
    await second.next('pubrel');
    second.send({ type: 'pubcomp', packetId: two.packetId! });
    // The subscriptions still hold.
    publisher.send(publishPacket('kept41/one', 'live'));
    await second.next('publish', 2);
    expect(payloads(second)).toEqual(['one', 'two', 'live']);
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-4.1.0-2] keeps a clean session’s state for the whole connection and ends it only with the connection', async () => {
    const clientId = uniqueId('c311b-4.1-clean');
    const raw = await rawClient(running.port, 4, clientId);
    await subscribe(raw, [['clean41/#', 1]]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.1-clean-publisher'));
    for (let index = 1; index <= 3; index += 1) {
      publisher.send(publishPacket('clean41/a', String(index), { qos: 1, packetId: index }));
      const delivered = await raw.next('publish', index - 1);
      await fence(raw);
      raw.send({ type: 'puback', packetId: delivered.packetId! });
    }
    expect(payloads(raw)).toEqual(['1', '2', '3']);
    await leave(raw);
    const again = await openRawConnection(running.port, 4);
    again.send({ ...connectPacket(clientId, 4), clean: false });
    expect((await again.next('connack')).sessionPresent).toBe(false);
    publisher.send(publishPacket('clean41/a', 'gone'));
    await fence(publisher);
    await fence(again);
    expect(payloads(again)).toEqual([]);
    await leave(again);
    await leave(publisher);
  });
});
