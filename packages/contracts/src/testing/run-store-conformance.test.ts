import type { Store } from '../store.js';
import { StoreClosedError } from '../store-closed-error.js';
import type { StoredMessage } from '../stored-message.js';
import type { StoredSession } from '../stored-session.js';
import { runStoreConformance } from './run-store-conformance.js';
import { applyToSessionModel } from './store-session-model.js';

interface Disk {
  sessions: Map<string, StoredSession>;
  retained: Map<string, StoredMessage>;
}

/**
 * A store built on the reference model that queues every call behind the previous one and
 * writes its data to a "disk" only on close, the way a durable store batches: it checks that
 * the suite itself, persistence tests included, holds for an asynchronous implementation.
 */
function createQueuedStore(disk: Disk): Store {
  const sessions = new Map(structuredClone([...disk.sessions]));
  const retained = new Map(structuredClone([...disk.retained]));
  let tail: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;

  function enqueue<T>(operation: string, work: () => T): Promise<T> {
    if (closing !== undefined) return Promise.reject(new StoreClosedError(operation));
    const result = tail.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return work();
    });
    tail = result.catch(() => undefined);
    return result;
  }

  async function* iterate<T>(operation: string, items: () => T[]): AsyncIterable<T> {
    for (const item of await enqueue(operation, items)) yield item;
  }

  return {
    loadSessions: () => iterate('loadSessions', () => structuredClone([...sessions.values()])),
    getSession: (clientId) => enqueue('getSession', () => structuredClone(sessions.get(clientId))),
    saveSession: (session) => {
      const snapshot = structuredClone(session);
      return enqueue('saveSession', () => void sessions.set(snapshot.clientId, snapshot));
    },
    applySessionChanges: (clientId, changes) => {
      const snapshot = structuredClone(changes);
      return enqueue('applySessionChanges', () => {
        let session = sessions.get(clientId);
        for (const change of snapshot) session = applyToSessionModel(session, change);
        if (session !== undefined) sessions.set(clientId, session);
      });
    },
    deleteSession: (clientId) => enqueue('deleteSession', () => void sessions.delete(clientId)),
    loadRetained: () => iterate('loadRetained', () => structuredClone([...retained.values()])),
    setRetained: (message) => {
      const snapshot = structuredClone(message);
      return enqueue('setRetained', () => {
        if (snapshot.payload.byteLength === 0) retained.delete(snapshot.topic);
        else retained.set(snapshot.topic, snapshot);
      });
    },
    deleteRetained: (topic) => enqueue('deleteRetained', () => void retained.delete(topic)),
    flush: () => enqueue('flush', () => undefined),
    close: () => {
      closing ??= tail.then(() => {
        disk.sessions = structuredClone(sessions);
        disk.retained = structuredClone(retained);
      });
      return closing;
    },
  };
}

let disk: Disk = { sessions: new Map(), retained: new Map() };

runStoreConformance({
  name: 'queued reference store',
  create: () => {
    disk = { sessions: new Map(), retained: new Map() };
    return createQueuedStore(disk);
  },
  reopen: () => createQueuedStore(disk),
  scale: 300,
  fuzzRuns: 20,
});
