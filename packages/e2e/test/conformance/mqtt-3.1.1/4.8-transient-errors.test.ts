// MQTT 3.1.1 section 4.8, a transient error: a store write that fails while the broker processes an
// inbound packet closes that connection (without acknowledging what was not stored), and only it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredMessage } from '@mqttkit/contracts';
import { createMemoryStore } from '@mqttkit/store-memory';
import { startBroker } from '../../support/start-broker.js';
import type { RunningBroker } from '../../support/start-broker.js';
import {
  closedAfter,
  connackLength,
  leave,
  payloads,
  publishPacket,
  rawClient,
  subscribe,
} from '../support/raw-client.js';

/** A memory store whose retained-message writes to `transient/fail` fail, like a full disk. */
function failingStore(): ReturnType<typeof createMemoryStore> {
  const store = createMemoryStore();
  const setRetained = store.setRetained.bind(store);
  store.setRetained = (message: StoredMessage) =>
    message.topic === 'transient/fail' ? Promise.reject(new Error('disk full')) : setRetained(message);
  return store;
}

let running: RunningBroker;
beforeAll(async () => {
  running = await startBroker({ store: failingStore() });
});
afterAll(async () => {
  await running.stop();
});

describe('MQTT 3.1.1 4.8 transient errors', () => {
  it('[MQTT-4.8.0-2] closes the connection whose PUBLISH could not be stored, without a PUBACK, and only it', async () => {
    const bystander = await rawClient(running.port, 4, 'transient-bystander');
    await subscribe(bystander, [['transient/ok', 0]]);
    const raw = await rawClient(running.port, 4, 'transient-publisher');
    raw.send(publishPacket('transient/fail', 'lost', { qos: 1, packetId: 7, retain: true }));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
    expect(running.errors.join('\n')).toContain('disk full');
    bystander.send(publishPacket('transient/ok', 'still here'));
    await bystander.next('publish');
    expect(payloads(bystander)).toEqual(['still here']);
    await leave(bystander);
  });
});
