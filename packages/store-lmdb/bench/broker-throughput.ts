// QoS 1 throughput through a real broker over TCP, the memory store against this store under each
// sync policy, in one process run. MQTT.js publishers, each with a window of messages in flight,
// send to a persistent subscriber (session
// expiry 1 hour), so every message is written to the store before its PUBACK. The variants take
// turns round after round (the order rotates), so a change in the machine's load or disk latency
// hits them all alike; each round's rate is compared with the memory store's in the same round.
//
//   pnpm bench:broker [--only <name part>] [--rounds 7] [--warmup 2] [--publishers 8] [--messages 1000] [--window 32]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createBroker } from '@mqttkit/broker';
import type { Broker } from '@mqttkit/broker';
import type { Hook, Store } from '@mqttkit/contracts';
import { createTcpTransport } from '@mqttkit/transport-tcp';
import mqtt from 'mqtt';
import { createLmdbStore } from '@mqttkit/store-lmdb';
import type { SyncPolicy } from '@mqttkit/store-lmdb';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    messages: { type: 'string', default: '1000' },
    window: { type: 'string', default: '32' },
    // Keeps the memory store and the variants whose name contains this text (for profiling).
    only: { type: 'string' },
    publishers: { type: 'string', default: '8' },
  },
});
const rounds = Number(values.rounds);
const warmupRounds = Number(values.warmup);
const messagesPerPublisher = Number(values.messages);
const publishers = Number(values.publishers);
const window = Number(values.window);
const payload = Buffer.alloc(64, 7);

const allowEverything: Hook = {
  name: 'allow-everything',
  authenticate: () => 'allow',
  authorizePublish: () => 'allow',
  authorizeSubscribe: () => 'allow',
};

interface Rig {
  readonly broker: Broker;
  readonly clients: mqtt.MqttClient[];
  readonly directory: string | undefined;
  readonly received: { count: number; waiting: (() => void) | undefined; target: number };
}

async function createRig(sync: SyncPolicy | undefined): Promise<Rig> {
  const directory = sync === undefined ? undefined : mkdtempSync(join(tmpdir(), 'mqttkit-bench-'));
  const store: Store | undefined =
    directory === undefined ? undefined : createLmdbStore({ path: directory, sync: sync! });
  const broker = await createBroker({
    hooks: [allowEverything],
    capabilities: { sysInterval: 0 },
    ...(store ? { store } : {}),
  });
  const { url } = await broker.listen(createTcpTransport({ host: '127.0.0.1', port: 0 }));
  const received: Rig['received'] = { count: 0, waiting: undefined, target: 0 };
  const subscriber = await mqtt.connectAsync(url, {
    clientId: 'bench-subscriber',
    protocolVersion: 5,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 0,
  });
  await subscriber.subscribeAsync('bench/#', { qos: 1 });
  subscriber.on('message', () => {
    received.count += 1;
    if (received.count >= received.target) received.waiting?.();
  });
  const clients = [subscriber];
  for (let index = 0; index < publishers; index += 1) {
    clients.push(
      await mqtt.connectAsync(url, {
        clientId: `bench-publisher-${String(index)}`,
        protocolVersion: 5,
        reconnectPeriod: 0,
      }),
    );
  }
  return { broker, clients, directory, received };
}

/**
 * Each publisher keeps `window` messages in flight (the next goes out as one is acknowledged) until
 * it has sent its share; resolves with the rate once all are acknowledged and delivered. The
 * windows together stay below the subscriber's queue bound, so the broker drops nothing.
 */
async function round(rig: Rig): Promise<number> {
  const total = publishers * messagesPerPublisher;
  rig.received.target = rig.received.count + total;
  const delivered = new Promise<void>((resolve) => {
    rig.received.waiting = resolve;
  });
  const started = performance.now();
  const publishing = rig.clients.slice(1).map(
    (client) =>
      new Promise<void>((resolve, reject) => {
        const topic = `bench/${client.options.clientId ?? ''}`;
        let sent = 0;
        let acknowledged = 0;
        const next = (): void => {
          while (sent < messagesPerPublisher && sent - acknowledged < window) {
            sent += 1;
            client.publishAsync(topic, payload, { qos: 1 }).then(() => {
              acknowledged += 1;
              if (acknowledged === messagesPerPublisher) resolve();
              else next();
            }, reject);
          }
        };
        next();
      }),
  );
  await Promise.all(publishing);
  await delivered;
  return (total * 1000) / (performance.now() - started);
}

function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const variants = (
  [
    ['memory store (broker default)', undefined],
    ["lmdb sync 'always'", 'always'],
    ['lmdb sync { intervalMs: 2 } (default)', { intervalMs: 2 }],
    ['lmdb sync { intervalMs: 10 }', { intervalMs: 10 }],
    ["lmdb sync 'none'", 'none'],
  ] satisfies [string, SyncPolicy | undefined][]
).filter(([name], index) => index === 0 || values.only === undefined || name.includes(values.only));

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
console.log(
  `node ${process.version}; load average ${load()} (1/5/15 min); ${String(publishers)} publishers × ` +
    `${String(messagesPerPublisher)} QoS 1 messages of ${String(payload.length)} bytes per round, ` +
    `${String(window)} in flight per publisher, to a ` +
    `persistent subscriber; ${String(warmupRounds)} warm-up + ${String(rounds)} measured rounds per variant, interleaved`,
);

const rigs: Rig[] = [];
for (const [, sync] of variants) rigs.push(await createRig(sync));
const rates: number[][] = variants.map(() => []);
try {
  for (let index = 0; index < warmupRounds + rounds; index += 1) {
    for (let turn = 0; turn < variants.length; turn += 1) {
      const variant = (index + turn) % variants.length;
      const rate = await round(rigs[variant]!);
      if (process.env.BENCH_TRACE) console.error(variants[variant]![0], Math.round(rate));
      if (index >= warmupRounds) rates[variant]!.push(rate);
    }
  }
} finally {
  for (const rig of rigs) {
    await Promise.all(rig.clients.map((client) => client.endAsync()));
    await rig.broker.close();
    if (rig.directory !== undefined) rmSync(rig.directory, { recursive: true, force: true });
  }
}

const memoryRates = rates[0]!;
console.log(
  '\n| store | msg/s (median) | of the memory store (median of per-round ratios) | rounds (msg/s) |',
);
console.log('| --- | ---: | ---: | --- |');
variants.forEach(([name], variant) => {
  const own = rates[variant]!;
  const ratios = own.map((rate, index) => rate / memoryRates[index]!);
  console.log(
    `| ${name} | ${Math.round(median(own)).toLocaleString('en-US')} | ${(median(ratios) * 100).toFixed(0)}% | ` +
      `${own.map((rate) => Math.round(rate).toLocaleString('en-US')).join(' / ')} |`,
  );
});
console.log(`\nload average at the end: ${load()}`);
