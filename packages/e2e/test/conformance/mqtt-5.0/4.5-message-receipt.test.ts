// MQTT 5.0 section 4.5: a message the broker took ownership of goes into the session of every
// client with a matching subscription, connected or not.
import { describe, expect, it } from 'vitest';
import { inbox } from '../../support/inbox.js';
import { brokerForFile } from '../support/file-broker.js';
import { drop, leave, rawClient, subscribe } from '../support/raw-client.js';

const running = brokerForFile();

describe('4.5 message receipt', () => {
  it('[MQTT-4.5.0-1] adds an accepted message to the session of every client with a matching subscription, offline ones included', async () => {
    const exact = await running.client({ protocolVersion: 5 });
    const wildcard = await running.client({ protocolVersion: 4 });
    const exactInbox = inbox(exact);
    const wildcardInbox = inbox(wildcard);
    await exact.subscribeAsync('receipt/room/1', { qos: 1 });
    await wildcard.subscribeAsync('receipt/+/1', { qos: 2 });
    const properties = { sessionExpiryInterval: 60 };
    const offline = await rawClient(running.port, 5, 'receipt-offline', { properties });
    await subscribe(offline, [['receipt/#', 1]]);
    await drop(offline);
    const bystander = await running.client({ protocolVersion: 5 });
    const bystanderInbox = inbox(bystander);
    await bystander.subscribeAsync('receipt/other', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('receipt/room/1', 'hello', { qos: 1 });
    expect((await exactInbox.next(1))[0]!.payload).toBe('hello');
    expect((await wildcardInbox.next(1))[0]!.payload).toBe('hello');
    const back = await rawClient(running.port, 5, 'receipt-offline', { clean: false, properties });
    const queued = await back.next('publish');
    expect([queued.topic, Buffer.from(queued.payload).toString()]).toEqual(['receipt/room/1', 'hello']);
    back.send({ type: 'puback', packetId: queued.packetId! });
    await publisher.publishAsync('receipt/other', 'fence', { qos: 1 });
    expect((await bystanderInbox.next(1)).map((message) => message.topic)).toEqual(['receipt/other']);
    await leave(back);
  });
});
