import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerProcess } from './broker-process.js';
import { connectLoadClient } from './load-client.js';
import type { LoadClient } from './load-client.js';
import type { Scenario } from './scenario.js';

const connectBatch = 200;
const settleBefore = 1500;
// Brokers may keep per-CONNECT timers for a while (an authentication timeout of 10 s): measure once
// they have expired, so the figure is what an idle connection costs for as long as it is open.
const settleAfter = 11_000;
// V8 gives back the new space it grew during a burst (up to two 16 MB semi-spaces) on a timer of
// its own, seconds after the burst, and the pages leave RSS a GC or two later: RSS can fall by
// 30 MB after the first reading. The marginal figure compares two steady states: readings after a
// GC every second until V8 holds at most `steadySlack` of committed heap beyond what is in use (no
// grown new space left) and the last `steadyReadings` RSS readings differ by less than
// `steadyTolerance`, for at most `steadyLimit`.
const steadyInterval = 1000;
const steadyReadings = 4;
const steadyTolerance = 512 * 1024;
const steadySlack = 8 * 2 ** 20;
const steadyLimit = 30_000;

/** The broker's memory at one point: RSS, and for Node brokers the V8 heap after a full GC. */
interface MemoryPoint {
  readonly resident: number;
  readonly heap: { heapUsed: number; heapTotal: number; external: number } | undefined;
}

/** The first reading `settleAfter` after the last connection, and the steady state polled after it. */
interface SettledPoint {
  readonly first: MemoryPoint;
  readonly steady: MemoryPoint;
  /** Milliseconds from the first reading to the steady one. */
  readonly waited: number;
  /** False when RSS still moved after `steadyLimit`. */
  readonly settled: boolean;
}

async function measure(broker: BrokerProcess): Promise<MemoryPoint> {
  const heap = await broker.collectGarbage();
  return { resident: await broker.residentBytes(), heap };
}

async function measureSettled(broker: BrokerProcess): Promise<SettledPoint> {
  await sleep(settleAfter);
  const start = performance.now();
  const readings = [await measure(broker)];
  for (;;) {
    const recent = readings.slice(-steadyReadings).map((point) => point.resident);
    const heap = readings.at(-1)!.heap;
    const settled =
      recent.length === steadyReadings &&
      Math.max(...recent) - Math.min(...recent) < steadyTolerance &&
      (heap === undefined || !(heap.heapTotal - heap.heapUsed >= steadySlack));
    const waited = performance.now() - start;
    if (settled || waited >= steadyLimit) {
      return { first: readings[0]!, steady: readings.at(-1)!, waited, settled };
    }
    await sleep(steadyInterval);
    readings.push(await measure(broker));
  }
}

async function openConnections(
  broker: BrokerProcess,
  clients: LoadClient[],
  range: { readonly first: number; readonly count: number },
): Promise<void> {
  const { first, count } = range;
  for (let start = first; start < first + count; start += connectBatch) {
    const size = Math.min(connectBatch, first + count - start);
    const batch = await Promise.all(
      Array.from({ length: size }, (_, index) =>
        connectLoadClient({ port: broker.port, clientId: `idle-${String(start + index).padStart(6, '0')}` }),
      ),
    );
    clients.push(...batch);
  }
}

const kilobytes = (bytes: number, count: number): string => `${(bytes / count / 1024).toFixed(2)} KB`;
const mebibytes = (point: MemoryPoint): string => (point.resident / 2 ** 20).toFixed(1);

/** Heap used (and committed, where the bundle reports it) and external growth per connection, for the note. */
function heapGrowth(from: MemoryPoint, to: MemoryPoint, count: number): string {
  if (from.heap === undefined || to.heap === undefined) return '';
  const committed = to.heap.heapTotal - from.heap.heapTotal;
  return (
    `; V8 heap used ${kilobytes(to.heap.heapUsed - from.heap.heapUsed, count)}` +
    // A baseline bundle built before the committed figure existed does not report it.
    (Number.isFinite(committed) ? ` (committed ${kilobytes(committed, count)})` : '') +
    `, external ${kilobytes(to.heap.external - from.heap.external, count)}`
  );
}

function steadiness(point: SettledPoint): string {
  const seconds = (point.waited / 1000).toFixed(0);
  return point.settled ? `steady after ${seconds} s more` : `still moving after ${seconds} s`;
}

/**
 * Opens many MQTT connections that then stay silent, in two equal halves, and reports two figures.
 * RSS growth: the broker's RSS 11 s after the last connection minus its RSS before the first,
 * divided by their number; what a fresh broker grows by, one-time growth of V8's heap included.
 * Marginal RSS: the steady RSS after the second half minus the steady RSS after the first, divided
 * by the second half's size; what one more idle connection costs a broker that already holds many.
 * Nothing is closed before measuring.
 */
export const idleMemoryScenario: Scenario = {
  id: 'idle-memory',
  title: 'memory per idle connection (CONNECT, then nothing)',
  bareServer: true,
  async run(broker, options) {
    const count = options.idleConnections;
    const firstHalf = Math.floor(count / 2);
    const secondHalf = count - firstHalf;
    await sleep(settleBefore);
    const clients: LoadClient[] = [];
    try {
      const before = await measure(broker);
      await openConnections(broker, clients, { first: 0, count: firstHalf });
      const middle = await measureSettled(broker);
      await openConnections(broker, clients, { first: firstHalf, count: secondHalf });
      const after = await measureSettled(broker);
      return {
        metrics: [
          {
            label: 'RSS growth per connection',
            unit: 'KB',
            higherIsBetter: false,
            value: (after.first.resident - before.resident) / count / 1024,
          },
          {
            label: 'marginal RSS per connection',
            unit: 'KB',
            higherIsBetter: false,
            value: (after.steady.resident - middle.steady.resident) / secondHalf / 1024,
          },
        ],
        note:
          `growth over ${count} connections: RSS ${mebibytes(before)} → ${mebibytes(after.first)} MiB` +
          heapGrowth(before, after.first, count) +
          `; marginal over the last ${secondHalf}: steady RSS ${mebibytes(middle.steady)} → ` +
          `${mebibytes(after.steady)} MiB (${steadiness(middle)}, ${steadiness(after)})` +
          heapGrowth(middle.steady, after.steady, secondHalf),
      };
    } finally {
      for (const client of clients) client.close();
    }
  },
};
