// A subscriber that stops reading: QoS 0 messages to it are dropped once its socket holds more
// than `maximumWriteBuffer`, it is closed after `drainTimeout`, and nobody else notices.
import { afterEach, describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import type { Hook } from '@mqttkit/contracts';
import { inbox } from './support/inbox.js';
import { connectPacket, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

describe('backpressure', () => {
  it('drops QoS 0 messages for a subscriber that stopped reading, then closes it, while another subscriber gets every message', async () => {
    let stuckDisconnected = false;
    const watcher: Hook = {
      name: 'watch-stuck',
      onClientDisconnected: ({ client }) => {
        if (client.clientId === 'stuck') stuckDisconnected = true;
      },
    };
    running = await startBroker({
      capabilities: { maximumWriteBuffer: 64 * 1024, drainTimeout: 200 },
      hooks: [allowAll({ logger: { warn: () => {} } }), watcher],
    });
    const steady = await running.client({ protocolVersion: 5 });
    const received = inbox(steady);
    await steady.subscribeAsync('flood/#', { qos: 0 });
    const stuck = await openRawConnection(running.port, 5);
    stuck.send(connectPacket('stuck', 5));
    await stuck.next('connack');
    stuck.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'flood/#', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await stuck.next('suback');
    stuck.socket.pause();

    const publisher = await running.client({ protocolVersion: 5 });
    const payload = Buffer.alloc(64 * 1024, 0x61);
    let published = 0;
    // Bounded: far more than the socket buffers of a loopback connection hold.
    while (!stuckDisconnected && published < 2000) {
      await publisher.publishAsync('flood/data', payload, { qos: 1 });
      published += 1;
    }
    expect(stuckDisconnected).toBe(true);
    expect(running.broker.statistics.publishDropped).toBeGreaterThan(0);
    await expect.poll(() => received.messages.length).toBe(published);
    stuck.socket.destroy();
  });
});
