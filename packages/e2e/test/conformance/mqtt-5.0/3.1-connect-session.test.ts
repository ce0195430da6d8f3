// MQTT 5.0 section 3.1, CONNECT and the session: Clean Start, Session Expiry Interval, the client
// identifier as the key of the session (assigned when empty) and taking a session over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { Connect, Packet, Publish } from '@mqttkit/codec';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  disconnectBytes,
  drop,
  fence,
  leave,
  subscribe,
  subscription,
} from '../support/raw-client.js';

const running = brokerForFile();
let publisher: RawConnection;
let published = 0;
beforeAll(async () => {
  publisher = (await connectRaw(running.port, 5, 'session-publisher')).raw;
});
afterAll(async () => {
  await leave(publisher);
});

/** Publishes at QoS 1 and waits for the PUBACK: the message is routed by then. */
async function publish(topic: string, payload: string): Promise<void> {
  const index = published++;
  publisher.send({
    type: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: false,
    dup: false,
    packetId: index + 1,
  });
  await publisher.next('puback', index);
}

const keep = (overrides: Partial<Connect> = {}): Partial<Connect> => ({
  clean: false,
  properties: { sessionExpiryInterval: 60 },
  ...overrides,
});

const publishes = (raw: RawConnection): Publish[] =>
  raw.packets.filter((packet: Packet): packet is Publish => packet.type === 'publish');

describe('MQTT 5.0 section 3.1 CONNECT: Clean Start and the session', () => {
  it('[MQTT-3.1.2-4] [MQTT-3.1.4-4] discards an existing session, its subscriptions and queued messages, on Clean Start 1', async () => {
    const first = await connectRaw(running.port, 5, 'clean-start', keep());
    await subscribe(first.raw, [subscription('clean/queued', 1)], { packetId: 1 });
    await leave(first.raw);
    await publish('clean/queued', 'queued');
    const second = await connectRaw(running.port, 5, 'clean-start', keep({ clean: true }));
    expect([second.connack.reasonCode, second.connack.sessionPresent]).toEqual([0, false]);
    await subscribe(second.raw, [subscription('clean/marker', 1)], { packetId: 1 });
    await publish('clean/queued', 'after');
    await publish('clean/marker', 'marker');
    await second.raw.next('publish');
    expect(publishes(second.raw).map((packet) => packet.topic)).toEqual(['clean/marker']);
    await leave(second.raw);
  });

  it('[MQTT-3.1.2-5] resumes an existing session on Clean Start 0: subscriptions, queued messages and unacknowledged ones', async () => {
    const first = await connectRaw(running.port, 5, 'resume', keep());
    await subscribe(first.raw, [subscription('resume/#', 1)], { packetId: 1 });
    await publish('resume/unacknowledged', 'a');
    const unacknowledged = await first.raw.next('publish');
    await drop(first.raw);
    await publish('resume/queued', 'b');
    const second = await connectRaw(running.port, 5, 'resume', keep());
    expect([second.connack.reasonCode, second.connack.sessionPresent]).toEqual([0, true]);
    await second.raw.next('publish', 1);
    const [resent, queued] = publishes(second.raw);
    expect([resent!.topic, resent!.packetId, resent!.dup]).toEqual([
      'resume/unacknowledged',
      unacknowledged.packetId,
      true,
    ]);
    expect(queued!.topic).toBe('resume/queued');
    for (const packet of publishes(second.raw))
      second.raw.send({ type: 'puback', packetId: packet.packetId! });
    // The subscription is still there.
    await publish('resume/live', 'c');
    expect((await second.raw.next('publish', 2)).topic).toBe('resume/live');
    second.raw.send({ type: 'puback', packetId: publishes(second.raw)[2]!.packetId! });
    await leave(second.raw);
  });

  it('[MQTT-3.1.2-6] creates a new session on Clean Start 0 when none exists for the client id', async () => {
    const first = await connectRaw(running.port, 5, 'fresh-session', keep());
    expect([first.connack.reasonCode, first.connack.sessionPresent]).toEqual([0, false]);
    await subscribe(first.raw, [subscription('fresh/topic', 1)], { packetId: 1 });
    await leave(first.raw);
    await publish('fresh/topic', 'kept');
    // The session it created holds the subscription and the message.
    const second = await connectRaw(running.port, 5, 'fresh-session', keep());
    expect(second.connack.sessionPresent).toBe(true);
    expect((await second.raw.next('publish')).topic).toBe('fresh/topic');
    second.raw.send({ type: 'puback', packetId: publishes(second.raw)[0]!.packetId! });
    await leave(second.raw);
  });

  it('[MQTT-3.1.2-23] keeps the session after the connection closes when the Session Expiry Interval is above 0, and not when it is 0', async () => {
    const kept = await connectRaw(running.port, 5, 'expiry-kept', keep());
    const ended = await connectRaw(
      running.port,
      5,
      'expiry-zero',
      keep({ properties: { sessionExpiryInterval: 0 } }),
    );
    for (const { raw } of [kept, ended]) {
      await subscribe(raw, [subscription('expiry/topic', 1)], { packetId: 1 });
      await drop(raw);
    }
    await publish('expiry/topic', 'while away');
    const keptAgain = await connectRaw(running.port, 5, 'expiry-kept', keep());
    const endedAgain = await connectRaw(running.port, 5, 'expiry-zero', keep());
    expect([keptAgain.connack.sessionPresent, endedAgain.connack.sessionPresent]).toEqual([true, false]);
    expect(Buffer.from((await keptAgain.raw.next('publish')).payload).toString()).toBe('while away');
    keptAgain.raw.send({ type: 'puback', packetId: publishes(keptAgain.raw)[0]!.packetId! });
    await fence(endedAgain.raw);
    expect(publishes(endedAgain.raw)).toEqual([]);
    await leave(keptAgain.raw);
    await leave(endedAgain.raw);
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: the client identifier', () => {
  it('[MQTT-3.1.3-2] keys the session on the client id: another id does not get it, the same id does', async () => {
    const owner = await connectRaw(running.port, 5, 'key-owner', keep());
    await subscribe(owner.raw, [subscription('key/topic', 1)], { packetId: 1 });
    await leave(owner.raw);
    const stranger = await connectRaw(running.port, 5, 'key-stranger', keep());
    expect(stranger.connack.sessionPresent).toBe(false);
    await publish('key/topic', 'for the owner');
    await fence(stranger.raw);
    expect(publishes(stranger.raw)).toEqual([]);
    await leave(stranger.raw);
    const returning = await connectRaw(running.port, 5, 'key-owner', keep());
    expect(returning.connack.sessionPresent).toBe(true);
    expect(Buffer.from((await returning.raw.next('publish')).payload).toString()).toBe('for the owner');
    returning.raw.send({ type: 'puback', packetId: publishes(returning.raw)[0]!.packetId! });
    await leave(returning.raw);
  });

  it('[MQTT-3.1.3-6] [MQTT-3.1.3-7] assigns an empty client id a unique one, returns it in CONNACK and keys the session on it', async () => {
    const first = await connectRaw(running.port, 5, '', keep());
    const other = await connectRaw(running.port, 5, '', keep());
    const assigned = first.connack.properties?.assignedClientIdentifier;
    expect(first.connack.reasonCode).toBe(0);
    expect(assigned).toMatch(/.+/);
    expect(other.connack.properties?.assignedClientIdentifier).toMatch(/.+/);
    expect(other.connack.properties?.assignedClientIdentifier).not.toBe(assigned);
    await subscribe(first.raw, [subscription('assigned/topic', 1)], { packetId: 1 });
    await leave(first.raw);
    await leave(other.raw);
    await publish('assigned/topic', 'kept for the assigned id');
    const returning = await connectRaw(running.port, 5, assigned!, keep());
    expect(returning.connack.sessionPresent).toBe(true);
    // A client that sent its id gets no Assigned Client Identifier.
    expect(returning.connack.properties?.assignedClientIdentifier).toBeUndefined();
    expect((await returning.raw.next('publish')).topic).toBe('assigned/topic');
    returning.raw.send({ type: 'puback', packetId: publishes(returning.raw)[0]!.packetId! });
    await leave(returning.raw);
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: actions', () => {
  it('[MQTT-3.1.4-3] sends the existing connection of a client id DISCONNECT 0x8E and closes it when the id connects again', async () => {
    const old = await connectRaw(running.port, 5, 'taken-over', keep());
    const connackLength = old.raw.received().length;
    const taker = await connectRaw(running.port, 5, 'taken-over', keep());
    expect([taker.connack.reasonCode, taker.connack.sessionPresent]).toEqual([0, true]);
    await old.raw.closed;
    expect(old.raw.received().subarray(connackLength)).toEqual(disconnectBytes(ReasonCode.SessionTakenOver));
    await leave(taker.raw);
  });
});
