import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import { createTcpTransport } from '@mqttkit/transport-tcp';
import { createBroker } from '../src/index.js';
import type { Broker } from '../src/index.js';
import { allowEverything, inbox, startBroker } from './helpers.js';
import type { Running } from './helpers.js';
import { rawClient } from './raw-client.js';
import mqtt from 'mqtt';

let running: Running | undefined;
let broker: Broker | undefined;
afterEach(async () => {
  await running?.stop();
  await broker?.close();
  running = undefined;
  broker = undefined;
});

describe('limits and transports', () => {
  it('refuses connections beyond maximumConnections with 0x97', async () => {
    running = await startBroker({ hooks: [allowEverything], capabilities: { maximumConnections: 1 } });
    await running.client({ protocolVersion: 5 });
    await expect(running.client({ protocolVersion: 5 })).rejects.toMatchObject({
      code: ReasonCode.QuotaExceeded,
    });
  });

  it('closes a socket that never sends CONNECT after connectTimeout', async () => {
    running = await startBroker({ hooks: [allowEverything], capabilities: { connectTimeout: 100 } });
    const client = await rawClient(running.port, 4);
    await client.closed();
  });

  it('[MQTT-3.2.2-2] answers an unknown protocol level with CONNACK 0x01 and closes', async () => {
    running = await startBroker();
    const client = await rawClient(running.port, 4);
    // CONNECT with protocol level 6.
    client.socket.write(
      Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x06, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x61]),
    );
    expect(await client.next()).toMatchObject({
      type: 'connack',
      reasonCode: ReasonCode.UnsupportedProtocolVersion,
    });
    await client.closed();
  });

  it('[MQTT-4.13.1-1] sends an MQTT 5 client DISCONNECT 0x95 for a packet over the maximum size, then closes', async () => {
    running = await startBroker({ hooks: [allowEverything], capabilities: { maximumPacketSize: 1024 } });
    const client = await rawClient(running.port, 5);
    client.send({ type: 'connect', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'big' });
    expect(await client.next()).toMatchObject({
      type: 'connack',
      reasonCode: 0,
      properties: { maximumPacketSize: 1024 },
    });
    client.send({
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(2000),
      qos: 0,
      retain: false,
      dup: false,
    });
    expect(await client.next()).toMatchObject({ type: 'disconnect', reasonCode: ReasonCode.PacketTooLarge });
    await client.closed();
  });

  it('serves clients through listen(transport) and stops the transport on close()', async () => {
    broker = await createBroker({ hooks: [allowEverything], capabilities: { sysInterval: 0 } });
    const transport = createTcpTransport({ port: 0 });
    const { port } = await broker.listen(transport);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const received = inbox(client);
    await client.subscribeAsync('x', { qos: 0 });
    await client.publishAsync('x', 'via transport');
    expect((await received.next(1))[0]!.payload).toBe('via transport');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await broker.close();
    await closed;
    expect(transport.address()).toBeUndefined();
  });

  it('drops QoS 0 messages for a client whose socket does not drain, and keeps others flowing', async () => {
    running = await startBroker({
      hooks: [allowEverything],
      capabilities: { maximumWriteBuffer: 64 * 1024 },
    });
    const slow = await rawClient(running.port, 4);
    slow.send({ type: 'connect', protocolVersion: 4, clean: true, keepAlive: 0, clientId: 'slow' });
    await slow.next();
    slow.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'flood', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await slow.next();
    slow.socket.pause();
    const fast = await running.client({ protocolVersion: 4 });
    const received = inbox(fast);
    // QoS 1 for the healthy client: flow-controlled, never dropped; the slow one subscribed at QoS 0.
    await fast.subscribeAsync('flood', { qos: 1 });
    // Enough to fill the kernel's socket buffers on both sides of the paused connection.
    const payload = Buffer.alloc(32 * 1024);
    for (let index = 0; index < 1000; index += 1) fast.publish('flood', payload, { qos: 1 });
    await received.next(1000);
    expect(running.broker.statistics.publishDropped).toBeGreaterThan(0);
    slow.socket.destroy();
    await once(slow.socket, 'close');
  });
});
