// MQTT 5.0 sections 3.1 and 3.2, keep alive: the broker closes a client silent for one and a half
// keep-alive periods, keeps a pinging one, and enforces its Server Keep Alive instead of the
// client's value when it sends one.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Connect } from '@mqttkit/codec';
import type { RawConnection } from '../../support/raw-connection.js';
import type { RunningBroker } from '../../support/start-broker.js';
import { brokerForFile } from '../support/file-broker.js';
import { connectRaw, disconnectBytes, leave, subscribe, subscription } from '../support/raw-client.js';

const running = brokerForFile();
const strict = brokerForFile({ capabilities: { serverKeepAlive: 1 } });

/** Sends PINGREQ every `interval` ms, `count` times, each answered before the next; resolves with the PINGRESPs seen. */
async function ping(raw: RawConnection, count: number, interval: number): Promise<number> {
  let closed = false;
  void raw.closed.then(() => (closed = true));
  for (let index = 0; index < count && !closed; index += 1) {
    // The pause is the client's own pacing, which is what the test is about.
    await delay(interval);
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp', index);
  }
  return raw.packets.filter((packet) => packet.type === 'pingresp').length;
}

/** Resolves with how long after CONNACK the broker closed a silent client, and what it sent then. */
async function silence(broker: RunningBroker, clientId: string, overrides: Partial<Connect>) {
  const { raw, connack } = await connectRaw(broker.port, 5, clientId, overrides);
  const connectedAt = Date.now();
  const connackLength = encode(connack, 5).length;
  await raw.closed;
  return { connack, waited: Date.now() - connectedAt, after: raw.received().subarray(connackLength) };
}

describe.concurrent('MQTT 5.0 keep alive', () => {
  it('[MQTT-3.1.2-20] answers each PINGREQ of a client with nothing else to send and keeps it connected past one and a half periods', async () => {
    const { raw } = await connectRaw(running.port, 5, 'pinger', { keepAlive: 1 });
    // 4 pings at 600 ms: 2.4 s, well past the 1.5 s the broker would allow a silent client.
    expect(await ping(raw, 4, 600)).toBe(4);
    await leave(raw);
  });

  it('[MQTT-3.1.2-22] [MQTT-3.2.2-22] closes a client silent for one and a half of its own Keep Alive periods with DISCONNECT 0x8D, as a network failure: its will goes out', async () => {
    const watcher = await connectRaw(running.port, 5, 'silent-watcher');
    await subscribe(watcher.raw, [subscription('silent/will', 0)], { packetId: 1 });
    const { connack, waited, after } = await silence(running, 'silent', {
      keepAlive: 1,
      will: { topic: 'silent/will', payload: Buffer.from('timed out'), qos: 0, retain: false },
    });
    expect(connack.properties?.serverKeepAlive).toBeUndefined();
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
    expect(after).toEqual(disconnectBytes(ReasonCode.KeepAliveTimeout));
    expect(Buffer.from((await watcher.raw.next('publish')).payload).toString()).toBe('timed out');
    await leave(watcher.raw);
  });

  it('[MQTT-3.1.2-21] [MQTT-3.2.2-21] sends Server Keep Alive in CONNACK and holds a client to it instead of the Keep Alive it asked for', async () => {
    const { connack, waited, after } = await silence(strict, 'overruled', { keepAlive: 60 });
    expect(connack.properties?.serverKeepAlive).toBe(1);
    expect(waited).toBeGreaterThanOrEqual(1400);
    expect(waited).toBeLessThan(3000);
    expect(after).toEqual(disconnectBytes(ReasonCode.KeepAliveTimeout));
  });

  it('[MQTT-3.1.2-21] [MQTT-3.2.2-21] keeps a client that pings at the Server Keep Alive instead of the value it asked for', async () => {
    const { raw, connack } = await connectRaw(strict.port, 5, 'obedient', { keepAlive: 60 });
    expect(connack.properties?.serverKeepAlive).toBe(1);
    expect(await ping(raw, 4, 600)).toBe(4);
    await leave(raw);
  });
});
