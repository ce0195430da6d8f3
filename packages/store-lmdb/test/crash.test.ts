import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, startBrokerProcess } from './support.js';
import type { BrokerProcess } from './support.js';

const seed = 0x8_2026;
const cycles = 4;
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
 * Publishes QoS 1 messages at full speed (up to `window` unacknowledged) until `acknowledgements`
 * PUBACKs arrived, then kills the broker while the rest are in flight. Returns the acknowledged ids.
 */
async function publishUntilKilled(options: {
  broker: BrokerProcess;
  cycle: number;
  acknowledgements: number;
}): Promise<string[]> {
  const client = await connect(options.broker.url, { clientId: `publisher-${String(options.cycle)}`, protocolVersion: 5 });
  client.on('error', () => {});
  const acknowledged: string[] = [];
  const window = 256;
  let inflight = 0;
  let sent = 0;
  let killing: Promise<void> | undefined;
  await new Promise<void>((resolve) => {
    client.on('close', () => resolve());
    const pump = (): void => {
      while (killing === undefined && inflight < window) {
        const id = `${String(options.cycle)}-${String(sent)}`;
        sent += 1;
        inflight += 1;
        client.publish(`crash/${String(options.cycle)}`, id, { qos: 1 }, (error) => {
          inflight -= 1;
          if (error !== undefined && error !== null) return;
          acknowledged.push(id);
          if (acknowledged.length >= options.acknowledgements) killing ??= options.broker.kill();
          else pump();
        });
      }
    };
    pump();
  });
  await killing;
  client.end(true);
  return acknowledged;
}

describe('the LMDB store under kill -9', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mqttkit-crash-'));
  const random = seededRandom(seed);
  const acknowledged = new Set<string>();
  const published: string[][] = [];
  let broker: BrokerProcess;
  const received = new Map<string, { ids: string[]; wills: number; sessionPresent: boolean }>();

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
      const ids = await publishUntilKilled({ broker, cycle, acknowledgements: 300 + Math.floor(random() * 2500) });
      for (const id of ids) acknowledged.add(id);
      published.push(ids);
      willing.end(true);
      broker = await startBrokerProcess(directory);
    }

    for (const { clientId, protocolVersion } of subscribers) {
      const entry = { ids: [] as string[], wills: 0, sessionPresent: false };
      received.set(clientId, entry);
      const client = mqtt.connect(broker.url, { ...persistent(clientId, protocolVersion), reconnectPeriod: 0 });
      const missing = new Set(acknowledged);
      await new Promise<void>((resolve, reject) => {
        client.on('connect', (connack) => {
          entry.sessionPresent = connack.sessionPresent;
        });
        client.on('error', reject);
        client.on('message', (topic, payload) => {
          if (topic.startsWith('wills/')) entry.wills += 1;
          else {
            const id = payload.toString();
            entry.ids.push(id);
            missing.delete(id);
          }
          if (missing.size === 0 && entry.wills > 0) resolve();
        });
        setTimeout(() => resolve(), 15_000).unref();
      });
      await client.endAsync();
    }
  }, 60_000);

  afterAll(async () => {
    await broker.kill();
    rmSync(directory, { recursive: true, force: true });
  });

  it('[MQTT-4.3.2-4] delivers every message the broker acknowledged to offline persistent subscribers', () => {
    expect(acknowledged.size).toBeGreaterThan(cycles * 300);
    for (const { clientId } of subscribers) {
      const ids = new Set(received.get(clientId)?.ids);
      const lost = [...acknowledged].filter((id) => !ids.has(id));
      expect(lost, `${clientId} lost acknowledged messages`).toStrictEqual([]);
    }
  });

  it('[MQTT-4.3.2-5] delivers only published messages, duplicates being QoS 1 redeliveries of the same id', () => {
    for (const { clientId } of subscribers) {
      const ids = received.get(clientId)?.ids ?? [];
      for (const id of ids) expect(id).toMatch(/^\d+-\d+$/);
      const [cycle, index] = ids.map((id) => id.split('-').map(Number)).reduce(
        ([maximumCycle], [itemCycle = 0]) => [Math.max(maximumCycle ?? 0, itemCycle), 0],
        [0, 0],
      );
      expect(cycle).toBeLessThan(cycles);
      expect(index).toBe(0);
    }
  });

  it('keeps the acknowledged messages of each publisher in the order they were published', () => {
    for (const { clientId } of subscribers) {
      const ids = received.get(clientId)?.ids ?? [];
      const firstSeen = [...new Set(ids)].filter((id) => acknowledged.has(id));
      for (const ids of published) {
        const order = firstSeen.filter((id) => ids.includes(id));
        expect(order).toStrictEqual(ids.filter((id) => order.includes(id)));
      }
    }
  });

  it('[MQTT-3.2.2-3] resumes the persistent sessions with Session Present 1', () => {
    for (const { clientId } of subscribers) expect(received.get(clientId)?.sessionPresent, clientId).toBe(true);
  });

  it('[MQTT-3.1.2-8] publishes the will of a client connected at the crash once the broker is back', () => {
    for (const { clientId } of subscribers) expect(received.get(clientId)?.wills, clientId).toBeGreaterThan(0);
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
});
