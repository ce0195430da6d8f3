import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBroker } from '@mqttkit/broker';
import type { Broker } from '@mqttkit/broker';
import type { Hook, Store } from '@mqttkit/contracts';
import { createTcpTransport } from '@mqttkit/transport-tcp';
import mqtt from 'mqtt';
import { afterAll, bench, describe } from 'vitest';
import { createLmdbStore } from '../src/index.js';
import type { SyncPolicy } from '../src/index.js';

// QoS 1 through a real broker over TCP: publishers send at once, a persistent subscriber
// (session expiry 1 hour) receives, so every message is written to the store before its PUBACK.
const publishers = 8;
const messagesPerPublisher = 50;
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

/** Every publisher sends its messages at once; resolves when all are acknowledged and delivered. */
async function round(rig: Rig): Promise<void> {
  rig.received.target = rig.received.count + publishers * messagesPerPublisher;
  const delivered = new Promise<void>((resolve) => {
    rig.received.waiting = resolve;
  });
  const publishes: Promise<unknown>[] = [];
  for (const client of rig.clients.slice(1)) {
    for (let index = 0; index < messagesPerPublisher; index += 1) {
      publishes.push(client.publishAsync(`bench/${client.options.clientId ?? ''}`, payload, { qos: 1 }));
    }
  }
  await Promise.all(publishes);
  await delivered;
}

const variants: [string, SyncPolicy | undefined][] = [
  ['memory store (broker default)', undefined],
  ["lmdb sync 'always'", 'always'],
  ['lmdb sync { intervalMs: 2 }', { intervalMs: 2 }],
  ['lmdb sync { intervalMs: 10 }', { intervalMs: 10 }],
  ["lmdb sync 'none'", 'none'],
];
const rigs = new Map<string, Rig>();
for (const [name, sync] of variants) rigs.set(name, await createRig(sync));
console.log(
  `node ${process.version}, load average ${loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}; ` + `one iteration = ${String(publishers * messagesPerPublisher)} QoS 1 messages`,
);

afterAll(async () => {
  for (const rig of rigs.values()) {
    await Promise.all(rig.clients.map((client) => client.endAsync(true)));
    await rig.broker.close();
    if (rig.directory !== undefined) rmSync(rig.directory, { recursive: true, force: true });
  }
});

describe(`${String(publishers)} publishers x ${String(messagesPerPublisher)} QoS 1 messages to a persistent subscriber`, () => {
  for (const [name] of variants) {
    bench(name, () => round(rigs.get(name)!), { time: 2000, iterations: 5, warmupIterations: 3 });
  }
});
