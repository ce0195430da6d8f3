import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import { StoreClosedError } from '@mqttkit/contracts';
import type {
  Logger,
  Store,
  StoredMessage,
  StoredOutboundRecord,
  StoredSession,
  StoredSessionChange,
} from '@mqttkit/contracts';
import { checkLmdbFile } from './check-lmdb-file.js';
import { decodeCounters, decodeHeader, decodeMessage, decodeRecord } from './decode-entry.js';
import { SessionMirror, diskMessage } from './session-mirror.js';
import type { ChangeSink, SessionHeader } from './session-mirror.js';
import { StoreCorruptError } from './store-corrupt-error.js';
import {
  clientOfKey,
  counterKey,
  formatKey,
  keyKind,
  keyPart,
  outboundKey,
  retainedKey,
  sessionKey,
} from './store-keys.js';
import { WriteBatcher } from './write-batcher.js';
import type { SyncPolicy } from './write-batcher.js';

/** Options of `createLmdbStore`. */
export interface LmdbStoreOptions {
  /** The directory of the store; created when missing. The database is `data.mdb` in it. */
  readonly path: string;
  /**
   * When a write counts as durable, so when its promise resolves (and the broker acknowledges);
   * every write resolves only after the commit that holds it. `{ intervalMs }` is a group commit:
   * one commit (and fsync) at a time, at most one starting per window, and every write arriving
   * meanwhile shares the next; `'always'` commits and fsyncs at the end of every event-loop turn
   * that wrote; `'none'` commits without fsync (survives a crash of the process, not of the
   * machine). Default `{ intervalMs: 2 }`.
   */
  readonly sync?: SyncPolicy;
  /**
   * What `open()` does with a database it cannot trust: `'refuse'` (default) rejects with
   * `StoreCorruptError`, so the broker does not start; `'move-aside'` renames the file to
   * `data.mdb.corrupt-<time>`, logs a warning and starts empty.
   */
  readonly onCorrupt?: 'refuse' | 'move-aside';
  /** Where the move-aside warning goes. Default: the console. */
  readonly logger?: Logger;
}

/** The layout this version writes; a store meeting another refuses to open. */
const layout = 1;
const defaultSync: SyncPolicy = { intervalMs: 2 };

const consoleLogger: Pick<Logger, 'warn'> = {
  warn: (message, details) => console.warn(`mqttkit: ${message}`, details ?? ''),
};

interface Loaded {
  readonly sessions: Map<string, SessionMirror>;
  readonly retained: Map<string, StoredMessage>;
  readonly empty: boolean;
}

/**
 * A `Store` on disk in LMDB. Everything is read into memory at `open()` and every read is served
 * from there; every write changes memory at once (so reads see it) and is staged for the disk,
 * where one outbound record is one small entry. Writes resolve when durable under `sync`.
 */
export function createLmdbStore(options: LmdbStoreOptions): Store {
  const file = join(options.path, 'data.mdb');
  const policy = options.sync ?? defaultSync;
  validatePolicy(policy);
  const logger = options.logger ?? consoleLogger;
  const sessions = new Map<string, { mirror: SessionMirror; part: Buffer }>();
  const retained = new Map<string, StoredMessage>();
  let database: RootDatabase | undefined;
  let batcher: WriteBatcher | undefined;
  let opening: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  function writer(operation: string): WriteBatcher {
    if (closing !== undefined) throw new StoreClosedError(operation);
    if (batcher === undefined)
      throw new Error(`The store ${file} is not open: call open() first (${operation})`);
    return batcher;
  }

  function sinkFor(entry: { mirror: SessionMirror; part: Buffer }, target: WriteBatcher): ChangeSink {
    const { mirror, part } = entry;
    return {
      header: () => target.stage(sessionKey(part), () => mirror.header()),
      counters: () => target.stage(counterKey(part), () => mirror.counters()),
      outbound: (sequence, record, fresh) => {
        const key = outboundKey(part, sequence);
        if (record === undefined) target.stage(key);
        else target.stage(key, () => diskRecord(record), fresh);
      },
    };
  }

  function stageWhole(entry: { mirror: SessionMirror; part: Buffer }, target: WriteBatcher): void {
    const sink = sinkFor(entry, target);
    sink.header();
    sink.counters();
    for (const [sequence, record] of entry.mirror.outbound) sink.outbound(sequence, record);
  }

  function stageRemoval(entry: { mirror: SessionMirror; part: Buffer }, target: WriteBatcher): void {
    target.stage(sessionKey(entry.part));
    target.stage(counterKey(entry.part));
    for (const sequence of entry.mirror.outbound.keys()) target.stage(outboundKey(entry.part, sequence));
  }

  async function load(): Promise<void> {
    const problem = await checkLmdbFile(file);
    if (problem !== undefined) throw new StoreCorruptError(file, problem);
    let opened: RootDatabase;
    try {
      opened = openLmdb({
        path: file,
        keyEncoding: 'binary',
        noSync: policy === 'none',
        overlappingSync: false,
        // Every write of this store is an explicit atomic batch: lmdb-js need not wait for the
        // end of the event-loop turn to start the commit, which saves a turn of latency per ack.
        eventTurnBatching: false,
      });
    } catch (error) {
      throw new StoreCorruptError(file, `LMDB cannot open it (${errorMessage(error)})`, { cause: error });
    }
    let loaded: Loaded;
    try {
      loaded = readAll(opened, file);
    } catch (error) {
      await opened.close();
      throw error;
    }
    database = opened;
    batcher = new WriteBatcher(opened, policy);
    for (const [group, mirror] of loaded.sessions)
      sessions.set(mirror.clientId, { mirror, part: Buffer.from(group, 'latin1') });
    for (const [topic, message] of loaded.retained) retained.set(topic, message);
    if (loaded.empty) {
      batcher.stage(formatKey, () => ({ layout, engine: 'lmdb' }));
      await batcher.flush();
    }
  }

  async function moveAside(error: StoreCorruptError): Promise<void> {
    const aside = `${file}.corrupt-${new Date().toISOString().replaceAll(':', '-')}`;
    await rename(file, aside);
    await rm(`${file}-lock`, { force: true });
    logger.warn('the store was corrupt: moved it aside and started empty', {
      file,
      movedTo: aside,
      problem: error.message,
    });
  }

  return {
    async open(): Promise<void> {
      opening ??= (async () => {
        try {
          await mkdir(options.path, { recursive: true });
        } catch (error) {
          throw new Error(
            `Cannot create the mqttkit store directory ${options.path}: ${errorMessage(error)}`,
            {
              cause: error,
            },
          );
        }
        try {
          await load();
        } catch (error) {
          if (!StoreCorruptError.isInstance(error) || options.onCorrupt !== 'move-aside') throw error;
          await moveAside(error);
          await load();
        }
      })();
      return opening;
    },

    async *loadSessions(): AsyncIterable<StoredSession> {
      writer('loadSessions');
      for (const { mirror } of [...sessions.values()]) {
        writer('loadSessions');
        yield mirror.toStored();
      }
    },

    async getSession(clientId: string): Promise<StoredSession | undefined> {
      writer('getSession');
      return sessions.get(clientId)?.mirror.toStored();
    },

    async saveSession(session: StoredSession): Promise<void> {
      const target = writer('saveSession');
      const previous = sessions.get(session.clientId);
      const entry = {
        mirror: SessionMirror.fromStored(session),
        part: previous?.part ?? keyPart(session.clientId),
      };
      if (previous !== undefined) stageRemoval(previous, target);
      sessions.set(session.clientId, entry);
      stageWhole(entry, target);
      return target.settled();
    },

    async applySessionChanges(clientId: string, changes: readonly StoredSessionChange[]): Promise<void> {
      const target = writer('applySessionChanges');
      let entry = sessions.get(clientId);
      let sink = entry === undefined ? undefined : sinkFor(entry, target);
      for (const change of changes) {
        if (entry !== undefined && sink !== undefined) {
          entry.mirror.apply(change, sink);
        } else if (change.kind === 'session') {
          entry = { mirror: SessionMirror.create({ ...change, clientId }), part: keyPart(clientId) };
          sessions.set(clientId, entry);
          sink = sinkFor(entry, target);
          sink.header();
          sink.counters();
        }
      }
      return target.settled();
    },

    async deleteSession(clientId: string): Promise<void> {
      const target = writer('deleteSession');
      const entry = sessions.get(clientId);
      if (entry !== undefined) {
        sessions.delete(clientId);
        stageRemoval(entry, target);
      }
      return target.settled();
    },

    async *loadRetained(): AsyncIterable<StoredMessage> {
      writer('loadRetained');
      for (const message of [...retained.values()]) {
        writer('loadRetained');
        yield message;
      }
    },

    async setRetained(message: StoredMessage): Promise<void> {
      const target = writer('setRetained');
      // [MQTT-3.3.1-7] an empty payload is never stored: it clears the topic.
      if (message.payload.byteLength === 0) {
        if (retained.delete(message.topic)) target.stage(retainedKey(message.topic));
      } else {
        const kept = diskMessage(message);
        retained.set(message.topic, kept);
        target.stage(retainedKey(message.topic), () => kept);
      }
      return target.settled();
    },

    async deleteRetained(topic: string): Promise<void> {
      const target = writer('deleteRetained');
      if (retained.delete(topic)) target.stage(retainedKey(topic));
      return target.settled();
    },

    async flush(): Promise<void> {
      return writer('flush').flush();
    },

    close(): Promise<void> {
      closing ??= (async () => {
        await opening?.catch(() => undefined);
        await batcher?.flush();
        sessions.clear();
        retained.clear();
        await database?.close();
      })();
      return closing;
    },
  };
}

function validatePolicy(policy: SyncPolicy): void {
  if (policy === 'always' || policy === 'none') return;
  if (
    typeof policy === 'object' &&
    Number.isInteger(policy.intervalMs) &&
    policy.intervalMs >= 0 &&
    policy.intervalMs <= 60_000
  ) {
    return;
  }
  throw new TypeError(
    `sync must be 'always', 'none' or { intervalMs: 0 to 60000 }, got ${JSON.stringify(policy)}`,
  );
}

function diskRecord(record: StoredOutboundRecord): StoredOutboundRecord {
  return { ...record, message: diskMessage(record.message) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkLayout(format: unknown, file: string): void {
  const found = (format as { layout?: unknown } | undefined)?.layout;
  if (found === undefined) throw new StoreCorruptError(file, 'it holds data but no mqttkit layout marker');
  if (found !== layout) {
    throw new StoreCorruptError(
      file,
      `it has layout ${String(found)}, this version reads layout ${String(layout)}`,
    );
  }
}

/** Reads every entry into memory, refusing anything it does not recognise. */
function readAll(database: RootDatabase, file: string): Loaded {
  const headers = new Map<string, SessionHeader>();
  const counters = new Map<string, readonly [number, number]>();
  const records = new Map<string, StoredOutboundRecord[]>();
  const retained = new Map<string, StoredMessage>();
  let entries = 0;
  for (const { key, value } of database.getRange({})) {
    entries += 1;
    const bytes = key as Uint8Array;
    const kind = keyKind(bytes);
    // The marker's key sorts first: anything else first means another program's data.
    if (entries === 1) checkLayout(kind === 'format' ? value : undefined, file);
    const describe = (): string => `${kind} entry ${Buffer.from(bytes).toString('hex').slice(0, 80)}`;
    try {
      switch (kind) {
        case 'format':
          break;
        case 'session':
          headers.set(clientOfKey(bytes), decodeHeader(value));
          break;
        case 'counters':
          counters.set(clientOfKey(bytes), decodeCounters(value));
          break;
        case 'outbound': {
          const group = clientOfKey(bytes);
          const list = records.get(group) ?? [];
          list.push(decodeRecord(value));
          records.set(group, list);
          break;
        }
        case 'retained': {
          const message = decodeMessage(value, 'retained message');
          retained.set(message.topic, message);
          break;
        }
        case 'unknown':
          throw new TypeError('a key this store never writes');
      }
    } catch (error) {
      throw new StoreCorruptError(file, `${describe()}: ${errorMessage(error)}`, { cause: error });
    }
  }
  const sessions = new Map<string, SessionMirror>();
  for (const [group, header] of headers) {
    const [nextPacketId, nextSequence] = counters.get(group) ?? [1, 1];
    const outbound = (records.get(group) ?? []).sort((left, right) => left.sequence - right.sequence);
    // Kept above every stored sequence whatever the counters say: a record added again under a
    // used sequence would replace a queued message [MQTT-4.6.0-6].
    const above = Math.max(nextSequence, (outbound.at(-1)?.sequence ?? 0) + 1);
    sessions.set(group, SessionMirror.fromStored({ ...header, outbound, nextPacketId, nextSequence: above }));
  }
  return { sessions, retained, empty: entries === 0 };
}
