import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store, StoredMessage } from '@mqttkit/contracts';
import { afterAll, bench, describe } from 'vitest';
import { createLmdbStore } from '../src/index.js';
import type { SyncPolicy } from '../src/index.js';

// The store alone, as the broker uses it under many publishers: 1,000 messages queued for
// offline sessions at once (one `outbound-added` each), all awaited together.
const concurrent = 1000;
const message: StoredMessage = {
  topic: 'devices/42/state',
  payload: new Uint8Array(64),
  qos: 1,
  retain: false,
};
const policies: SyncPolicy[] = ['always', { intervalMs: 2 }, { intervalMs: 10 }, 'none'];
const stores = new Map<string, { store: Store; directory: string; sequence: number }>();
for (const sync of policies) {
  const directory = mkdtempSync(join(tmpdir(), 'mqttkit-bench-'));
  const store = createLmdbStore({ path: directory, sync });
  await store.open?.();
  for (let client = 0; client < 100; client += 1) {
    const clientId = `client-${String(client)}`;
    await store.applySessionChanges(clientId, [
      { kind: 'session', clientId, protocolVersion: 5, sessionExpiryInterval: 60 },
    ]);
  }
  stores.set(JSON.stringify(sync), { store, directory, sequence: 0 });
}

afterAll(async () => {
  for (const { store, directory } of stores.values()) {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
});

describe(`${String(concurrent)} concurrent outbound-added writes over 100 sessions`, () => {
  for (const [name, entry] of stores) {
    bench(
      `sync ${name}`,
      async () => {
        const writes: Promise<void>[] = [];
        for (let index = 0; index < concurrent; index += 1) {
          entry.sequence += 1;
          writes.push(
            entry.store.applySessionChanges(`client-${String(index % 100)}`, [
              {
                kind: 'outbound-added',
                record: {
                  sequence: entry.sequence,
                  message,
                  qos: 1,
                  retain: false,
                  bytes: 80,
                  phase: 'queued',
                },
              },
            ]),
          );
        }
        await Promise.all(writes);
      },
      { time: 1000, iterations: 10, warmupIterations: 2 },
    );
  }
});
