// Will messages: published on an ungraceful close or DISCONNECT 0x04, not after a normal
// DISCONNECT, after the Will Delay Interval, and not at all when the client comes back in time.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type mqtt from 'mqtt';
import { inbox } from './support/inbox.js';
import type { Inbox } from './support/inbox.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
let watcher: mqtt.MqttClient;
let wills: Inbox;
beforeEach(async () => {
  running = await startBroker();
  watcher = await running.client({ protocolVersion: 5, clientId: 'watcher' });
  wills = inbox(watcher);
  await watcher.subscribeAsync('wills/#', { qos: 1, rap: true });
});
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

/** Closes the client's socket without DISCONNECT, as a crash or a network failure would. */
function vanish(client: mqtt.MqttClient): void {
  (client as unknown as { stream: { destroy(): void } }).stream.destroy();
}

const will = (
  name: string,
  properties?: NonNullable<mqtt.IClientOptions['will']>['properties'],
): mqtt.IClientOptions['will'] => ({
  topic: `wills/${name}`,
  payload: Buffer.from(`${name} is gone`),
  qos: 1,
  retain: false,
  ...(properties ? { properties } : {}),
});

describe('wills', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`[MQTT-3.1.2-8] publishes the will when an MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'} client vanishes`, async () => {
      const client = await running.client({
        protocolVersion,
        clientId: `crash-${protocolVersion}`,
        will: will(`crash-${protocolVersion}`),
      });
      vanish(client);
      const [message] = await wills.next(1);
      expect([message!.topic, message!.payload, message!.packet.qos, message!.packet.retain]).toEqual([
        `wills/crash-${protocolVersion}`,
        `crash-${protocolVersion} is gone`,
        1,
        false,
      ]);
    });

    it(`[MQTT-3.14.4-3] discards the will on a normal DISCONNECT (MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      const polite = await running.client({
        protocolVersion,
        clientId: `polite-${protocolVersion}`,
        will: will('polite'),
      });
      await polite.endAsync();
      const rude = await running.client({
        protocolVersion,
        clientId: `rude-${protocolVersion}`,
        will: will('rude'),
      });
      vanish(rude);
      await wills.on('wills/rude');
      expect(wills.messages.map((message) => message.topic)).toEqual(['wills/rude']);
    });
  }

  it('[MQTT-3.1.4-3] publishes the will of a connection closed by a takeover', async () => {
    for (const protocolVersion of [4, 5] as const) {
      await running.client({
        protocolVersion,
        clientId: `taken-${protocolVersion}`,
        will: will(`taken-${protocolVersion}`),
      });
      await running.client({ protocolVersion, clientId: `taken-${protocolVersion}` });
      await wills.on(`wills/taken-${protocolVersion}`);
    }
    expect(wills.messages.map((message) => message.topic)).toEqual(['wills/taken-4', 'wills/taken-5']);
  });

  it('[MQTT-3.1.2-10] publishes the will on DISCONNECT 0x04 (Disconnect with Will Message)', async () => {
    const client = await running.client({ protocolVersion: 5, clientId: 'leaver', will: will('leaver') });
    await new Promise<void>((resolve) => client.end(false, { reasonCode: 0x04 }, () => resolve()));
    expect((await wills.next(1)).map((message) => message.topic)).toEqual(['wills/leaver']);
  });

  it('[MQTT-3.1.2-15] [MQTT-3.1.3-10] publishes a will with Will Retain as retained, with its properties in order', async () => {
    const userProperties = { b: '2', a: '1' };
    const client = await running.client({
      protocolVersion: 5,
      clientId: 'retainer',
      will: { ...will('retainer', { contentType: 'text/plain', userProperties })!, retain: true },
    });
    vanish(client);
    await wills.on('wills/retainer');
    const late = await running.client({ protocolVersion: 5 });
    const lateInbox = inbox(late);
    await late.subscribeAsync('wills/retainer', { qos: 1 });
    const [retained] = await lateInbox.next(1);
    expect(retained!.packet.retain).toBe(true);
    expect(retained!.packet.properties).toMatchObject({ contentType: 'text/plain', userProperties });
    expect(Object.keys(retained!.packet.properties!.userProperties!)).toEqual(['b', 'a']);
  });

  it('[MQTT-3.1.2-8] waits the Will Delay Interval before publishing the will', async () => {
    const client = await running.client({
      protocolVersion: 5,
      clientId: 'delayed',
      properties: { sessionExpiryInterval: 60 },
      will: will('delayed', { willDelayInterval: 1 }),
    });
    const closedAt = Date.now();
    vanish(client);
    await wills.on('wills/delayed');
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(900);
  });

  it('[MQTT-3.1.3-9] does not publish the will when the client reconnects within the Will Delay Interval', async () => {
    const options = { protocolVersion: 5 as const, clean: false, properties: { sessionExpiryInterval: 60 } };
    const first = await running.client({
      ...options,
      clientId: 'returner',
      will: will('returner', { willDelayInterval: 1 }),
    });
    vanish(first);
    await running.client({ ...options, clientId: 'returner' });
    // A second client with the same delay, gone after the reconnect: once its will arrives, the
    // first client's delay has passed too.
    const control = await running.client({
      ...options,
      clientId: 'control',
      will: will('control', { willDelayInterval: 1 }),
    });
    vanish(control);
    await wills.on('wills/control');
    expect(wills.messages.map((message) => message.topic)).toEqual(['wills/control']);
  });

  it('[MQTT-3.1.2-8] publishes a delayed will when the session ends first', async () => {
    const client = await running.client({
      protocolVersion: 5,
      clientId: 'short-session',
      properties: { sessionExpiryInterval: 1 },
      will: will('short-session', { willDelayInterval: 30 }),
    });
    const closedAt = Date.now();
    vanish(client);
    await wills.on('wills/short-session');
    const waited = Date.now() - closedAt;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
  });
});
