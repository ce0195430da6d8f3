// Hooks that answer later (as a database or an HTTP call would) must not reorder anything.
import { afterEach, describe, expect, it } from 'vitest';
import type { Hook } from '@mqttkit/contracts';
import { inbox } from './support/inbox.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

let answers = 0;
/** Resolves on a later turn of the event loop: every third answer after a timer, the rest after I/O. */
const later = <T>(value: T): Promise<T> =>
  new Promise((resolve) =>
    answers++ % 3 === 0 ? setTimeout(() => resolve(value), 1) : setImmediate(() => resolve(value)),
  );

const slowHooks: Hook = {
  name: 'slow-but-willing',
  authenticate: () => later('allow'),
  authorizePublish: () => later('allow'),
  authorizeSubscribe: () => later('allow'),
  onPublish: ({ packet }) => later(packet),
};

describe('asynchronous hooks', () => {
  it('[MQTT-4.6.0-6] keeps each QoS in publishing order and the newest retained message per topic', async () => {
    running = await startBroker({ hooks: [slowHooks] });
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('ordered/#', { qos: 2 });
    const publisher = await running.client({ protocolVersion: 5 });
    const sends: Promise<unknown>[] = [];
    for (let index = 0; index < 300; index += 1) {
      const qos = (index % 3) as 0 | 1 | 2;
      sends.push(publisher.publishAsync(`ordered/${qos}`, String(index), { qos, retain: index % 50 === 0 }));
    }
    await Promise.all(sends);
    await received.next(300);
    for (const qos of [0, 1, 2]) {
      const payloads = received.messages
        .filter((message) => message.packet.qos === qos)
        .map((message) => Number(message.payload));
      expect(payloads).toEqual(Array.from({ length: 100 }, (_, index) => index * 3 + qos));
    }
    const late = await running.client({ protocolVersion: 4 });
    const lateInbox = inbox(late);
    await late.subscribeAsync('ordered/#', { qos: 1 });
    const retained = await lateInbox.next(3);
    expect(retained.map((message) => [message.topic, message.payload]).sort()).toEqual([
      ['ordered/0', '150'],
      ['ordered/1', '250'],
      ['ordered/2', '200'],
    ]);
  });
});
