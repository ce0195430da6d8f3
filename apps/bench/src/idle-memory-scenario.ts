import { setTimeout as sleep } from 'node:timers/promises';
import { connectLoadClient } from './load-client.js';
import type { LoadClient } from './load-client.js';
import type { Scenario } from './scenario.js';

const connectBatch = 200;
const settleBefore = 1500;
// Brokers may keep per-CONNECT timers for a while (an authentication timeout of 10 s): measure once
// they have expired, so the figure is what an idle connection costs for as long as it is open.
const settleAfter = 11_000;

/** Opens many MQTT connections that then stay silent, and divides the broker's RSS growth by their number. */
export const idleMemoryScenario: Scenario = {
  id: 'idle-memory',
  title: 'memory per idle connection (CONNECT, then nothing)',
  bareServer: true,
  async run(broker, options) {
    const count = options.idleConnections;
    await sleep(settleBefore);
    const heapBefore = await broker.collectGarbage();
    const before = await broker.residentBytes();
    const clients: LoadClient[] = [];
    try {
      for (let first = 0; first < count; first += connectBatch) {
        const size = Math.min(connectBatch, count - first);
        const batch = await Promise.all(
          Array.from({ length: size }, (_, index) =>
            connectLoadClient({
              port: broker.port,
              clientId: `idle-${String(first + index).padStart(6, '0')}`,
            }),
          ),
        );
        clients.push(...batch);
      }
      await sleep(settleAfter);
      const heapAfter = await broker.collectGarbage();
      const after = await broker.residentBytes();
      const perConnection = (bytes: number): string => `${(bytes / count / 1024).toFixed(2)} KB`;
      const heap =
        heapBefore && heapAfter
          ? `; per connection: V8 heap ${perConnection(heapAfter.heapUsed - heapBefore.heapUsed)}` +
            // A baseline bundle built before the committed figure existed does not report it.
            (Number.isFinite(heapAfter.heapTotal - heapBefore.heapTotal)
              ? ` (committed ${perConnection(heapAfter.heapTotal - heapBefore.heapTotal)})`
              : '') +
            `, external ${perConnection(heapAfter.external - heapBefore.external)}`
          : '';
      return {
        metrics: [
          {
            label: 'RSS per connection',
            unit: 'KB',
            higherIsBetter: false,
            value: (after - before) / count / 1024,
          },
        ],
        note: `${count} connections; RSS ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB${heap}`,
      };
    } finally {
      for (const client of clients) client.close();
    }
  },
};
