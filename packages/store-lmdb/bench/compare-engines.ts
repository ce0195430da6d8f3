// Compares the candidate engines on what this store does: small writes committed in batches,
// each batch one transaction made durable with one fsync. Run with
// `ENGINES_FROM=<dir with node_modules holding lmdb, classic-level, better-sqlite3> pnpm tsx bench/compare-engines.ts`
// (only lmdb is a dependency of this package; the others are installed apart to compare).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

interface Engine {
  readonly name: string;
  /** Writes one batch in one transaction and resolves once it is synced to disk. */
  write(batch: readonly (readonly [Uint8Array, Uint8Array])[]): Promise<void>;
  close(): Promise<void>;
}

const resolveFrom = createRequire(
  process.env.ENGINES_FROM === undefined ? import.meta.url : join(process.env.ENGINES_FROM, 'x.js'),
);
const load = (name: string): unknown => resolveFrom(name);

interface LmdbModule {
  open(options: object): {
    put(key: Uint8Array, value: Uint8Array): Promise<boolean>;
    transaction(callback: () => void): Promise<unknown>;
    flushed: Promise<void>;
    close(): Promise<void>;
  };
}
interface LevelModule {
  ClassicLevel: new (
    path: string,
    options: object,
  ) => {
    open(): Promise<void>;
    batch(operations: object[], options: object): Promise<void>;
    close(): Promise<void>;
  };
}
type SqliteModule = new (path: string) => {
  pragma(text: string): unknown;
  exec(text: string): unknown;
  prepare(text: string): { run(...values: unknown[]): unknown };
  transaction(
    callback: (rows: readonly (readonly [Uint8Array, Uint8Array])[]) => void,
  ): (rows: readonly (readonly [Uint8Array, Uint8Array])[]) => void;
  close(): void;
};

async function createLmdb(path: string): Promise<Engine> {
  const database = (load('lmdb') as LmdbModule).open({ path, encoding: 'binary', keyEncoding: 'binary' });
  return {
    name: 'lmdb',
    async write(batch) {
      await database.transaction(() => {
        for (const [key, value] of batch) void database.put(key, value);
      });
      await database.flushed;
    },
    close: () => database.close(),
  };
}

async function createLevel(path: string): Promise<Engine> {
  const { ClassicLevel } = load('classic-level') as LevelModule;
  const database = new ClassicLevel(path, { keyEncoding: 'view', valueEncoding: 'view' });
  await database.open();
  return {
    name: 'classic-level',
    write: (batch) =>
      database.batch(
        batch.map(([key, value]) => ({ type: 'put', key, value })),
        { sync: true },
      ),
    close: () => database.close(),
  };
}

async function createSqlite(path: string): Promise<Engine> {
  const Database = load('better-sqlite3') as SqliteModule;
  const database = new Database(join(path, 'store.sqlite'));
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.exec('CREATE TABLE entries (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID');
  const insert = database.prepare('INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)');
  const writeAll = database.transaction((rows) => {
    for (const [key, value] of rows) insert.run(key, value);
  });
  return {
    name: 'better-sqlite3',
    async write(batch) {
      writeAll(batch);
    },
    async close() {
      database.close();
    },
  };
}

const value = Uint8Array.from({ length: 200 }, (_, index) => index % 256);
let counter = 0;
function nextKey(): Uint8Array {
  counter += 1;
  const key = new Uint8Array(24);
  key.set(new TextEncoder().encode('o\u0000client-0001\u0000'));
  new DataView(key.buffer).setFloat64(16, counter);
  return key;
}

async function measure(create: (path: string) => Promise<Engine>, batchSize: number): Promise<number> {
  const directory = mkdtempSync(join(tmpdir(), 'engine-bench-'));
  const engine = await create(directory);
  const budgetMs = 1500;
  let written = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    const batch = Array.from({ length: batchSize }, () => [nextKey(), value] as const);
    await engine.write(batch);
    written += batchSize;
  }
  const elapsed = performance.now() - started;
  await engine.close();
  rmSync(directory, { recursive: true, force: true });
  return (written / elapsed) * 1000;
}

const engines = [createLmdb, createLevel, createSqlite];
const batchSizes = [1, 10, 100, 1000];
console.log(
  `node ${process.version}, load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`,
);
console.log(`| engine | ${batchSizes.map((size) => `batch ${String(size)}`).join(' | ')} |`);
for (const create of engines) {
  const results: string[] = [];
  let name = create.name;
  for (const size of batchSizes) {
    try {
      results.push(Math.round(await measure(create, size)).toLocaleString('en-US'));
    } catch (error) {
      results.push(`failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  name = name.replace('create', '');
  console.log(`| ${name} | ${results.join(' | ')} |`);
}
