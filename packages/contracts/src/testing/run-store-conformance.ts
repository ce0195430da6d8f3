import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MaybePromise } from '../hook.js';
import type { Store } from '../store.js';
import { StoreClosedError } from '../store-closed-error.js';
import type { StoredMessage } from '../stored-message.js';
import type { StoredOutboundRecord, StoredSession, StoredSubscription } from '../stored-session.js';
import type { StoredSessionChange } from '../stored-session-change.js';
import {
  allByteValues,
  createStoredMessage,
  createStoredOutboundRecord,
  createStoredSession,
  createStoredWill,
} from './store-fixtures.js';
import { applyToSessionModel } from './store-session-model.js';

/** Options of `runStoreConformance`. */
export interface StoreConformanceOptions {
  /** Names the `describe` block. */
  readonly name: string;
  /** Creates a fresh, empty store, not yet opened; called before every test. */
  readonly create: () => MaybePromise<Store>;
  /**
   * Creates a store over the data of the store `create` or `reopen` made last, which the suite
   * has closed. When present, the suite also checks that everything survives a restart.
   */
  readonly reopen?: () => MaybePromise<Store>;
  /** Removes what `create` set up (files, keys), after every test once the store is closed. */
  readonly cleanup?: () => MaybePromise<void>;
  /** How many sessions, records and retained messages the bulk tests use; 2,000 when absent. */
  readonly scale?: number;
  /** Number of fast-check runs of the random change-sequence test; 60 when absent. */
  readonly fuzzRuns?: number;
}

const fuzzSeed = 0x5702e;

/**
 * Registers the vitest tests every `Store` must pass: sessions saved, changed change by change,
 * listed and deleted; retained messages set, replaced and deleted; payloads and properties kept
 * byte for byte; call order; thousands of entries; flush and an idempotent close, after which
 * every call rejects with `StoreClosedError`; and, with `reopen`, persistence across a restart.
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  const scale = options.scale ?? 2000;

  describe(`${options.name} (store conformance)`, () => {
    let store: Store;

    async function open(factory: () => MaybePromise<Store>): Promise<Store> {
      const created = await factory();
      await created.open?.();
      return created;
    }

    beforeEach(async () => {
      store = await open(options.create);
    });
    afterEach(async () => {
      await store.close();
      await options.cleanup?.();
    });

    async function expectSession(clientId: string, expected: StoredSession | undefined): Promise<void> {
      const actual = await store.getSession(clientId);
      expect(plain(actual)).toStrictEqual(plain(expected));
    }

    describe('sessions', () => {
      it('has no session for an unknown client id', async () => {
        expect(await store.getSession('nobody')).toBeUndefined();
        expect(await collect(store.loadSessions())).toStrictEqual([]);
      });

      it('[MQTT-3.1.2-23] returns a saved session field for field', async () => {
        const session = createStoredSession('client-a');
        await store.saveSession(session);
        await expectSession('client-a', session);
      });

      it('replaces the whole session on a second save', async () => {
        await store.saveSession(createStoredSession('client-a'));
        const { will: _will, willAt: _willAt, ...rest } = createStoredSession('client-a');
        const replacement: StoredSession = {
          ...rest,
          protocolVersion: 4,
          sessionExpiryInterval: 0xffff_ffff,
          subscriptions: [],
          outbound: [createStoredOutboundRecord(20)],
          inbound: [],
          nextSequence: 21,
        };
        await store.saveSession(replacement);
        await expectSession('client-a', replacement);
      });

      it('deletes a session, and resolves deleting one it does not hold', async () => {
        await store.saveSession(createStoredSession('client-a'));
        await store.saveSession(createStoredSession('client-b'));
        await store.deleteSession('client-a');
        await store.deleteSession('client-a');
        await store.deleteSession('never-stored');
        expect(await store.getSession('client-a')).toBeUndefined();
        await expectSession('client-b', createStoredSession('client-b'));
      });

      it('keeps a snapshot of what it was given, unaffected by later changes to the input', async () => {
        const session = createStoredSession('client-a');
        await store.saveSession(session);
        const outbound = session.outbound[0] as StoredOutboundRecord;
        outbound.phase = 'queued';
        session.subscriptions.pop();
        session.inbound.push(99);
        session.outbound.pop();
        session.nextPacketId = 500;
        await expectSession('client-a', createStoredSession('client-a'));
      });

      it('returns sessions the caller may change without changing the store', async () => {
        await store.saveSession(createStoredSession('client-a'));
        const first = (await store.getSession('client-a')) as StoredSession;
        (first.outbound[1] as StoredOutboundRecord).phase = 'pubrel';
        first.outbound.length = 0;
        first.subscriptions.length = 0;
        first.inbound.length = 0;
        first.sessionExpiryInterval = 1;
        await expectSession('client-a', createStoredSession('client-a'));
      });

      it('lists exactly the stored sessions', async () => {
        await store.saveSession(createStoredSession('client-a'));
        await store.saveSession(createStoredSession('client-b'));
        await store.applySessionChanges('client-c', [sessionChange('client-c')]);
        await store.saveSession(createStoredSession('client-d'));
        await store.deleteSession('client-b');
        const sessions = await collect(store.loadSessions());
        const byClient = new Map(sessions.map((session) => [session.clientId, session]));
        expect([...byClient.keys()].sort()).toStrictEqual(['client-a', 'client-c', 'client-d']);
        expect(sessions).toHaveLength(3);
        expect(plain(byClient.get('client-a'))).toStrictEqual(plain(createStoredSession('client-a')));
        expect(plain(byClient.get('client-c'))).toStrictEqual(plain(await store.getSession('client-c')));
      });

      it('keeps sessions apart: changing one leaves the others alone', async () => {
        await store.saveSession(createStoredSession('client-a'));
        await store.saveSession(createStoredSession('client-b'));
        await store.applySessionChanges('client-a', [{ kind: 'cleared' }]);
        await expectSession('client-b', createStoredSession('client-b'));
      });
    });

    describe('session changes', () => {
      it('creates a session from a session change', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a', { will: createStoredWill() }),
        ]);
        await expectSession('client-a', {
          version: 1,
          clientId: 'client-a',
          protocolVersion: 5,
          established: true,
          sessionExpiryInterval: 3600,
          will: createStoredWill(),
          subscriptions: [],
          inbound: [],
          outbound: [],
          nextPacketId: 1,
          nextSequence: 1,
        });
      });

      it('ignores every other change for a session it does not hold', async () => {
        await store.applySessionChanges('client-a', [
          { kind: 'cleared' },
          { kind: 'subscription-added', subscription: subscription('a/#') },
          { kind: 'outbound-added', record: createStoredOutboundRecord(1) },
          { kind: 'inbound-added', packetId: 1 },
        ]);
        expect(await store.getSession('client-a')).toBeUndefined();
        expect(await collect(store.loadSessions())).toStrictEqual([]);
      });

      it('applies changes that come before the creating session change only from there on', async () => {
        await store.applySessionChanges('client-a', [
          { kind: 'inbound-added', packetId: 1 },
          sessionChange('client-a'),
          { kind: 'inbound-added', packetId: 2 },
        ]);
        expect((await store.getSession('client-a'))?.inbound).toStrictEqual([2]);
      });

      it('[MQTT-3.1.2-23] replaces the session fields, removing the will and timers a change leaves out', async () => {
        await store.saveSession(createStoredSession('client-a'));
        await store.applySessionChanges('client-a', [
          sessionChange('client-a', { protocolVersion: 4, sessionExpiryInterval: 10, expiresAt: 42 }),
        ]);
        const { will: _will, willAt: _willAt, ...rest } = createStoredSession('client-a');
        await expectSession('client-a', {
          ...rest,
          protocolVersion: 4,
          sessionExpiryInterval: 10,
          expiresAt: 42,
        });
        await store.applySessionChanges('client-a', [
          sessionChange('client-a', { will: createStoredWill({ topic: 'other' }), willAt: 7 }),
        ]);
        const session = (await store.getSession('client-a')) as StoredSession;
        expect(session.will?.topic).toBe('other');
        expect(session.willAt).toBe(7);
        expect(session.expiresAt).toBeUndefined();
        expect(session.sessionExpiryInterval).toBe(3600);
      });

      it('marks a saved session that was not established as established on a session change', async () => {
        await store.saveSession(createStoredSession('client-a', { established: false }));
        expect((await store.getSession('client-a'))?.established).toBe(false);
        await store.applySessionChanges('client-a', [sessionChange('client-a')]);
        expect((await store.getSession('client-a'))?.established).toBe(true);
      });

      it('adds, replaces in place and removes subscriptions', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          { kind: 'subscription-added', subscription: subscription('a/#') },
          { kind: 'subscription-added', subscription: subscription('b/+') },
          { kind: 'subscription-added', subscription: subscription('c') },
          {
            kind: 'subscription-added',
            subscription: subscription('a/#', { qos: 2, subscriptionIdentifier: 9 }),
          },
          { kind: 'subscription-removed', topicFilter: 'b/+' },
          { kind: 'subscription-removed', topicFilter: 'not-there' },
        ]);
        expect(plain((await store.getSession('client-a'))?.subscriptions)).toStrictEqual(
          plain([subscription('a/#', { qos: 2, subscriptionIdentifier: 9 }), subscription('c')]),
        );
      });

      it('[MQTT-4.4.0-1] keeps outbound records in arrival order through each phase, with their packet ids', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          {
            kind: 'outbound-added',
            record: createStoredOutboundRecord(1, { phase: 'publish', packetId: 1, qos: 2 }),
          },
          { kind: 'outbound-added', record: createStoredOutboundRecord(2) },
          { kind: 'outbound-added', record: createStoredOutboundRecord(3) },
        ]);
        await store.applySessionChanges('client-a', [
          { kind: 'outbound-updated', sequence: 1, phase: 'pubrel', packetId: 1 },
          { kind: 'outbound-updated', sequence: 2, phase: 'publish', packetId: 2 },
        ]);
        let session = (await store.getSession('client-a')) as StoredSession;
        expect(
          session.outbound.map((record) => [record.sequence, record.phase, record.packetId]),
        ).toStrictEqual([
          [1, 'pubrel', 1],
          [2, 'publish', 2],
          [3, 'queued', undefined],
        ]);
        expect(session.nextPacketId).toBe(3);
        expect(session.nextSequence).toBe(4);
        await store.applySessionChanges('client-a', [
          { kind: 'outbound-removed', sequence: 1 },
          { kind: 'outbound-updated', sequence: 3, phase: 'publish', packetId: 65_535 },
        ]);
        session = (await store.getSession('client-a')) as StoredSession;
        expect(plain(session.outbound)).toStrictEqual(
          plain([
            createStoredOutboundRecord(2, { phase: 'publish', packetId: 2 }),
            createStoredOutboundRecord(3, { phase: 'publish', packetId: 65_535 }),
          ]),
        );
        expect(session.nextPacketId).toBe(1);
      });

      it('replaces an outbound record added again with the same sequence, in its place', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          { kind: 'outbound-added', record: createStoredOutboundRecord(1) },
          { kind: 'outbound-added', record: createStoredOutboundRecord(2) },
          { kind: 'outbound-added', record: createStoredOutboundRecord(1, { qos: 2 }) },
        ]);
        const outbound = (await store.getSession('client-a'))?.outbound ?? [];
        expect(outbound.map((record) => [record.sequence, record.qos])).toStrictEqual([
          [1, 2],
          [2, 1],
        ]);
      });

      it('ignores updates and removals of outbound records it does not hold', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          { kind: 'outbound-added', record: createStoredOutboundRecord(5) },
          { kind: 'outbound-updated', sequence: 6, phase: 'publish', packetId: 40 },
          { kind: 'outbound-removed', sequence: 4 },
        ]);
        const session = (await store.getSession('client-a')) as StoredSession;
        expect(plain(session.outbound)).toStrictEqual(plain([createStoredOutboundRecord(5)]));
        expect(session.nextPacketId).toBe(1);
        expect(session.nextSequence).toBe(6);
      });

      it('[MQTT-4.3.3-10] keeps each QoS 2 packet id awaiting PUBREL once, until it is removed', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          { kind: 'inbound-added', packetId: 10 },
          { kind: 'inbound-added', packetId: 3 },
          { kind: 'inbound-added', packetId: 10 },
          { kind: 'inbound-added', packetId: 65_535 },
          { kind: 'inbound-removed', packetId: 3 },
          { kind: 'inbound-removed', packetId: 4 },
        ]);
        expect((await store.getSession('client-a'))?.inbound).toStrictEqual([10, 65_535]);
      });

      it('[MQTT-3.1.2-4] clears subscriptions, inbound ids and outbound records, keeping the rest', async () => {
        await store.saveSession(createStoredSession('client-a'));
        await store.applySessionChanges('client-a', [{ kind: 'cleared' }]);
        await expectSession('client-a', {
          ...createStoredSession('client-a'),
          subscriptions: [],
          inbound: [],
          outbound: [],
        });
      });

      it('applies the changes of one call in order', async () => {
        await store.applySessionChanges('client-a', [
          sessionChange('client-a'),
          { kind: 'subscription-added', subscription: subscription('x') },
          { kind: 'subscription-removed', topicFilter: 'x' },
          { kind: 'subscription-removed', topicFilter: 'y' },
          { kind: 'subscription-added', subscription: subscription('y') },
          { kind: 'outbound-added', record: createStoredOutboundRecord(1) },
          { kind: 'cleared' },
          { kind: 'outbound-added', record: createStoredOutboundRecord(2) },
        ]);
        const session = (await store.getSession('client-a')) as StoredSession;
        expect(session.subscriptions).toStrictEqual([]);
        expect(session.outbound.map((record) => record.sequence)).toStrictEqual([2]);
      });

      it('applies an empty list of changes as nothing', async () => {
        await store.applySessionChanges('client-a', []);
        await store.saveSession(createStoredSession('client-a'));
        await store.applySessionChanges('client-a', []);
        await expectSession('client-a', createStoredSession('client-a'));
      });

      it('takes calls in the order they are made, even when the caller does not wait', async () => {
        const writes = [
          store.applySessionChanges('client-a', [sessionChange('client-a')]),
          store.applySessionChanges('client-a', [{ kind: 'inbound-added', packetId: 1 }]),
          store.setRetained(createStoredMessage({ topic: 'r', retain: true })),
          store.applySessionChanges('client-a', [{ kind: 'inbound-added', packetId: 2 }]),
        ];
        const read = store.getSession('client-a');
        const retained = collect(store.loadRetained());
        const deleted = store.deleteSession('client-a');
        const afterDelete = store.getSession('client-a');
        await Promise.all(writes);
        expect((await read)?.inbound).toStrictEqual([1, 2]);
        expect((await retained).map((message) => message.topic)).toStrictEqual(['r']);
        await deleted;
        expect(await afterDelete).toBeUndefined();
      });

      it('holds what the reference model holds after any sequence of changes', async () => {
        let run = 0;
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.array(changeArbitrary, { maxLength: 12 }), { maxLength: 6 }),
            async (batches) => {
              run += 1;
              const clientId = `fuzz-${String(run)}`;
              let model: StoredSession | undefined;
              for (const batch of batches) {
                const changes = batch.map((change) =>
                  change.kind === 'session' ? { ...change, clientId } : change,
                );
                await store.applySessionChanges(clientId, changes);
                for (const change of changes) model = applyToSessionModel(model, change);
                await expectSession(clientId, model);
              }
            },
          ),
          { seed: fuzzSeed, numRuns: options.fuzzRuns ?? 60 },
        );
      });
    });

    describe('retained messages', () => {
      it('[MQTT-3.3.1-5] keeps one retained message per topic, the latest', async () => {
        await store.setRetained(createStoredMessage({ topic: 'a', retain: true, qos: 0 }));
        await store.setRetained(createStoredMessage({ topic: 'b', retain: true }));
        const latest = createStoredMessage({ topic: 'a', retain: true, qos: 2, payload: Uint8Array.of(1) });
        await store.setRetained(latest);
        const retained = await collect(store.loadRetained());
        expect(retained.map((message) => message.topic).sort()).toStrictEqual(['a', 'b']);
        expect(plain(retained.find((message) => message.topic === 'a'))).toStrictEqual(plain(latest));
      });

      it('deletes a retained message, and resolves deleting one it does not hold', async () => {
        await store.setRetained(createStoredMessage({ topic: 'a', retain: true }));
        await store.setRetained(createStoredMessage({ topic: 'b', retain: true }));
        await store.deleteRetained('a');
        await store.deleteRetained('a');
        await store.deleteRetained('never-retained');
        expect((await collect(store.loadRetained())).map((message) => message.topic)).toStrictEqual(['b']);
      });

      it('[MQTT-3.3.1-7] never stores a message with an empty payload, deleting the topic instead', async () => {
        await store.setRetained(createStoredMessage({ topic: 'a', retain: true }));
        await store.setRetained(
          createStoredMessage({ topic: 'a', retain: true, payload: new Uint8Array(0) }),
        );
        await store.setRetained(
          createStoredMessage({ topic: 'b', retain: true, payload: new Uint8Array(0) }),
        );
        expect(await collect(store.loadRetained())).toStrictEqual([]);
      });

      it('keeps topics that differ only in case, slashes or normalization apart', async () => {
        const topics = ['a/b', 'A/b', 'a/b/', '/a/b', 'caf\u00e9', 'cafe\u0301', '$SYS/x', ' a/b'];
        for (const topic of topics) await store.setRetained(createStoredMessage({ topic, retain: true }));
        const stored = (await collect(store.loadRetained())).map((message) => message.topic);
        expect(stored.sort()).toStrictEqual([...topics].sort());
      });

      it('keeps retained messages and sessions apart', async () => {
        await store.setRetained(createStoredMessage({ topic: 'client-a', retain: true }));
        await store.saveSession(createStoredSession('client-a'));
        await store.deleteSession('client-a');
        expect(await collect(store.loadRetained())).toHaveLength(1);
      });
    });

    describe('binary data', () => {
      it('keeps payloads, correlation data and user properties byte for byte and in order', async () => {
        const message = createStoredMessage({ retain: true });
        await store.setRetained(message);
        const [stored] = await collect(store.loadRetained());
        expect(bytes(stored?.payload)).toStrictEqual(bytes(allByteValues()));
        expect(bytes(stored?.properties?.correlationData)).toStrictEqual([0, 255, 0, 128]);
        expect(stored?.properties?.userProperties).toStrictEqual(message.properties?.userProperties);
        expect(plain(stored)).toStrictEqual(plain(message));
      });

      it('keeps the bytes of queued messages and of the will', async () => {
        const payload = Uint8Array.from({ length: 70_000 }, (_, index) => (index * 7919) % 256);
        const message = createStoredMessage({ payload });
        await store.applySessionChanges('client-a', [
          sessionChange('client-a', { will: createStoredWill() }),
          { kind: 'outbound-added', record: createStoredOutboundRecord(1, { message }) },
        ]);
        const session = (await store.getSession('client-a')) as StoredSession;
        expect(bytes(session.outbound[0]?.message.payload)).toStrictEqual(bytes(payload));
        expect(bytes(session.will?.payload)).toStrictEqual([0, 1, 2, 254, 255]);
        expect(bytes(session.will?.properties?.correlationData)).toStrictEqual([9, 8, 7]);
        expect(session.will?.properties?.userProperties).toStrictEqual([
          ['b', '2'],
          ['b', '1'],
        ]);
      });

      it('keeps a payload that is a view into a larger buffer to exactly its own bytes', async () => {
        const buffer = Uint8Array.from({ length: 64 }, (_, index) => index);
        const view = buffer.subarray(10, 14);
        await store.setRetained(createStoredMessage({ topic: 'view', retain: true, payload: view }));
        const [stored] = await collect(store.loadRetained());
        expect(bytes(stored?.payload)).toStrictEqual([10, 11, 12, 13]);
      });
    });

    describe('many entries', () => {
      it(`holds ${String(scale)} sessions and lists them all`, async () => {
        for (let index = 0; index < scale; index += 1) {
          const clientId = `client-${String(index)}`;
          await store.applySessionChanges(clientId, [
            sessionChange(clientId),
            { kind: 'subscription-added', subscription: subscription(`devices/${String(index)}/#`) },
            {
              kind: 'outbound-added',
              record: createStoredOutboundRecord(1, { message: smallMessage(index) }),
            },
          ]);
        }
        for (let index = 0; index < scale; index += 2) await store.deleteSession(`client-${String(index)}`);
        const sessions = await collect(store.loadSessions());
        expect(sessions).toHaveLength(Math.floor(scale / 2));
        const last = await store.getSession(`client-${String(scale - 1)}`);
        expect(last?.subscriptions[0]?.topicFilter).toBe(`devices/${String(scale - 1)}/#`);
        expect(bytes(last?.outbound[0]?.message.payload)).toStrictEqual(
          bytes(smallMessage(scale - 1).payload),
        );
      });

      it(`holds ${String(scale)} outbound records of one session in order`, async () => {
        await store.applySessionChanges('client-a', [sessionChange('client-a')]);
        const changes: StoredSessionChange[] = [];
        for (let sequence = 1; sequence <= scale; sequence += 1) {
          changes.push({
            kind: 'outbound-added',
            record: createStoredOutboundRecord(sequence, { message: smallMessage(sequence) }),
          });
        }
        await store.applySessionChanges('client-a', changes);
        const removals: StoredSessionChange[] = [];
        for (let sequence = 1; sequence <= scale; sequence += 2)
          removals.push({ kind: 'outbound-removed', sequence });
        await store.applySessionChanges('client-a', removals);
        const session = (await store.getSession('client-a')) as StoredSession;
        const expected = Array.from({ length: Math.floor(scale / 2) }, (_, index) => (index + 1) * 2);
        expect(session.outbound.map((record) => record.sequence)).toStrictEqual(expected);
        expect(session.nextSequence).toBe(scale + 1);
      });

      it(`holds ${String(scale)} retained messages`, async () => {
        for (let index = 0; index < scale; index += 1) {
          await store.setRetained({ ...smallMessage(index), retain: true });
        }
        const retained = await collect(store.loadRetained());
        expect(new Set(retained.map((message) => message.topic)).size).toBe(scale);
      });
    });

    describe('lifecycle', () => {
      it('resolves flush, with and without writes in progress', async () => {
        await store.flush();
        const write = store.saveSession(createStoredSession('client-a'));
        await store.flush();
        await write;
        await expectSession('client-a', createStoredSession('client-a'));
      });

      it('closes idempotently, also when close is called twice at once', async () => {
        await Promise.all([store.close(), store.close()]);
        await store.close();
      });

      it('rejects every call after close with StoreClosedError', async () => {
        await store.close();
        const calls: [string, () => Promise<unknown>][] = [
          ['getSession', () => store.getSession('client-a')],
          ['saveSession', () => store.saveSession(createStoredSession('client-a'))],
          ['applySessionChanges', () => store.applySessionChanges('client-a', [sessionChange('client-a')])],
          ['deleteSession', () => store.deleteSession('client-a')],
          ['loadSessions', () => collect(store.loadSessions())],
          ['setRetained', () => store.setRetained(createStoredMessage({ retain: true }))],
          ['deleteRetained', () => store.deleteRetained('a')],
          ['loadRetained', () => collect(store.loadRetained())],
          ['flush', () => store.flush()],
        ];
        for (const [name, call] of calls) {
          const error: unknown = await call().then(
            () => undefined,
            (rejection: unknown) => rejection,
          );
          expect(StoreClosedError.isInstance(error), `${name} after close`).toBe(true);
        }
      });
    });

    const reopen = options.reopen;
    if (reopen !== undefined) {
      describe('persistence', () => {
        const restart = async (): Promise<void> => {
          await store.close();
          store = await open(reopen);
        };

        it('[MQTT-3.1.2-23] keeps sessions, their changes and deletions across a restart', async () => {
          await store.saveSession(createStoredSession('client-a'));
          await store.saveSession(createStoredSession('client-b'));
          await store.applySessionChanges('client-a', [
            { kind: 'outbound-removed', sequence: 4 },
            { kind: 'subscription-added', subscription: subscription('new/#') },
            { kind: 'inbound-removed', packetId: 7 },
          ]);
          await store.deleteSession('client-b');
          const expected = await store.getSession('client-a');
          await restart();
          await expectSession('client-a', expected);
          expect(await store.getSession('client-b')).toBeUndefined();
          expect((await collect(store.loadSessions())).map((session) => session.clientId)).toStrictEqual([
            'client-a',
          ]);
        });

        it('[MQTT-3.3.1-5] keeps retained messages byte for byte across a restart', async () => {
          const message = createStoredMessage({ topic: 'a', retain: true });
          await store.setRetained(message);
          await store.setRetained(createStoredMessage({ topic: 'b', retain: true }));
          await store.deleteRetained('b');
          await restart();
          expect(plain(await collect(store.loadRetained()))).toStrictEqual(plain([message]));
        });

        it('keeps writes called before close even when nobody waited for them', async () => {
          const writes = [
            store.saveSession(createStoredSession('client-a')),
            store.applySessionChanges('client-a', [{ kind: 'cleared' }]),
            store.setRetained(createStoredMessage({ topic: 'a', retain: true })),
          ];
          await restart();
          await Promise.all(writes);
          expect((await store.getSession('client-a'))?.outbound).toStrictEqual([]);
          expect(await collect(store.loadRetained())).toHaveLength(1);
        });

        it('keeps what was flushed across several restarts', async () => {
          await store.applySessionChanges('client-a', [
            sessionChange('client-a'),
            { kind: 'inbound-added', packetId: 1 },
          ]);
          await store.flush();
          await restart();
          await store.applySessionChanges('client-a', [{ kind: 'inbound-added', packetId: 2 }]);
          await restart();
          expect((await store.getSession('client-a'))?.inbound).toStrictEqual([1, 2]);
        });
      });
    }
  });
}

type SessionFields = Omit<Extract<StoredSessionChange, { kind: 'session' }>, 'kind' | 'clientId'>;

function sessionChange(clientId: string, fields: Partial<SessionFields> = {}): StoredSessionChange {
  return { kind: 'session', clientId, protocolVersion: 5, sessionExpiryInterval: 3600, ...fields };
}

function subscription(topicFilter: string, overrides: Partial<StoredSubscription> = {}): StoredSubscription {
  return { topicFilter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, ...overrides };
}

function smallMessage(index: number): StoredMessage {
  return {
    topic: `devices/${String(index)}/state`,
    payload: Uint8Array.of(index % 256, 1, 2),
    qos: 1,
    retain: false,
  };
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function bytes(value: Uint8Array | undefined): number[] | undefined {
  return value === undefined ? undefined : [...value];
}

/**
 * Compares by value: byte arrays of any Uint8Array subclass (a Buffer from disk) become plain
 * ones, and fields set to `undefined` count as absent, as they would after a trip through JSON.
 */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Uint8Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .map(([key, field]) => [key, plain(field)]),
    );
  }
  return value;
}

const topicFilterArbitrary = fc.constantFrom('a', 'a/#', '+/b', '$share/g/c');
const packetIdArbitrary = fc.constantFrom(1, 2, 3, 65_535);
const sequenceArbitrary = fc.integer({ min: 1, max: 6 });

const messageArbitrary: fc.Arbitrary<StoredMessage> = fc.record(
  {
    topic: fc.constantFrom('t/1', 't/2', 'é'),
    payload: fc.uint8Array({ maxLength: 6 }),
    qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
    retain: fc.boolean(),
    properties: fc.record(
      {
        userProperties: fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), {
          maxLength: 3,
        }),
      },
      { requiredKeys: [] },
    ),
    expiresAt: fc.nat(),
  },
  { requiredKeys: ['topic', 'payload', 'qos', 'retain'] },
);

const recordArbitrary: fc.Arbitrary<StoredOutboundRecord> = fc
  .record({
    sequence: sequenceArbitrary,
    message: messageArbitrary,
    qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
    retain: fc.boolean(),
    phase: fc.constantFrom('queued' as const, 'publish' as const, 'pubrel' as const),
    packetId: packetIdArbitrary,
    subscriptionIdentifiers: fc.option(
      fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 2 }),
      { nil: undefined },
    ),
  })
  .map(({ packetId, subscriptionIdentifiers, ...record }) => ({
    ...record,
    bytes: record.message.payload.byteLength + record.message.topic.length,
    ...(record.phase === 'queued' ? {} : { packetId }),
    ...(subscriptionIdentifiers === undefined ? {} : { subscriptionIdentifiers }),
  }));

const sessionChangeArbitrary: fc.Arbitrary<StoredSessionChange> = fc.record(
  {
    kind: fc.constant('session' as const),
    clientId: fc.constant(''),
    protocolVersion: fc.constantFrom(3 as const, 4 as const, 5 as const),
    sessionExpiryInterval: fc.constantFrom(0, 60, 0xffff_ffff),
    will: fc.constant(createStoredWill()),
    willAt: fc.nat(),
    expiresAt: fc.nat(),
  },
  { requiredKeys: ['kind', 'clientId', 'protocolVersion', 'sessionExpiryInterval'] },
);

const changeArbitrary: fc.Arbitrary<StoredSessionChange> = fc.oneof(
  // Weighted so that most runs create the session early and then change it.
  { arbitrary: sessionChangeArbitrary, weight: 2 },
  fc.constant({ kind: 'cleared' as const }),
  fc.record({
    kind: fc.constant('subscription-added' as const),
    subscription: fc.record({
      topicFilter: topicFilterArbitrary,
      qos: fc.constantFrom(0 as const, 1 as const, 2 as const),
      noLocal: fc.boolean(),
      retainAsPublished: fc.boolean(),
      retainHandling: fc.constantFrom(0 as const, 1 as const, 2 as const),
    }),
  }),
  fc.record({ kind: fc.constant('subscription-removed' as const), topicFilter: topicFilterArbitrary }),
  fc.record({ kind: fc.constant('outbound-added' as const), record: recordArbitrary }),
  fc.record({
    kind: fc.constant('outbound-updated' as const),
    sequence: sequenceArbitrary,
    phase: fc.constantFrom('publish' as const, 'pubrel' as const),
    packetId: packetIdArbitrary,
  }),
  fc.record({ kind: fc.constant('outbound-removed' as const), sequence: sequenceArbitrary }),
  fc.record({ kind: fc.constant('inbound-added' as const), packetId: packetIdArbitrary }),
  fc.record({ kind: fc.constant('inbound-removed' as const), packetId: packetIdArbitrary }),
);
