import { afterEach, describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { Logger, Store } from '@mqttkit/contracts';
import { createMemoryStore } from '@mqttkit/store-memory';
import { allowEverything, startBroker } from './helpers.js';
import type { Running } from './helpers.js';
import { rawClient } from './raw-client.js';
import type { RawClient } from './raw-client.js';

interface HeldWrite {
  readonly clientId: string;
  release(error?: Error): void;
}

/** A memory store whose session writes, once `hold` is set, resolve only when the test says so. */
function heldStore(): Store & { hold: boolean; held: HeldWrite[]; writes(count: number): Promise<void> } {
  const inner = createMemoryStore();
  const waiting: { count: number; resolve: () => void }[] = [];
  const store = {
    ...inner,
    hold: false,
    held: [] as HeldWrite[],
    async applySessionChanges(clientId: string, changes: Parameters<Store['applySessionChanges']>[1]) {
      await inner.applySessionChanges(clientId, changes);
      if (!store.hold) return;
      await new Promise<void>((resolve, reject) => {
        store.held.push({ clientId, release: (error) => (error === undefined ? resolve() : reject(error)) });
        for (const waiter of [...waiting]) {
          if (store.held.length >= waiter.count) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      });
    },
    writes(count: number): Promise<void> {
      if (store.held.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiting.push({ count, resolve }));
    },
  };
  return store;
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** An offline persistent subscriber to `t`, so every QoS 1 message to `t` is a store write. */
async function offlineSubscriber(port: number): Promise<void> {
  const subscriber = await rawClient(port, 5);
  subscriber.send({
    type: 'connect',
    protocolVersion: 5,
    clean: true,
    keepAlive: 0,
    clientId: 'offline',
    properties: { sessionExpiryInterval: 3600 },
  });
  expect(await subscriber.next()).toMatchObject({ type: 'connack', reasonCode: 0 });
  subscriber.send({
    type: 'subscribe',
    packetId: 1,
    subscriptions: [
      { topicFilter: 't', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
    ],
  });
  expect(await subscriber.next()).toMatchObject({ type: 'suback', reasonCodes: [1] });
  subscriber.send({ type: 'disconnect', reasonCode: 0 });
  await subscriber.closed();
}

async function publisher(port: number): Promise<RawClient> {
  const client = await rawClient(port, 5);
  client.send({ type: 'connect', protocolVersion: 5, clean: true, keepAlive: 0, clientId: 'publisher' });
  expect(await client.next()).toMatchObject({ type: 'connack', reasonCode: 0 });
  return client;
}

function publish(client: RawClient, packetId: number): void {
  client.send({
    type: 'publish',
    topic: 't',
    payload: Buffer.from(String(packetId)),
    qos: 1,
    retain: false,
    dup: false,
    packetId,
  });
}

describe('pipelined store writes', () => {
  it('[MQTT-4.6.0-2] routes the next PUBLISH packets while a write is pending, and sends the PUBACKs in order once each is stored', async () => {
    const store = heldStore();
    running = await startBroker({ hooks: [allowEverything], store, logger: silent });
    await offlineSubscriber(running.port);
    const client = await publisher(running.port);
    store.hold = true;
    for (const packetId of [1, 2, 3]) publish(client, packetId);
    // All three are routed (and their writes started) before the first write is durable.
    await store.writes(3);
    expect(store.held.map((write) => write.clientId)).toStrictEqual(['offline', 'offline', 'offline']);
    store.held[2]!.release();
    store.held[1]!.release();
    client.send({ type: 'pingreq' });
    store.held[0]!.release();
    expect(await client.next()).toMatchObject({ type: 'puback', packetId: 1 });
    expect(await client.next()).toMatchObject({ type: 'puback', packetId: 2 });
    expect(await client.next()).toMatchObject({ type: 'puback', packetId: 3 });
    expect(await client.next()).toMatchObject({ type: 'pingresp' });
  });

  it('closes the connection without the PUBACK when the write it depends on fails', async () => {
    const store = heldStore();
    running = await startBroker({ hooks: [allowEverything], store, logger: silent });
    await offlineSubscriber(running.port);
    const client = await publisher(running.port);
    store.hold = true;
    publish(client, 1);
    publish(client, 2);
    await store.writes(2);
    store.held[1]!.release();
    store.held[0]!.release(new Error('disk full'));
    expect(await client.next()).toMatchObject({
      type: 'disconnect',
      reasonCode: ReasonCode.UnspecifiedError,
    });
    await client.closed();
  });

  it('sends the PUBACKs of pending writes before closing on the client DISCONNECT', async () => {
    const store = heldStore();
    running = await startBroker({ hooks: [allowEverything], store, logger: silent });
    await offlineSubscriber(running.port);
    const client = await publisher(running.port);
    store.hold = true;
    publish(client, 1);
    client.send({ type: 'disconnect', reasonCode: 0 });
    await store.writes(1);
    store.held[0]!.release();
    expect(await client.next()).toMatchObject({ type: 'puback', packetId: 1 });
    await client.closed();
  });
});
