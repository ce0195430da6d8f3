// MQTT 3.1.1 sections 3.1.2.4, 3.1.3.1 and 3.1.4: Clean Session, sessions keyed on the ClientId,
// retained messages outliving sessions, takeover, and the accepting CONNACK.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connackAccepted,
  fence,
  leave,
  publishPacket,
  rawClient,
  sessionPresent,
  subscribe,
} from '../support/raw-client.js';

const running = brokerForFile();
let sender: RawConnection;
let sent = 0;
beforeAll(async () => {
  sender = await rawClient(running.port, 4, 'session-sender');
});
afterAll(async () => {
  await leave(sender);
});

/** Publishes from the shared sender and resolves once the broker acknowledged (and routed) it. */
async function publish(
  topic: string,
  payload: string,
  options: { qos: 1 | 2; retain?: boolean },
): Promise<void> {
  const packetId = ++sent;
  sender.send(publishPacket(topic, payload, { ...options, packetId }));
  if (options.qos === 1) {
    await sender.next('puback', sender.packets.filter((packet) => packet.type === 'puback').length);
    return;
  }
  const pubrecs = sender.packets.filter((packet) => packet.type === 'pubrec').length;
  await sender.next('pubrec', pubrecs);
  sender.send({ type: 'pubrel', packetId });
  await sender.next('pubcomp', pubrecs);
}

const publishes = (raw: RawConnection): string[] =>
  raw.packets.flatMap((packet) =>
    packet.type === 'publish' ? [`${packet.topic} ${Buffer.from(packet.payload).toString()}`] : [],
  );

describe('MQTT 3.1.1 section 3.1 sessions', () => {
  it('[MQTT-3.1.2-4] resumes the session of a CleanSession=0 client: the subscription made before the disconnection still delivers', async () => {
    const first = await rawClient(running.port, 4, 'resume', { clean: false });
    expect(sessionPresent(first)).toBe(false);
    await subscribe(first, [['resume/topic', 1]], { packetId: 1 });
    await leave(first);

    const second = await rawClient(running.port, 4, 'resume', { clean: false });
    expect(sessionPresent(second)).toBe(true);
    await publish('resume/topic', 'after', { qos: 1 });
    const delivered = await second.next('publish');
    expect(Buffer.from(delivered.payload).toString()).toBe('after');
    second.send({ type: 'puback', packetId: delivered.packetId! });
    await leave(second);
  });

  it('[MQTT-3.1.2-5] queues QoS 1 and QoS 2 messages for a disconnected CleanSession=0 client and delivers them when it returns', async () => {
    const first = await rawClient(running.port, 4, 'queue', { clean: false });
    await subscribe(first, [['queue/#', 2]], { packetId: 1 });
    await leave(first);
    await publish('queue/one', 'q1', { qos: 1 });
    await publish('queue/two', 'q2', { qos: 2 });

    const second = await rawClient(running.port, 4, 'queue', { clean: false });
    const [one, two] = await Promise.all([second.next('publish', 0), second.next('publish', 1)]);
    expect([one, two].map((packet) => [packet.topic, packet.qos])).toEqual([
      ['queue/one', 1],
      ['queue/two', 2],
    ]);
    second.send({ type: 'puback', packetId: one.packetId! });
    second.send({ type: 'pubrec', packetId: two.packetId! });
    await second.next('pubrel');
    second.send({ type: 'pubcomp', packetId: two.packetId! });
    await leave(second);
  });

  it('[MQTT-3.1.2-6] drops the previous session on CleanSession=1 and never reuses the clean session later', async () => {
    const persistent = await rawClient(running.port, 4, 'clean-drop', { clean: false });
    await subscribe(persistent, [['clean-drop/topic', 1]], { packetId: 1 });
    await leave(persistent);

    const clean = await rawClient(running.port, 4, 'clean-drop', { clean: true });
    expect(sessionPresent(clean)).toBe(false);
    await publish('clean-drop/topic', 'dropped', { qos: 1 });
    // A subscription the clean session makes dies with it.
    await subscribe(clean, [['clean-drop/later', 1]], { packetId: 2 });
    await fence(clean);
    expect(publishes(clean)).toEqual([]);
    await leave(clean);

    const after = await rawClient(running.port, 4, 'clean-drop', { clean: false });
    expect(sessionPresent(after)).toBe(false);
    await publish('clean-drop/topic', 'dropped again', { qos: 1 });
    await publish('clean-drop/later', 'dropped later', { qos: 1 });
    await fence(after);
    expect(publishes(after)).toEqual([]);
    await leave(after);
  });

  it('[MQTT-3.1.4-3] carries out Clean Session on a valid CONNECT: CleanSession=1 discards the messages queued for the old session', async () => {
    const persistent = await rawClient(running.port, 4, 'clean-queue', { clean: false });
    await subscribe(persistent, [['clean-queue/topic', 1]], { packetId: 1 });
    await leave(persistent);
    await publish('clean-queue/topic', 'queued', { qos: 1 });

    const clean = await rawClient(running.port, 4, 'clean-queue', { clean: true });
    expect(sessionPresent(clean)).toBe(false);
    await fence(clean);
    expect(publishes(clean)).toEqual([]);
    await leave(clean);
  });

  it('[MQTT-3.1.2-7] keeps retained messages after the sessions of their publishers end', async () => {
    const shortLived = await rawClient(running.port, 4, 'retain-clean-publisher');
    shortLived.send(publishPacket('retain-kept/clean', 'from clean', { qos: 1, packetId: 1, retain: true }));
    await shortLived.next('puback');
    await leave(shortLived);
    const persistent = await rawClient(running.port, 4, 'retain-persistent-publisher', { clean: false });
    persistent.send(
      publishPacket('retain-kept/persistent', 'from persistent', { qos: 1, packetId: 1, retain: true }),
    );
    await persistent.next('puback');
    await leave(persistent);
    // Reconnecting with CleanSession=1 ends the persistent publisher's session too.
    await leave(await rawClient(running.port, 4, 'retain-persistent-publisher', { clean: true }));

    const reader = await rawClient(running.port, 4, 'retain-reader');
    await subscribe(reader, [['retain-kept/#', 1]], { packetId: 1 });
    await Promise.all([reader.next('publish', 0), reader.next('publish', 1)]);
    expect(publishes(reader).sort()).toEqual([
      'retain-kept/clean from clean',
      'retain-kept/persistent from persistent',
    ]);
    await leave(reader);
  });

  it('[MQTT-3.1.3-2] keys session state on the ClientId: each returning client gets only its own queued messages', async () => {
    const alpha = await rawClient(running.port, 4, 'keyed-alpha', { clean: false });
    await subscribe(alpha, [['keyed/alpha', 1]], { packetId: 1 });
    await leave(alpha);
    const beta = await rawClient(running.port, 4, 'keyed-beta', { clean: false });
    await subscribe(beta, [['keyed/beta', 1]], { packetId: 1 });
    await leave(beta);
    await publish('keyed/alpha', 'for alpha', { qos: 1 });
    await publish('keyed/beta', 'for beta', { qos: 1 });

    for (const [clientId, expected] of [
      ['keyed-alpha', 'keyed/alpha for alpha'],
      ['keyed-beta', 'keyed/beta for beta'],
    ] as const) {
      const back = await rawClient(running.port, 4, clientId, { clean: false });
      expect(sessionPresent(back)).toBe(true);
      const delivered = await back.next('publish');
      back.send({ type: 'puback', packetId: delivered.packetId! });
      await fence(back);
      expect(publishes(back)).toEqual([expected]);
      await leave(back);
    }
    // A ClientId that never connected has no session.
    const stranger = await rawClient(running.port, 4, 'keyed-gamma', { clean: false });
    expect(sessionPresent(stranger)).toBe(false);
    await leave(await rawClient(running.port, 4, 'keyed-gamma', { clean: true }));
  });

  it('[MQTT-3.1.4-2] disconnects the existing client when a second connection CONNECTs with its ClientId', async () => {
    const first = await rawClient(running.port, 4, 'takeover');
    const second = await rawClient(running.port, 4, 'takeover');
    await first.closed;
    // 3.1.1 has no server DISCONNECT: the first connection just closes.
    expect(first.received()).toEqual(connackAccepted);
    await fence(second);
    await leave(second);
  });

  it('[MQTT-3.1.4-4] answers a valid CONNECT with CONNACK return code 0 as its first bytes', async () => {
    const raw = await openRawConnection(running.port, 4);
    raw.send({ type: 'connect', protocolVersion: 4, clientId: 'accept-me', clean: true, keepAlive: 30 });
    await raw.next('connack');
    expect(raw.received()).toEqual(connackAccepted);
    await leave(raw);
  });
});
