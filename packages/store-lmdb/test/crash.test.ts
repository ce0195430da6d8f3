import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, startBrokerProcess } from './support.js';
import type { BrokerProcess } from './support.js';

const seed = 0x8_2026;
const cycles = 4;
const publishers = 6;
const window = 64;
const subscribers = [
  { clientId: 'offline-v5', protocolVersion: 5 as const },
  { clientId: 'offline-v3', protocolVersion: 4 as const },
];

function connect(url: string, options: mqtt.IClientOptions): Promise<mqtt.MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...options });
}

function persistent(clientId: string, protocolVersion: 4 | 5): mqtt.IClientOptions {
  return {
    clientId,
    protocolVersion,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
  };
}

/**
 * Publishes QoS 1 messages from several clients at full speed (each up to `window` unacknowledged)
 * until `acknowledgements` PUBACKs arrived in all, then kills the broker while the rest are in
 * flight. Returns the acknowledged ids of each publisher, in publishing order.
 */
async function publishUntilKilled(options: {
  broker: BrokerProcess;
  cycle: number;
  acknowledgements: number;
}): Promise<string[][]> {
  const clients = await Promise.all(
    Array.from({ length: publishers }, (_, index) =>
      connect(options.broker.url, {
        clientId: `publisher-${String(options.cycle)}-${String(index)}`,
        protocolVersion: 5,
      }),
    ),
  );
  let total = 0;
  let killing: Promise<void> | undefined;
  const runs = clients.map(async (client, index) => {
    client.on('error', () => {});
    const acknowledged: string[] = [];
    let inflight = 0;
    let sent = 0;
    await new Promise<void>((resolve) => {
      client.on('close', () => resolve());
      const pump = (): void => {
        while (killing === undefined && inflight < window) {
          const id = `${String(options.cycle)}-${String(index)}-${String(sent)}`;
          sent += 1;
          inflight += 1;
          client.publish(`crash/${String(options.cycle)}`, id, { qos: 1 }, (error) => {
            inflight -= 1;
            if (error !== undefined && error !== null) return;
            acknowledged.push(id);
            total += 1;
            if (total >= options.acknowledgements) killing ??= options.broker.kill();
            else pump();
          });
        }
      };
      pump();
    });
    client.end(true);
    return acknowledged;
  });
  const acknowledged = await Promise.all(runs);
  await killing;
  return acknowledged;
}

describe('the LMDB store under kill -9', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mqttkit-crash-'));
  const random = seededRandom(seed);
  const acknowledged = new Set<string>();
  const published: string[][] = [];
  let broker: BrokerProcess;
  const received = new Map<string, { ids: string[]; wills: string[]; sessionPresent: boolean }>();

  beforeAll(async () => {
    broker = await startBrokerProcess(directory);
    for (const { clientId, protocolVersion } of subscribers) {
      const client = await connect(broker.url, persistent(clientId, protocolVersion));
      await client.subscribeAsync(['crash/#', 'wills/#'], { qos: 1 });
      await client.endAsync();
    }
    const retainer = await connect(broker.url, { clientId: 'retainer', protocolVersion: 5 });
    await retainer.publishAsync('retained/status', 'kept', { qos: 1, retain: true });
    await retainer.endAsync();
    // Connected when the broker dies: its will is pending at the crash.
    const willing = await connect(broker.url, {
      ...persistent('willing', 5),
      will: { topic: 'wills/willing', payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    willing.on('error', () => {});

    for (let cycle = 0; cycle < cycles; cycle += 1) {
      const lists = await publishUntilKilled({
        broker,
        cycle,
        acknowledgements: 200 + Math.floor(random() * 1500),
      });
      for (const ids of lists) for (const id of ids) acknowledged.add(id);
      published.push(...lists);
      willing.end(true);
      broker = await startBrokerProcess(directory);
    }

    for (const { clientId, protocolVersion } of subscribers) {
      const entry = { ids: [] as string[], wills: [] as string[], sessionPresent: false };
      received.set(clientId, entry);
      const client = mqtt.connect(broker.url, {
        ...persistent(clientId, protocolVersion),
        reconnectPeriod: 0,
      });
      const missing = new Set(acknowledged);
      await new Promise<void>((resolve, reject) => {
        client.on('connect', (connack) => {
          entry.sessionPresent = connack.sessionPresent;
        });
        client.on('error', reject);
        client.on('message', (topic, payload) => {
          if (topic.startsWith('crash/')) {
            const id = payload.toString();
            entry.ids.push(id);
            missing.delete(id);
          }
          if (topic === 'wills/willing') entry.wills.push(payload.toString());
          if (missing.size === 0) resolve();
        });
        // Bounded: a lost message fails the first test below instead of hanging the suite.
        setTimeout(() => resolve(), 10_000).unref();
      });
      await client.endAsync();
    }
  }, 60_000);

  afterAll(async () => {
    await broker.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  it('[MQTT-4.3.2-4] delivers every message the broker acknowledged to offline persistent subscribers', () => {
    expect(acknowledged.size).toBeGreaterThanOrEqual(cycles * 200);
    for (const { clientId } of subscribers) {
      const ids = new Set(received.get(clientId)?.ids);
      const lost = [...acknowledged].filter((id) => !ids.has(id));
      expect(lost, `${clientId} lost acknowledged messages`).toStrictEqual([]);
    }
  });

  it('[MQTT-4.3.2-5] delivers only messages that were published, each id at most once per crash', () => {
    for (const { clientId } of subscribers) {
      const ids = received.get(clientId)?.ids ?? [];
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      for (const [id, count] of counts) {
        expect(id).toMatch(new RegExp(`^[0-${String(cycles - 1)}]-[0-${String(publishers - 1)}]-\\d+$`));
        // A QoS 1 duplicate needs a redelivery, and a message is redelivered at most once per restart.
        expect(count, id).toBeLessThanOrEqual(cycles + 1);
      }
    }
  });

  it('[MQTT-4.6.0-6] delivers the acknowledged messages of each publisher in the order they were published', () => {
    for (const { clientId } of subscribers) {
      const firstSeen = [...new Set(received.get(clientId)?.ids)].filter((id) => acknowledged.has(id));
      for (const ids of published) {
        const sent = new Set(ids);
        expect(firstSeen.filter((id) => sent.has(id))).toStrictEqual(ids);
      }
    }
  });

  it('[MQTT-3.2.2-3] resumes the persistent sessions with Session Present 1', () => {
    for (const { clientId } of subscribers)
      expect(received.get(clientId)?.sessionPresent, clientId).toBe(true);
  });

  it('[MQTT-3.3.1-5] keeps retained messages across the crashes', async () => {
    const client = await connect(broker.url, { clientId: 'late', protocolVersion: 5 });
    const message = new Promise<[string, Buffer, mqtt.IPublishPacket]>((resolve) => {
      client.on('message', (topic, payload, packet) => resolve([topic, payload, packet]));
    });
    await client.subscribeAsync('retained/#', { qos: 1 });
    const [topic, payload, packet] = await message;
    await client.endAsync();
    expect([topic, payload.toString(), packet.retain]).toStrictEqual(['retained/status', 'kept', true]);
  });
  it('[MQTT-3.1.2-8] publishes, after the restart, the will of a client connected at the crash', () => {
    for (const { clientId } of subscribers) {
      const wills = received.get(clientId)?.wills ?? [];
      expect(wills.length, clientId).toBeGreaterThanOrEqual(1);
      expect(new Set(wills)).toStrictEqual(new Set(['gone']));
    }
  });
});
