import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { Logger } from '@mqttkit/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLmdbStore } from './create-lmdb-store.js';
import { StoreCorruptError } from './store-corrupt-error.js';

let directory = '';
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mqttkit-corrupt-'));
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function silentLogger(): Logger & { warn: ReturnType<typeof vi.fn<Logger['warn']>> } {
  return { debug: vi.fn(), info: vi.fn(), warn: vi.fn<Logger['warn']>(), error: vi.fn() };
}

async function openError(path: string): Promise<unknown> {
  const store = createLmdbStore({ path });
  const error = await store.open?.().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  await store.close();
  return error;
}

async function writeSomething(path: string): Promise<void> {
  const store = createLmdbStore({ path });
  await store.open?.();
  await store.setRetained({ topic: 'a', payload: Uint8Array.of(1), qos: 0, retain: true });
  await store.close();
}

describe('createLmdbStore on damaged data', () => {
  it('creates a missing directory, nested, on open', async () => {
    const nested = join(directory, 'a', 'b');
    await writeSomething(nested);
    expect(readdirSync(nested)).toContain('data.mdb');
  });

  it('refuses a file that is not an LMDB database, naming it', async () => {
    writeFileSync(join(directory, 'data.mdb'), Buffer.alloc(20_000, 7));
    const error = await openError(directory);
    expect(StoreCorruptError.isInstance(error)).toBe(true);
    expect((error as StoreCorruptError).file).toBe(join(directory, 'data.mdb'));
    expect((error as Error).message).toContain(join(directory, 'data.mdb'));
    expect((error as Error).message).toContain('not an LMDB data file');
  });

  it('refuses a database cut short', async () => {
    await writeSomething(directory);
    const file = join(directory, 'data.mdb');
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 6000);
    const error = await openError(directory);
    expect(StoreCorruptError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('cut short');
  });

  it('refuses an LMDB database another program wrote', async () => {
    const foreign = openLmdb({ path: join(directory, 'data.mdb') });
    await foreign.put('someone-else', { hello: 'world' });
    await foreign.close();
    const error = await openError(directory);
    expect(StoreCorruptError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('no mqttkit layout marker');
  });

  it('opens a layout-1 store (records in MessagePack only) and marks it layout 2 before writing', async () => {
    await writeSomething(directory);
    const old = openLmdb({ path: join(directory, 'data.mdb'), keyEncoding: 'binary' });
    await old.put(Buffer.of(0), { layout: 1, engine: 'lmdb' });
    await old.close();
    const store = createLmdbStore({ path: directory });
    await store.open?.();
    const retained = [];
    for await (const message of store.loadRetained()) retained.push(message.topic);
    await store.close();
    expect(retained).toEqual(['a']);
    const reopened = openLmdb({ path: join(directory, 'data.mdb'), keyEncoding: 'binary' });
    expect(reopened.get(Buffer.of(0))).toMatchObject({ layout: 2 });
    await reopened.close();
  });

  it('refuses a layout it does not know, and an entry that does not decode', async () => {
    await writeSomething(directory);
    const database = openLmdb({ path: join(directory, 'data.mdb'), keyEncoding: 'binary' });
    await database.put(Buffer.of(0), { layout: 3 });
    await database.close();
    expect((await openError(directory)) as Error).toHaveProperty(
      'message',
      expect.stringContaining('layout 3, this version reads layouts 1 and 2'),
    );

    const second = mkdtempSync(join(tmpdir(), 'mqttkit-corrupt-'));
    await writeSomething(second);
    const damaged = openLmdb({ path: join(second, 'data.mdb'), keyEncoding: 'binary' });
    await damaged.put(Buffer.from('r\u0000b'), { topic: 'b', payload: 'not bytes' });
    await damaged.close();
    const error = await openError(second);
    rmSync(second, { recursive: true, force: true });
    expect(StoreCorruptError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('malformed retained message');
  });

  it("moves a corrupt database aside with onCorrupt: 'move-aside', logs it and starts empty", async () => {
    writeFileSync(join(directory, 'data.mdb'), Buffer.alloc(20_000, 7));
    const logger = silentLogger();
    const store = createLmdbStore({ path: directory, onCorrupt: 'move-aside', logger });
    await store.open?.();
    await store.setRetained({ topic: 'a', payload: Uint8Array.of(1), qos: 0, retain: true });
    await store.close();
    const aside = readdirSync(directory).filter((name) => name.startsWith('data.mdb.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('moved it aside'),
      expect.objectContaining({
        file: join(directory, 'data.mdb'),
        movedTo: join(directory, aside[0] ?? ''),
      }),
    );
    expect(await openError(directory)).toBeUndefined();
  });

  it('rejects calls before open and an invalid sync policy', async () => {
    const store = createLmdbStore({ path: directory });
    await expect(store.getSession('a')).rejects.toThrow('call open() first');
    await store.close();
    expect(() => createLmdbStore({ path: directory, sync: { intervalMs: -1 } })).toThrow(TypeError);
  });
});
