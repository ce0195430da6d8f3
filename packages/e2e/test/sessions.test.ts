// Persistent sessions with offline messages (3.1.1 Clean Session 0, MQTT 5 Session Expiry
// Interval), sessions that end, and takeover of a client id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mqtt from 'mqtt';
import { ReasonCode } from '@mqttkit/codec';
import { brokerTimer } from './support/broker-timer.js';
import { inbox } from './support/inbox.js';
import { startBroker } from './support/start-broker.js';
import type { ClientOptions, RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
beforeEach(async () => {
  running = await startBroker();
});
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

/** Connects and resolves with the client, its CONNACK and an inbox that saw every message since. */
async function reconnect(
  options: ClientOptions,
): Promise<{ client: mqtt.MqttClient; connack: mqtt.IConnackPacket; received: ReturnType<typeof inbox> }> {
  const client = running.connect(options);
  const received = inbox(client);
  const connack = await new Promise<mqtt.IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return { client, connack, received };
}

async function publishAll(topics: readonly [string, 0 | 1 | 2][]): Promise<void> {
  const publisher = await running.client({ protocolVersion: 5 });
  for (const [topic, qos] of topics) await publisher.publishAsync(topic, topic, { qos });
  await publisher.endAsync();
}

describe('persistent sessions', () => {
  it('[MQTT-3.1.2-4] [MQTT-3.1.2-5] keeps a 3.1.1 Clean Session 0 session and queues QoS 1 and 2 messages while the client is away', async () => {
    const options = { protocolVersion: 4, clientId: 'keeper-311', clean: false } as const;
    const first = await running.client(options);
    await first.subscribeAsync('offline/#', { qos: 2 });
    await first.endAsync();
    await publishAll([
      ['offline/1', 1],
      ['offline/2', 2],
      ['offline/3', 1],
    ]);
    const { connack, received } = await reconnect(options);
    expect(connack.sessionPresent).toBe(true);
    const messages = await received.next(3);
    expect(messages.map((message) => [message.topic, message.packet.qos]).sort()).toEqual([
      ['offline/1', 1],
      ['offline/2', 2],
      ['offline/3', 1],
    ]);
    // [MQTT-4.6.0-6] in the order they were published (MQTT.js hands QoS 2 over later, at PUBREL).
    expect(received.arrivals).toEqual(['offline/1', 'offline/2', 'offline/3']);
  });

  it('[MQTT-3.1.2-6] discards a session when the client connects with Clean Session 1', async () => {
    const first = await running.client({ protocolVersion: 4, clientId: 'cleaner', clean: false });
    await first.subscribeAsync('clean/#', { qos: 1 });
    await first.endAsync();
    await publishAll([['clean/1', 1]]);
    const { client, connack, received } = await reconnect({
      protocolVersion: 4,
      clientId: 'cleaner',
      clean: true,
    });
    expect(connack.sessionPresent).toBe(false);
    await client.subscribeAsync('fence', { qos: 1 });
    await client.publishAsync('clean/2', 'not subscribed any more', { qos: 1 });
    await client.publishAsync('fence', 'x', { qos: 1 });
    await received.on('fence');
    expect(received.messages.map((message) => message.topic)).toEqual(['fence']);
  });

  it('[MQTT-3.1.2-23] [MQTT-3.2.2-3] keeps an MQTT 5 session for its Session Expiry Interval and resumes it with Clean Start 0', async () => {
    const options = {
      protocolVersion: 5,
      clientId: 'keeper-5',
      clean: false,
      properties: { sessionExpiryInterval: 30 },
    } as const;
    const first = await running.client(options);
    await first.subscribeAsync('away/#', { qos: 1 });
    await first.endAsync();
    await publishAll([
      ['away/1', 1],
      ['away/2', 2],
    ]);
    const { connack, received } = await reconnect(options);
    expect(connack.sessionPresent).toBe(true);
    expect((await received.next(2)).map((message) => message.topic)).toEqual(['away/1', 'away/2']);
  });

  it('[MQTT-4.1.0-2] discards the session and its queued messages once the Session Expiry Interval has passed', async () => {
    const options = {
      protocolVersion: 5,
      clientId: 'expiring',
      clean: false,
      properties: { sessionExpiryInterval: 1 },
    } as const;
    const first = await running.client(options);
    await first.subscribeAsync('expiring/#', { qos: 1 });
    await first.endAsync();
    await publishAll([['expiring/1', 1]]);
    await brokerTimer(running, 1);
    const { client, connack, received } = await reconnect(options);
    expect(connack.sessionPresent).toBe(false);
    await client.subscribeAsync('fence', { qos: 1 });
    await client.publishAsync('expiring/2', 'no subscription', { qos: 1 });
    await client.publishAsync('fence', 'x', { qos: 1 });
    await received.on('fence');
    expect(received.messages.map((message) => message.topic)).toEqual(['fence']);
  });

  it('bounds the offline queue at maximumQueuedMessages, keeping the newest messages', async () => {
    await running.stop();
    running = await startBroker({ capabilities: { maximumQueuedMessages: 3 } });
    const options = {
      protocolVersion: 5,
      clientId: 'bounded',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    } as const;
    const first = await running.client(options);
    await first.subscribeAsync('bounded', { qos: 1 });
    await first.endAsync();
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 6; index += 1)
      await publisher.publishAsync('bounded', String(index), { qos: 1 });
    const { client, received } = await reconnect(options);
    await client.subscribeAsync('fence', { qos: 1 });
    await client.publishAsync('fence', 'fence', { qos: 1 });
    await received.on('fence');
    expect(received.messages.map((message) => message.payload)).toEqual(['3', '4', '5', 'fence']);
  });

  it('ends an MQTT 5 session at disconnection when Session Expiry Interval is 0', async () => {
    const options = { protocolVersion: 5, clientId: 'fleeting', clean: false } as const;
    const first = await running.client(options);
    await first.subscribeAsync('fleeting/#', { qos: 1 });
    await first.endAsync();
    const { connack } = await reconnect(options);
    expect(connack.sessionPresent).toBe(false);
  });

  it('lets a client shorten its Session Expiry Interval on DISCONNECT', async () => {
    const options = {
      protocolVersion: 5,
      clientId: 'shortener',
      clean: false,
      properties: { sessionExpiryInterval: 300 },
    } as const;
    const first = await running.client(options);
    await first.subscribeAsync('short/#', { qos: 1 });
    await new Promise<void>((resolve) =>
      first.end(false, { reasonCode: 0, properties: { sessionExpiryInterval: 0 } }, () => resolve()),
    );
    const { connack } = await reconnect(options);
    expect(connack.sessionPresent).toBe(false);
  });
});

describe('takeover', () => {
  it('[MQTT-3.1.4-3] sends the older MQTT 5 connection DISCONNECT 0x8E and moves the session to the new one', async () => {
    const options = {
      protocolVersion: 5,
      clientId: 'twin',
      clean: false,
      properties: { sessionExpiryInterval: 30 },
    } as const;
    const first = await running.client(options);
    await first.subscribeAsync('twin/#', { qos: 1 });
    const disconnected = new Promise<mqtt.IDisconnectPacket>((resolve) => first.once('disconnect', resolve));
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const { client: second, connack, received } = await reconnect(options);
    expect((await disconnected).reasonCode).toBe(ReasonCode.SessionTakenOver);
    await closed;
    expect(connack.sessionPresent).toBe(true);
    await second.publishAsync('twin/hello', 'to the new connection', { qos: 1 });
    expect((await received.next(1))[0]!.payload).toBe('to the new connection');
  });

  it('[MQTT-3.1.4-2] closes the older 3.1.1 connection of a client id', async () => {
    const first = await running.client({ protocolVersion: 4, clientId: 'twin-311' });
    const closed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await running.client({ protocolVersion: 4, clientId: 'twin-311' });
    await closed;
    expect(second.connected).toBe(true);
  });
});
