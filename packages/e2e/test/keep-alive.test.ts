// Keep alive: a silent client is closed after one and a half periods, a pinging one is not, and
// a Server Keep Alive replaces the client's value.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { brokerTimer } from './support/broker-timer.js';
import { inbox } from './support/inbox.js';
import { connectPacket, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
let strict: RunningBroker;
beforeAll(async () => {
  [running, strict] = await Promise.all([
    startBroker(),
    startBroker({ capabilities: { serverKeepAlive: 1 } }),
  ]);
});
afterAll(async () => {
  await Promise.all([running.stop(), strict.stop()]);
  expect([...running.errors, ...strict.errors]).toEqual([]);
});

/** Connects a raw client with the given keep alive and resolves with the CONNACK's size and the time it arrived. */
async function silentClient(
  broker: RunningBroker,
  options: { protocolVersion: 4 | 5; keepAlive: number; willTopic?: string },
): Promise<{
  closedAfter: Promise<number>;
  afterConnack: () => Buffer;
  serverKeepAlive: number | undefined;
}> {
  const raw = await openRawConnection(broker.port, options.protocolVersion);
  const connect = connectPacket(
    `silent-${options.protocolVersion}-${options.keepAlive}`,
    options.protocolVersion,
    options.keepAlive,
  );
  if (options.willTopic !== undefined)
    connect.will = { topic: options.willTopic, payload: Buffer.from('timed out'), qos: 1, retain: false };
  raw.send(connect);
  const connack = await raw.next('connack');
  const connectedAt = Date.now();
  const connackLength = encode(connack, options.protocolVersion).length;
  return {
    closedAfter: raw.closed.then(() => Date.now() - connectedAt),
    afterConnack: () => raw.received().subarray(connackLength),
    serverKeepAlive: connack.properties?.serverKeepAlive,
  };
}

describe.concurrent('keep alive', () => {
  it('[MQTT-3.1.2-24] closes a silent MQTT 3.1.1 client after one and a half keep-alive periods, without a packet, and publishes its will', async () => {
    const watcher = await running.client({ protocolVersion: 4 });
    const wills = inbox(watcher);
    await watcher.subscribeAsync('keepalive/will', { qos: 1 });
    const client = await silentClient(running, {
      protocolVersion: 4,
      keepAlive: 1,
      willTopic: 'keepalive/will',
    });
    const waited = await client.closedAfter;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
    expect(client.afterConnack()).toEqual(Buffer.alloc(0));
    expect((await wills.next(1))[0]!.payload).toBe('timed out');
  });

  it('[MQTT-3.1.2-22] closes a silent MQTT 5 client after one and a half keep-alive periods, with DISCONNECT 0x8D', async () => {
    const client = await silentClient(running, { protocolVersion: 5, keepAlive: 1 });
    const waited = await client.closedAfter;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
    expect(client.afterConnack()).toEqual(
      Buffer.from(encode({ type: 'disconnect', reasonCode: ReasonCode.KeepAliveTimeout }, 5)),
    );
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`[MQTT-3.1.2-20] keeps an MQTT.js ${protocolVersion === 5 ? 'MQTT 5' : 'MQTT 3.1.1'} client that pings every second connected`, async () => {
      const client = await running.client({ protocolVersion, keepalive: 1 });
      let closed = false;
      let pings = 0;
      client.on('close', () => (closed = true));
      client.on('packetreceive', (packet) => {
        if (packet.cmd === 'pingresp') pings += 1;
      });
      await brokerTimer(running, 2);
      expect(closed).toBe(false);
      expect(pings).toBeGreaterThanOrEqual(1);
      await client.endAsync();
    });
  }

  it('[MQTT-3.2.2-21] sends its Server Keep Alive in CONNACK and enforces it instead of the client’s value', async () => {
    const client = await silentClient(strict, { protocolVersion: 5, keepAlive: 60 });
    expect(client.serverKeepAlive).toBe(1);
    const waited = await client.closedAfter;
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
  });

  it('[MQTT-3.1.2-21] lets MQTT.js adopt the Server Keep Alive and stay connected', async () => {
    const client = await strict.client({ protocolVersion: 5, keepalive: 60 });
    let closed = false;
    client.on('close', () => (closed = true));
    await brokerTimer(strict, 2);
    expect(closed).toBe(false);
    await client.endAsync();
  });
});
