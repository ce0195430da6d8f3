import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import mqtt from 'mqtt';
import { ReasonCode } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { allowEverything, inbox, startBroker } from './helpers.js';
import type { Running } from './helpers.js';

let running: Running;
afterEach(async () => {
  await running?.stop();
});

describe('broker with MQTT.js', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`routes QoS 0, 1 and 2 through wildcards for MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'} clients`, async () => {
      running = await startBroker();
      const subscriber = await running.client({ protocolVersion, clientId: `sub-${protocolVersion}` });
      const publisher = await running.client({ protocolVersion, clientId: `pub-${protocolVersion}` });
      const received = inbox(subscriber);
      await subscriber.subscribeAsync(['home/+/temperature', 'home/#'], { qos: 2 });
      await publisher.publishAsync('home/kitchen/temperature', '21', { qos: 0 });
      await publisher.publishAsync('home/kitchen/temperature', '22', { qos: 1 });
      await publisher.publishAsync('home/kitchen/temperature', '23', { qos: 2 });
      await publisher.publishAsync('office/temperature', 'not for us', { qos: 1 });
      const messages = await received.next(3);
      // [MQTT-3.3.4-2] overlapping subscriptions deliver one copy, at the highest granted QoS.
      expect(messages.map((message) => [message.topic, message.payload, message.packet.qos])).toEqual([
        ['home/kitchen/temperature', '21', 0],
        ['home/kitchen/temperature', '22', 1],
        ['home/kitchen/temperature', '23', 2],
      ]);
      await publisher.publishAsync('home/sync', 'fence', { qos: 1 });
      await received.next(4);
      expect(received.messages).toHaveLength(4);
    });
  }

  it('denies every client when no hook authenticates (deny by default)', async () => {
    running = await startBroker({ hooks: [] });
    await expect(running.client({ protocolVersion: 5 })).rejects.toMatchObject({
      code: ReasonCode.NotAuthorized,
    });
    await expect(running.client({ protocolVersion: 4 })).rejects.toThrow(/Not authorized/i);
  });

  it('delivers retained messages on subscribe, replaces them and clears them with an empty payload', async () => {
    running = await startBroker();
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('status/door', 'open', { qos: 1, retain: true });
    await publisher.publishAsync('status/door', 'closed', { qos: 1, retain: true });
    await publisher.publishAsync('status/window', 'open', { qos: 0, retain: true });
    const first = await running.client({ protocolVersion: 5 });
    const firstInbox = inbox(first);
    await first.subscribeAsync('status/#', { qos: 1 });
    const retained = await firstInbox.next(2);
    expect(retained.map((message) => [message.topic, message.payload, message.packet.retain]).sort()).toEqual(
      [
        ['status/door', 'closed', true],
        ['status/window', 'open', true],
      ],
    );
    await publisher.publishAsync('status/door', '', { qos: 1, retain: true });
    const second = await running.client({ protocolVersion: 5 });
    const secondInbox = inbox(second);
    await second.subscribeAsync('status/#', { qos: 1 });
    expect((await secondInbox.next(1)).map((message) => message.topic)).toEqual(['status/window']);
  });

  it('publishes the will when a client vanishes, and not after a normal DISCONNECT', async () => {
    running = await startBroker();
    const watcher = await running.client({ protocolVersion: 5 });
    const watched = inbox(watcher);
    await watcher.subscribeAsync('wills/#', { qos: 1 });
    const polite = await running.client({
      protocolVersion: 5,
      clientId: 'polite',
      will: { topic: 'wills/polite', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    await polite.endAsync();
    const rude = await running.client({
      protocolVersion: 4,
      clientId: 'rude',
      will: { topic: 'wills/rude', payload: Buffer.from('crashed'), qos: 1, retain: false },
    });
    (rude as unknown as { stream: { destroy(): void } }).stream.destroy();
    const [will] = await watched.next(1);
    expect([will!.topic, will!.payload]).toEqual(['wills/rude', 'crashed']);
    await watcher.publishAsync('wills/fence', 'x', { qos: 1 });
    await watched.next(2);
    expect(watched.messages.map((message) => message.topic)).toEqual(['wills/rude', 'wills/fence']);
  });

  it('[MQTT-3.1.2-5] keeps a persistent session and delivers what arrived while the client was away', async () => {
    running = await startBroker();
    const offline = await running.client({
      protocolVersion: 5,
      clientId: 'keeper',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    });
    await offline.subscribeAsync('queue/#', { qos: 1 });
    await offline.endAsync();
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 5; index += 1)
      await publisher.publishAsync(`queue/${index}`, `m${index}`, { qos: 1 });
    const returning = mqtt.connect(running.url, {
      protocolVersion: 5,
      clientId: 'keeper',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
      reconnectPeriod: 0,
    });
    const received = inbox(returning);
    const connack = await new Promise<mqtt.IConnackPacket>((resolve) => returning.once('connect', resolve));
    expect(connack.sessionPresent).toBe(true);
    const messages = await received.next(5);
    expect(messages.map((message) => message.payload)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await returning.endAsync();
  });

  it('[MQTT-3.1.4-3] closes the older connection of a client id with 0x8E when a new one connects', async () => {
    running = await startBroker();
    const first = await running.client({ protocolVersion: 5, clientId: 'twin' });
    const disconnected = new Promise<mqtt.IDisconnectPacket>((resolve) => first.on('disconnect', resolve));
    await running.client({ protocolVersion: 5, clientId: 'twin' });
    expect((await disconnected).reasonCode).toBe(ReasonCode.SessionTakenOver);
  });

  it('shares $share subscriptions round robin between group members', async () => {
    running = await startBroker();
    const workers = await Promise.all([
      running.client({ protocolVersion: 5 }),
      running.client({ protocolVersion: 5 }),
    ]);
    const inboxes = workers.map(inbox);
    for (const worker of workers) await worker.subscribeAsync('$share/pool/jobs/#', { qos: 1 });
    const producer = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 10; index += 1)
      await producer.publishAsync(`jobs/${index}`, String(index), { qos: 1 });
    await vi.waitFor(() => expect(inboxes[0]!.messages.length + inboxes[1]!.messages.length).toBe(10));
    expect(inboxes[0]!.messages).toHaveLength(5);
    expect(inboxes[1]!.messages).toHaveLength(5);
  });

  it('answers a denied MQTT 5 publish with PUBACK 0x87 and delivers nothing', async () => {
    const readOnly: Hook = {
      ...allowEverything,
      name: 'read-only',
      authorizePublish: ({ topic }) =>
        topic.startsWith('secret/') ? { deny: ReasonCode.NotAuthorized } : 'allow',
    };
    running = await startBroker({ hooks: [readOnly] });
    const listener = await running.client({ protocolVersion: 5 });
    const heard = inbox(listener);
    await listener.subscribeAsync('#', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    const result = await publisher
      .publishAsync('secret/plans', 'x', { qos: 1 })
      .catch((error: unknown) => error);
    expect(result).toMatchObject({ code: ReasonCode.NotAuthorized });
    await publisher.publishAsync('public/news', 'y', { qos: 1 });
    expect((await heard.next(1)).map((message) => message.topic)).toEqual(['public/news']);
  });

  it('lets onPublish change a message or drop it', async () => {
    const transform: Hook = {
      name: 'transform',
      onPublish: ({ packet }) =>
        packet.topic === 'drop/me'
          ? 'drop'
          : { ...packet, payload: Buffer.from(`${Buffer.from(packet.payload).toString()}!`) },
    };
    running = await startBroker({ hooks: [allowEverything, transform] });
    const client = await running.client({ protocolVersion: 5 });
    const received = inbox(client);
    await client.subscribeAsync('#', { qos: 1 });
    await client.publishAsync('drop/me', 'x', { qos: 1 });
    await client.publishAsync('keep/me', 'hello', { qos: 1 });
    expect((await received.next(1)).map((message) => [message.topic, message.payload])).toEqual([
      ['keep/me', 'hello!'],
    ]);
  });

  it('closes a connection that sends garbage, while a client alongside keeps receiving', async () => {
    running = await startBroker();
    const steady = await running.client({ protocolVersion: 5 });
    const heard = inbox(steady);
    await steady.subscribeAsync('steady', { qos: 1 });
    const socket = connectTcp({ port: running.port, host: '127.0.0.1' });
    await once(socket, 'connect');
    socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
    socket.resume();
    await once(socket, 'close');
    await steady.publishAsync('steady', 'still here', { qos: 1 });
    expect((await heard.next(1))[0]!.payload).toBe('still here');
  });

  it('[MQTT-3.1.2-24] closes a client that stays silent for one and a half keep-alive periods', async () => {
    running = await startBroker();
    const socket = connectTcp({ port: running.port, host: '127.0.0.1' });
    await once(socket, 'connect');
    // CONNECT, MQTT 3.1.1, clean session, keep alive 1 s, client id "k".
    socket.write(
      Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x01, 0x00, 0x01, 0x6b]),
    );
    socket.resume();
    const started = Date.now();
    await once(socket, 'close');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('serves publish() and subscribe() to code in the broker process', async () => {
    running = await startBroker();
    const seen: string[] = [];
    const unsubscribe = await running.broker.subscribe('events/#', (message) =>
      seen.push(`${message.topic}=${Buffer.from(message.payload).toString()}`),
    );
    const client = await running.client({ protocolVersion: 5 });
    const received = inbox(client);
    await client.subscribeAsync('server/#', { qos: 1 });
    await running.broker.publish({ topic: 'server/hello', payload: 'from inside', qos: 1 });
    expect((await received.next(1))[0]!.payload).toBe('from inside');
    await client.publishAsync('events/one', 'a', { qos: 1 });
    await vi.waitFor(() => expect(seen).toEqual(['events/one=a']));
    unsubscribe();
    await client.publishAsync('events/two', 'b', { qos: 1 });
    await client.publishAsync('server/fence', 'x', { qos: 1 });
    await received.next(2);
    expect(seen).toEqual(['events/one=a']);
  });

  it('sends MQTT 5 clients DISCONNECT 0x8B when it closes', async () => {
    running = await startBroker();
    const client = await running.client({ protocolVersion: 5 });
    const disconnected = new Promise<mqtt.IDisconnectPacket>((resolve) => client.on('disconnect', resolve));
    await running.broker.close();
    expect((await disconnected).reasonCode).toBe(ReasonCode.ServerShuttingDown);
  });
});
