import { StoreClosedError } from '@mqttkit/contracts';
import type { Store, StoredMessage, StoredSession, StoredSessionChange } from '@mqttkit/contracts';
import { MemorySession } from './memory-session.js';
import { copyingKeeper, referenceKeeper } from './message-keeper.js';

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Copy payloads and correlation data on every write, for callers that reuse their buffers.
   * The broker never does, so the default keeps references and copies no bytes.
   */
  readonly copyPayloads?: boolean;
}

/**
 * A `Store` that keeps everything in memory, in Maps: each change costs O(1) and no payload is
 * copied. Nothing survives the process; it is bounded only by the broker's own limits (sessions,
 * queue lengths and bytes, retained messages).
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const keeper = options.copyPayloads === true ? copyingKeeper : referenceKeeper;
  const sessions = new Map<string, MemorySession>();
  const retained = new Map<string, StoredMessage>();
  let closed = false;

  function assertOpen(operation: string): void {
    if (closed) throw new StoreClosedError(operation);
  }

  return {
    async *loadSessions(): AsyncIterable<StoredSession> {
      assertOpen('loadSessions');
      for (const [clientId, session] of [...sessions]) {
        assertOpen('loadSessions');
        yield session.toStored(clientId);
      }
    },

    async getSession(clientId: string): Promise<StoredSession | undefined> {
      assertOpen('getSession');
      return sessions.get(clientId)?.toStored(clientId);
    },

    async saveSession(session: StoredSession): Promise<void> {
      assertOpen('saveSession');
      sessions.set(session.clientId, MemorySession.fromStored(session, keeper));
    },

    async applySessionChanges(clientId: string, changes: readonly StoredSessionChange[]): Promise<void> {
      assertOpen('applySessionChanges');
      let session = sessions.get(clientId);
      for (const change of changes) {
        if (session !== undefined) {
          session.apply(change);
        } else if (change.kind === 'session') {
          session = MemorySession.create(change, keeper);
          sessions.set(clientId, session);
        }
      }
    },

    async deleteSession(clientId: string): Promise<void> {
      assertOpen('deleteSession');
      sessions.delete(clientId);
    },

    async *loadRetained(): AsyncIterable<StoredMessage> {
      assertOpen('loadRetained');
      for (const message of [...retained.values()]) {
        assertOpen('loadRetained');
        yield message;
      }
    },

    async setRetained(message: StoredMessage): Promise<void> {
      assertOpen('setRetained');
      // [MQTT-3.3.1-7] an empty payload is never stored: it clears the topic.
      if (message.payload.byteLength === 0) {
        retained.delete(message.topic);
      } else {
        retained.set(message.topic, keeper.message(message));
      }
    },

    async deleteRetained(topic: string): Promise<void> {
      assertOpen('deleteRetained');
      retained.delete(topic);
    },

    async flush(): Promise<void> {
      assertOpen('flush');
    },

    async close(): Promise<void> {
      closed = true;
      sessions.clear();
      retained.clear();
    },
  };
}
