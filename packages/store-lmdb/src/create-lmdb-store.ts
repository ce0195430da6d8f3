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
import { encodeRecord, hasBinaryLayout } from './record-codec.js';
import { stagingKey, WriteBatcher } from './write-batcher.js';
import type { BatchTarget, NumberedKeys, StagingKey, SyncPolicy } from './write-batcher.js';

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

/**
 * The layout this version writes. Layout 1 kept every record in MessagePack; layout 2 may hold
 * outbound records in the binary layout of `record-codec.ts`, which a layout-1 reader would refuse.
 * This version reads both and marks a layout-1 store as 2 when it opens it, before writing anything
 * new; a store with any other layout refuses to open.
 */
const layout = 2;
const readableLayouts: readonly unknown[] = [1, 2];
const defaultSync: SyncPolicy = { intervalMs: 2 };

const consoleLogger: Pick<Logger, 'warn'> = {
  warn: (message, details) => console.warn(`mqttkit: ${message}`, details ?? ''),
};

interface Entry {
  readonly mirror: SessionMirror;
  readonly part: Buffer;
  readonly sessionKey: StagingKey;
  readonly counterKey: StagingKey;
  readonly records: NumberedKeys<StoredOutboundRecord>;
  readonly sink: ChangeSink;
}

interface Loaded {
  readonly sessions: Map<string, SessionMirror>;
  readonly retained: Map<string, StoredMessage>;
  /** The layout marker found; undefined in an empty store. */
  readonly layout: number | undefined;
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
  const sessions = new Map<string, Entry>();
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

  function stageWhole(entry: Entry, target: WriteBatcher): void {
    entry.sink.header();
    entry.sink.counters();
    for (const [sequence, record] of entry.mirror.outbound)
      target.stageNumbered(entry.records, sequence, record);
  }

  function stageRemoval(entry: Entry, target: WriteBatcher): void {
    target.stage(entry.sessionKey);
    target.stage(entry.counterKey);
    for (const sequence of entry.mirror.outbound.keys())
      target.stageNumbered(entry.records, sequence, undefined);
  }

  /** A session's entry: its mirror and, made once, its keys and what stages its changes. */
  function entryFor(mirror: SessionMirror, part: Buffer, target: WriteBatcher): Entry {
    const sessionEntryKey = stagingKey(sessionKey(part));
    const counterEntryKey = stagingKey(counterKey(part));
    const header = (): unknown => mirror.header();
    const counters = (): unknown => mirror.counters();
    const records: NumberedKeys<StoredOutboundRecord> = {
      id: part.toString('latin1'),
      key: (sequence) => outboundKey(part, sequence),
      value: recordValue,
    };
    return {
      mirror,
      part,
      sessionKey: sessionEntryKey,
      counterKey: counterEntryKey,
      records,
      sink: {
        header: () => target.stage(sessionEntryKey, header),
        counters: () => target.stage(counterEntryKey, counters),
        outbound: (sequence, record, fresh) => {
          if (record !== undefined && fresh === true) target.stageFresh(records, sequence, record);
          else target.stageNumbered(records, sequence, record);
        },
      },
    };
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
    batcher = new WriteBatcher(startingAtOnce(opened), policy);
    for (const [group, mirror] of loaded.sessions)
      sessions.set(mirror.clientId, entryFor(mirror, Buffer.from(group, 'latin1'), batcher));
    for (const [topic, message] of loaded.retained) retained.set(topic, message);
    if (loaded.layout !== layout) {
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
      const entry = entryFor(
        SessionMirror.fromStored(session),
        previous?.part ?? keyPart(session.clientId),
        target,
      );
      if (previous !== undefined) stageRemoval(previous, target);
      sessions.set(session.clientId, entry);
      stageWhole(entry, target);
      return target.settled();
    },

    // Not `async`: this runs once or more per message, and the batch's own promise is returned
    // as is rather than wrapped in another.
    applySessionChanges(clientId: string, changes: readonly StoredSessionChange[]): Promise<void> {
      try {
        const target = writer('applySessionChanges');
        let entry = sessions.get(clientId);
        for (const change of changes) {
          if (entry !== undefined) {
            entry.mirror.apply(change, entry.sink);
          } else if (change.kind === 'session') {
            entry = entryFor(SessionMirror.create({ ...change, clientId }), keyPart(clientId), target);
            sessions.set(clientId, entry);
            entry.sink.header();
            entry.sink.counters();
          }
        }
        return target.settled();
      } catch (error) {
        return Promise.reject(error as Error);
      }
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

/** Removed after every batch, never stored: a key of no kind this store writes (`readAll` refuses it). */
const kickKey = Buffer.of(0xff);

/**
 * The database as the batcher's target, with every batch's commit started at once. lmdb-js starts
 * the writer thread on a batch's commit from a `setImmediate`; called from a `setImmediate` (where
 * the batcher seals), that runs only after the next full turn of the event loop, which under load
 * added 1 to 2 ms to every commit and left the publishers' windows waiting. A write queued after
 * the batch takes lmdb-js's count of pending writes past its `txnStartThreshold` (5), and lmdb-js
 * then starts the writer thread right away (a batch of a few writes, as made under light load,
 * still starts on the next turn). That write, removing a key that is never stored, joins the same
 * transaction and changes nothing.
 */
function startingAtOnce(database: RootDatabase): BatchTarget {
  return {
    batch(callback) {
      const committed = database.batch(callback);
      // Its outcome is the batch's, reported through `committed`.
      database.remove(kickKey).catch(() => undefined);
      return committed;
    },
    put: (key, value) => database.put(key, value),
    remove: (key) => database.remove(key),
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

/** A record's value on disk: the binary layout, or MessagePack when its message has properties. */
function recordValue(record: StoredOutboundRecord): unknown {
  if (hasBinaryLayout(record)) return encodeRecord(record);
  return { ...record, message: diskMessage(record.message) };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function checkLayout(format: unknown, file: string): number {
  const found = (format as { layout?: unknown } | undefined)?.layout;
  if (found === undefined) throw new StoreCorruptError(file, 'it holds data but no mqttkit layout marker');
  if (!readableLayouts.includes(found)) {
    throw new StoreCorruptError(
      file,
      `it has layout ${String(found)}, this version reads layouts ${readableLayouts.join(' and ')}`,
    );
  }
  return found as number;
}

/** Reads every entry into memory, refusing anything it does not recognise. */
function readAll(database: RootDatabase, file: string): Loaded {
  const headers = new Map<string, SessionHeader>();
  const counters = new Map<string, readonly [number, number]>();
  const records = new Map<string, StoredOutboundRecord[]>();
  const retained = new Map<string, StoredMessage>();
  let entries = 0;
  let found: number | undefined;
  for (const { key, value } of database.getRange({})) {
    entries += 1;
    const bytes = key as Uint8Array;
    const kind = keyKind(bytes);
    // The marker's key sorts first: anything else first means another program's data.
    if (entries === 1) found = checkLayout(kind === 'format' ? value : undefined, file);
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
  return { sessions, retained, layout: found };
}
