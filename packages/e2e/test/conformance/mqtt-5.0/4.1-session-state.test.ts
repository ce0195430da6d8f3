// MQTT 5.0 section 4.1: how long the broker keeps session state, with and without a connection.
import { describe, expect, it } from 'vitest';
import { brokerTimer } from '../../support/broker-timer.js';
import { inbox } from '../../support/inbox.js';
import { openRawConnection, connectPacket } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { drop, fence, leave, publishes, publishPacket, rawClient, subscribe } from '../support/raw-client.js';

const running = brokerForFile();

describe('4.1 session state', () => {
  it('[MQTT-4.1.0-1] keeps the session state of a connection with Session Expiry 0 for as long as it stays open', async () => {
    const raw = await rawClient(running.port, 5, 'state-keeper', {
      properties: { sessionExpiryInterval: 0 },
    });
    await subscribe(raw, [['kept/#', 1]]);
    const watcher = await running.client({ protocolVersion: 5 });
    const heard = inbox(watcher);
    await watcher.subscribeAsync('kept/#', { qos: 1 });
    // A QoS 2 message half way through its exchange is session state too.
    raw.send(publishPacket('kept/qos2', 'kept/qos2', { qos: 2, packetId: 3 }));
    await raw.next('pubrec');
    await brokerTimer(running, 1);
    raw.send(publishPacket('kept/qos2', 'kept/qos2', { qos: 2, packetId: 3, dup: true }));
    await raw.next('pubrec', 1);
    raw.send({ type: 'pubrel', packetId: 3 });
    expect((await raw.next('pubcomp')).packetId).toBe(3);
    // The subscription is still there.
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('kept/later', 'x', { qos: 1 });
    expect((await raw.next('publish', 1)).topic).toBe('kept/later');
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['kept/qos2', 'kept/later']);
    await heard.on('kept/later');
    expect(heard.messages.map((message) => message.topic)).toEqual(['kept/qos2', 'kept/later']);
    await leave(raw);
  });

  it('[MQTT-4.1.0-2] discards the session once the connection is closed and the Session Expiry Interval has passed', async () => {
    const properties = { sessionExpiryInterval: 1 };
    const first = await rawClient(running.port, 5, 'expiring', { properties });
    await subscribe(first, [['expiring/#', 1]]);
    await drop(first);
    // Within the interval the session is still there.
    const back = await openRawConnection(running.port, 5);
    back.send({ ...connectPacket('expiring', 5), clean: false, properties });
    expect((await back.next('connack')).sessionPresent).toBe(true);
    await drop(back);
    await brokerTimer(running, 1);
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('expiring/lost', 'x', { qos: 1 });
    const late = await openRawConnection(running.port, 5);
    late.send({ ...connectPacket('expiring', 5), clean: false, properties: { sessionExpiryInterval: 0 } });
    expect((await late.next('connack')).sessionPresent).toBe(false);
    await fence(late);
    await publisher.publishAsync('expiring/later', 'x', { qos: 1 });
    await fence(late);
    expect(publishes(late)).toEqual([]);
    await leave(late);
  });
});
