// MQTT.js 3.1.1 and 5.0 clients on every transport, QoS 0, 1 and 2 in both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { inbox } from './support/inbox.js';
import { connectPacket, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker, TransportName } from './support/start-broker.js';

let running: RunningBroker;
beforeAll(async () => {
  running = await startBroker({ transports: ['tls', 'ws', 'wss'] });
});
afterAll(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

const cases: [TransportName, 4 | 5][] = [
  ['tcp', 4],
  ['tcp', 5],
  ['tls', 4],
  ['tls', 5],
  ['ws', 4],
  ['ws', 5],
  ['wss', 5],
];

describe('transports', () => {
  for (const [transport, protocolVersion] of cases) {
    it(`[MQTT-4.3.2-4] [MQTT-4.3.3-8] carries QoS 0, 1 and 2 both ways for MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'} over ${transport}`, async () => {
      const prefix = `${transport}-${protocolVersion}`;
      const subscriber = await running.client({ transport, protocolVersion, clientId: `${prefix}-sub` });
      const publisher = await running.client({ transport, protocolVersion, clientId: `${prefix}-pub` });
      const received = inbox(subscriber);
      const granted = await subscriber.subscribeAsync(`${prefix}/#`, { qos: 2 });
      expect(granted.map((grant) => grant.qos)).toEqual([2]);
      for (const qos of [0, 1, 2] as const)
        await publisher.publishAsync(`${prefix}/q${qos}`, `payload ${qos}`, { qos });
      const messages = await received.next(3);
      expect(messages.map((message) => [message.topic, message.payload, message.packet.qos])).toEqual([
        [`${prefix}/q0`, 'payload 0', 0],
        [`${prefix}/q1`, 'payload 1', 1],
        [`${prefix}/q2`, 'payload 2', 2],
      ]);
      // The subscriber publishes too, so every QoS handshake also runs with the roles swapped.
      const back = inbox(publisher);
      await publisher.subscribeAsync(`${prefix}/back/#`, { qos: 2 });
      for (const qos of [0, 1, 2] as const)
        await subscriber.publishAsync(`${prefix}/back/q${qos}`, `back ${qos}`, { qos });
      expect((await back.next(3)).map((message) => message.packet.qos)).toEqual([0, 1, 2]);
    });
  }

  for (const transport of ['tcp', 'ws'] as const) {
    it(`[MQTT-4.6.0-6] carries a 1 MiB message and 2,000 pipelined messages in order over ${transport}`, async () => {
      const subscriber = await running.client({ transport, protocolVersion: 5 });
      const received = inbox(subscriber);
      await subscriber.subscribeAsync(`bulk/${transport}/#`, { qos: 1 });
      const publisher = await running.client({ transport, protocolVersion: 4 });
      const big = Buffer.alloc(1024 * 1024, 0x5a);
      await publisher.publishAsync(`bulk/${transport}/big`, big, { qos: 1 });
      const sends: Promise<unknown>[] = [];
      for (let index = 0; index < 2000; index += 1)
        sends.push(publisher.publishAsync(`bulk/${transport}/n`, String(index), { qos: 1 }));
      await Promise.all(sends);
      const messages = await received.next(2001);
      expect(Buffer.compare(messages[0]!.packet.payload as Buffer, big)).toBe(0);
      expect(messages.slice(1).map((message) => Number(message.payload))).toEqual(
        Array.from({ length: 2000 }, (_, index) => index),
      );
    });
  }

  it('[MQTT-3.1.2-8] [MQTT-3.14.4-3] notices a vanished client on every transport (will published) and a polite one (will discarded)', async () => {
    const watcher = await running.client({ protocolVersion: 5 });
    const wills = inbox(watcher);
    await watcher.subscribeAsync('gone/#', { qos: 1 });
    const will = (topic: string) => ({
      topic: `gone/${topic}`,
      payload: Buffer.from('bye'),
      qos: 1 as const,
      retain: false,
    });
    for (const transport of ['tcp', 'tls', 'ws', 'wss'] as const) {
      const polite = await running.client({
        transport,
        protocolVersion: 5,
        clientId: `polite-${transport}`,
        will: will(`polite-${transport}`),
      });
      await polite.endAsync();
      const vanishing = await running.client({
        transport,
        protocolVersion: 4,
        clientId: `vanishing-${transport}`,
        will: will(transport),
      });
      (vanishing as unknown as { stream: { destroy(): void } }).stream.destroy();
      await wills.on(`gone/${transport}`);
    }
    expect(wills.messages.map((message) => message.topic)).toEqual([
      'gone/tcp',
      'gone/tls',
      'gone/ws',
      'gone/wss',
    ]);
  });

  it('reads packets split into single bytes and packets batched into one write', async () => {
    const raw = await openRawConnection(running.port, 5);
    const connect = encode(connectPacket('chunked', 5), 5);
    const exchange = Buffer.concat([
      encode(
        {
          type: 'subscribe',
          packetId: 1,
          subscriptions: [
            { topicFilter: 'chunked', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ],
        },
        5,
      ),
      encode(
        {
          type: 'publish',
          topic: 'chunked',
          payload: Buffer.from('hello'),
          qos: 1,
          retain: false,
          dup: false,
          packetId: 2,
        },
        5,
      ),
      encode({ type: 'pingreq' }, 5),
    ]);
    for (const byte of Buffer.concat([connect, exchange])) {
      raw.socket.write(Buffer.from([byte]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await raw.next('pingresp');
    raw.send(exchange);
    await raw.next('pingresp', 1);
    // The order of the PUBACK and the delivery to the publisher itself is the broker's choice.
    const kinds = [
      'connack',
      'suback',
      'publish',
      'puback',
      'pingresp',
      'suback',
      'publish',
      'puback',
      'pingresp',
    ];
    expect(raw.packets.map((packet) => packet.type).sort()).toEqual(kinds.sort());
    expect(raw.packets[0]!.type).toBe('connack');
    raw.socket.end();
    await raw.closed;
  });

  it('refuses a TLS client without a certificate while the others carry on', async () => {
    const steady = await running.client({ transport: 'tls', protocolVersion: 5 });
    const received = inbox(steady);
    await steady.subscribeAsync('mtls/check', { qos: 1 });
    await expect(
      running.client({ transport: 'tls', protocolVersion: 5, key: undefined, cert: undefined }),
    ).rejects.toThrow();
    await steady.publishAsync('mtls/check', 'still here', { qos: 1 });
    expect((await received.next(1))[0]!.payload).toBe('still here');
  });

  it('[MQTT-3.8.4-6] [MQTT-3.8.4-8] delivers at the lower of the published and the granted QoS', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const publisher = await running.client({ protocolVersion: 4 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('downgrade/#', { qos: 1 });
    await publisher.publishAsync('downgrade/two', 'x', { qos: 2 });
    await publisher.publishAsync('downgrade/zero', 'y', { qos: 0 });
    expect((await received.next(2)).map((message) => message.packet.qos)).toEqual([1, 0]);
  });
});
