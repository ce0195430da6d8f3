// MQTT.js 3.1.1 and 5.0 clients on every transport, QoS 0, 1 and 2 in both directions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbox } from './support/inbox.js';
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
      for (const qos of [0, 1, 2] as const) await publisher.publishAsync(`${prefix}/q${qos}`, `payload ${qos}`, { qos });
      const messages = await received.next(3);
      expect(messages.map((message) => [message.topic, message.payload, message.packet.qos])).toEqual([
        [`${prefix}/q0`, 'payload 0', 0],
        [`${prefix}/q1`, 'payload 1', 1],
        [`${prefix}/q2`, 'payload 2', 2],
      ]);
      // The subscriber publishes too, so every QoS handshake also runs with the roles swapped.
      const back = inbox(publisher);
      await publisher.subscribeAsync(`${prefix}/back/#`, { qos: 2 });
      for (const qos of [0, 1, 2] as const) await subscriber.publishAsync(`${prefix}/back/q${qos}`, `back ${qos}`, { qos });
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
      for (let index = 0; index < 2000; index += 1) sends.push(publisher.publishAsync(`bulk/${transport}/n`, String(index), { qos: 1 }));
      await Promise.all(sends);
      const messages = await received.next(2001);
      expect(Buffer.compare(messages[0]!.packet.payload as Buffer, big)).toBe(0);
      expect(messages.slice(1).map((message) => Number(message.payload))).toEqual(Array.from({ length: 2000 }, (_, index) => index));
    });
  }

  it('refuses a TLS client without a certificate while the others carry on', async () => {
    const steady = await running.client({ transport: 'tls', protocolVersion: 5 });
    const received = inbox(steady);
    await steady.subscribeAsync('mtls/check', { qos: 1 });
    await expect(running.client({ transport: 'tls', protocolVersion: 5, key: undefined, cert: undefined })).rejects.toThrow();
    await steady.publishAsync('mtls/check', 'still here', { qos: 1 });
    expect((await received.next(1))[0]!.payload).toBe('still here');
  });

  it('[MQTT-3.8.4-6] delivers at the lower of the published and the granted QoS', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const publisher = await running.client({ protocolVersion: 4 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('downgrade/#', { qos: 1 });
    await publisher.publishAsync('downgrade/two', 'x', { qos: 2 });
    await publisher.publishAsync('downgrade/zero', 'y', { qos: 0 });
    expect((await received.next(2)).map((message) => message.packet.qos)).toEqual([1, 0]);
  });
});
