import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreConformance } from '@mqttkit/contracts/testing';
import { createLmdbStore } from './create-lmdb-store.js';

let directory = '';

for (const sync of ['always', { intervalMs: 2 }, 'none'] as const) {
  runStoreConformance({
    name: `createLmdbStore (sync ${JSON.stringify(sync)})`,
    create: () => {
      directory = mkdtempSync(join(tmpdir(), 'mqttkit-store-lmdb-'));
      return createLmdbStore({ path: directory, sync });
    },
    reopen: () => createLmdbStore({ path: directory, sync }),
    cleanup: () => rmSync(directory, { recursive: true, force: true }),
    scale: 500,
    fuzzRuns: 30,
  });
}
