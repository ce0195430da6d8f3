import type { StoredSession } from '@mqttkit/contracts';
import {
  createStoredMessage,
  createStoredOutboundRecord,
  createStoredSession,
  createStoredWill,
  runStoreConformance,
} from '@mqttkit/contracts/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryStore } from './create-memory-store.js';

runStoreConformance({ name: 'createMemoryStore()', create: () => createMemoryStore() });
runStoreConformance({
  name: 'createMemoryStore({ copyPayloads: true })',
  create: () => createMemoryStore({ copyPayloads: true }),
  scale: 500,
  fuzzRuns: 20,
});

describe('createMemoryStore', () => {
  it('keeps payloads, wills and properties by reference, copying no bytes', async () => {
    const store = createMemoryStore();
    const message = createStoredMessage({ retain: true });
    const will = createStoredWill();
    await store.setRetained(message);
    await store.applySessionChanges('client-a', [
      { kind: 'session', clientId: 'client-a', protocolVersion: 5, sessionExpiryInterval: 60, will },
      { kind: 'outbound-added', record: createStoredOutboundRecord(1, { message }) },
    ]);
    const [retained] = await collect(store.loadRetained());
    const session = (await store.getSession('client-a')) as StoredSession;
    expect(retained).toBe(message);
    expect(session.outbound[0]?.message).toBe(message);
    expect(session.will).toBe(will);
  });

  it('with copyPayloads, keeps its own bytes when the caller reuses its buffers', async () => {
    const store = createMemoryStore({ copyPayloads: true });
    const message = createStoredMessage({ retain: true });
    const session = createStoredSession('client-a', {
      outbound: [createStoredOutboundRecord(1, { message })],
    });
    await store.setRetained(message);
    await store.saveSession(session);
    await store.applySessionChanges('client-b', [
      {
        kind: 'session',
        clientId: 'client-b',
        protocolVersion: 5,
        sessionExpiryInterval: 60,
        will: session.will as NonNullable<StoredSession['will']>,
      },
      { kind: 'outbound-added', record: createStoredOutboundRecord(1, { message }) },
    ]);
    message.payload.fill(0xaa);
    message.properties?.correlationData?.fill(0xaa);
    session.will?.payload.fill(0xaa);
    session.will?.properties?.correlationData?.fill(0xaa);

    const expected = createStoredMessage({ retain: true });
    const [retained] = await collect(store.loadRetained());
    expect(retained).toStrictEqual(expected);
    for (const clientId of ['client-a', 'client-b']) {
      const stored = (await store.getSession(clientId)) as StoredSession;
      expect(stored.outbound[0]?.message).toStrictEqual(expected);
      expect(stored.will).toStrictEqual(createStoredWill());
    }
  });

  it('keeps a session and its queue independent of other stores', async () => {
    const first = createMemoryStore();
    const second = createMemoryStore();
    await first.saveSession(createStoredSession('client-a'));
    expect(await second.getSession('client-a')).toBeUndefined();
    await first.close();
    await second.saveSession(createStoredSession('client-b'));
    expect((await second.getSession('client-b'))?.clientId).toBe('client-b');
  });

  it('applies a hundred thousand changes to one session, leaving only the counters behind', async () => {
    const store = createMemoryStore();
    await store.applySessionChanges('client-a', [
      { kind: 'session', clientId: 'client-a', protocolVersion: 5, sessionExpiryInterval: 60 },
    ]);
    const message = createStoredMessage();
    for (let sequence = 1; sequence <= 25_000; sequence += 1) {
      const packetId = (sequence % 65_535) + 1;
      await store.applySessionChanges('client-a', [
        { kind: 'outbound-added', record: createStoredOutboundRecord(sequence, { message }) },
        { kind: 'outbound-updated', sequence, phase: 'publish', packetId },
        { kind: 'outbound-updated', sequence, phase: 'pubrel', packetId },
        { kind: 'outbound-removed', sequence },
      ]);
    }
    const session = (await store.getSession('client-a')) as StoredSession;
    expect(session.outbound).toStrictEqual([]);
    expect(session.nextSequence).toBe(25_001);
    expect(session.nextPacketId).toBe((25_000 % 65_535) + 2);
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
