// MQTT 5.0 section 3.1, the limits and requests a client sets in CONNECT: Maximum Packet Size,
// Topic Alias Maximum, Request Response Information and Request Problem Information.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import { ReasonCode } from '@mqttkit/codec';
import type { Packet, Publish } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  drop,
  fence,
  leave,
  splitFrames,
  subscribe,
  subscription,
} from '../support/raw-client.js';

/** Denies subscribing and publishing under `forbidden/`, leaves the rest to allowAll. */
const forbidden: Hook = {
  name: 'forbidden',
  authorizeSubscribe: ({ topicFilter }) =>
    topicFilter.startsWith('forbidden/') ? { deny: ReasonCode.NotAuthorized } : 'defer',
  authorizePublish: ({ topic }) =>
    topic.startsWith('forbidden/') ? { deny: ReasonCode.NotAuthorized } : 'defer',
};

const running = brokerForFile({
  capabilities: { outboundTopicAliases: true },
  hooks: [forbidden, allowAll({ logger: { warn: () => {} } })],
});
let publisher: RawConnection;
let published = 0;
beforeAll(async () => {
  publisher = (await connectRaw(running.port, 5, 'limits-publisher')).raw;
});
afterAll(async () => {
  await leave(publisher);
});

/** Publishes and waits for the PUBACK (QoS 1) or a fence (QoS 0): the message is routed by then. */
async function publish(
  topic: string,
  size: number,
  options: { qos?: 0 | 1; retain?: boolean } = {},
): Promise<void> {
  const { qos = 1, retain = false } = options;
  const payload = Buffer.alloc(size, 0x61);
  if (qos === 0) {
    publisher.send({ type: 'publish', topic, payload, qos, retain, dup: false });
    await fence(publisher);
    return;
  }
  const index = publisher.packets.filter((packet) => packet.type === 'puback').length;
  publisher.send({ type: 'publish', topic, payload, qos, retain, dup: false, packetId: ++published });
  await publisher.next('puback', index);
}

const publishes = (raw: RawConnection): Publish[] =>
  raw.packets.filter((packet: Packet): packet is Publish => packet.type === 'publish');

describe('MQTT 5.0 section 3.1 CONNECT: Maximum Packet Size', () => {
  it('[MQTT-3.1.2-24] never sends a client a packet larger than its Maximum Packet Size, live or retained', async () => {
    await publish('sized/retained/big', 100, { retain: true });
    await publish('sized/retained/small', 10, { retain: true });
    const { raw } = await connectRaw(running.port, 5, 'sized', {
      properties: { maximumPacketSize: 64 },
    });
    await subscribe(raw, [subscription('sized/#', 1)], { packetId: 1 });
    for (const [size, qos] of [
      [100, 0],
      [20, 0],
      [100, 1],
      [30, 1],
    ] as const) {
      await publish('sized/live', size, { qos });
    }
    await raw.next('publish', 2);
    await fence(raw);
    expect(publishes(raw).map((packet) => [packet.topic, packet.payload.length])).toEqual([
      ['sized/retained/small', 10],
      ['sized/live', 20],
      ['sized/live', 30],
    ]);
    expect(Math.max(...splitFrames(raw.received()).map((bytes) => bytes.length))).toBeLessThanOrEqual(64);
    for (const packet of publishes(raw))
      if (packet.qos === 1) raw.send({ type: 'puback', packetId: packet.packetId! });
    await publish('sized/retained/big', 0, { retain: true });
    await publish('sized/retained/small', 0, { retain: true });
    await leave(raw);
  });

  it('[MQTT-3.1.2-24] closes without a CONNACK a connection whose Maximum Packet Size cannot hold the CONNACK', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('tiny-maximum', 5), properties: { maximumPacketSize: 8 } });
    await raw.closed;
    expect(raw.received()).toHaveLength(0);
  });

  it('[MQTT-3.1.2-25] drops a QoS 1 message too large for the client as if sent: it takes no Receive Maximum slot and is never resent', async () => {
    const options = {
      clean: false,
      properties: { maximumPacketSize: 64, receiveMaximum: 1, sessionExpiryInterval: 60 },
    } as const;
    const first = await connectRaw(running.port, 5, 'dropped-large', options);
    await subscribe(first.raw, [subscription('dropped/#', 1)], { packetId: 1 });
    await publish('dropped/big', 100);
    await publish('dropped/small', 10);
    // With one slot, the small message could not go out if the big one held it.
    expect((await first.raw.next('publish')).topic).toBe('dropped/small');
    await drop(first.raw);
    const second = await connectRaw(running.port, 5, 'dropped-large', options);
    expect(second.connack.sessionPresent).toBe(true);
    // Only the unacknowledged small message comes back.
    const resent = await second.raw.next('publish');
    expect([resent.topic, resent.dup]).toEqual(['dropped/small', true]);
    second.raw.send({ type: 'puback', packetId: resent.packetId! });
    await fence(second.raw);
    expect(publishes(second.raw).map((packet) => packet.topic)).toEqual(['dropped/small']);
    await leave(second.raw);
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: Topic Alias Maximum', () => {
  it('[MQTT-3.1.2-26] uses no Topic Alias above the client’s Topic Alias Maximum', async () => {
    const { raw } = await connectRaw(running.port, 5, 'alias-two', { properties: { topicAliasMaximum: 2 } });
    await subscribe(raw, [subscription('alias/#', 0)], { packetId: 1 });
    const topics = ['alias/a', 'alias/b', 'alias/c', 'alias/a', 'alias/b', 'alias/c', 'alias/d', 'alias/a'];
    for (const topic of topics) await publish(topic, 1, { qos: 0 });
    await raw.next('publish', topics.length - 1);
    const aliases = publishes(raw).map((packet) => packet.properties?.topicAlias);
    expect(aliases.some((alias) => alias !== undefined)).toBe(true);
    expect(aliases.filter((alias) => alias !== undefined && (alias < 1 || alias > 2))).toEqual([]);
    await leave(raw);
  });

  it('[MQTT-3.1.2-27] sends no Topic Alias to a client whose Topic Alias Maximum is absent or 0', async () => {
    const absent = await connectRaw(running.port, 5, 'alias-absent');
    const zero = await connectRaw(running.port, 5, 'alias-zero', { properties: { topicAliasMaximum: 0 } });
    for (const { raw } of [absent, zero])
      await subscribe(raw, [subscription('unaliased/#', 0)], { packetId: 1 });
    for (const topic of ['unaliased/a', 'unaliased/a', 'unaliased/b', 'unaliased/a'])
      await publish(topic, 1, { qos: 0 });
    for (const { raw } of [absent, zero]) {
      await raw.next('publish', 3);
      expect(publishes(raw).map((packet) => [packet.topic, packet.properties?.topicAlias])).toEqual([
        ['unaliased/a', undefined],
        ['unaliased/a', undefined],
        ['unaliased/b', undefined],
        ['unaliased/a', undefined],
      ]);
      await leave(raw);
    }
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: requests', () => {
  it('[MQTT-3.1.2-28] returns no Response Information to a client with Request Response Information 0 or absent', async () => {
    const zero = await connectRaw(running.port, 5, 'no-response-info', {
      properties: { requestResponseInformation: false },
    });
    const absent = await connectRaw(running.port, 5, 'no-response-info-absent');
    for (const { raw, connack } of [zero, absent]) {
      expect(connack.reasonCode).toBe(0);
      expect(connack.properties?.responseInformation).toBeUndefined();
      await leave(raw);
    }
  });

  it('[MQTT-3.1.2-29] sends no Reason String or User Properties on SUBACK, PUBACK, PUBREC, PUBREL, PUBCOMP or UNSUBACK with Request Problem Information 0, failures included', async () => {
    const { raw } = await connectRaw(running.port, 5, 'no-problem-info', {
      properties: { requestProblemInformation: false },
    });
    raw.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [subscription('forbidden/x', 1), subscription('problem/#', 2)],
    });
    expect((await raw.next('suback')).reasonCodes).toEqual([ReasonCode.NotAuthorized, 2]);
    raw.send({
      type: 'publish',
      topic: 'forbidden/x',
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 2,
    });
    raw.send({
      type: 'publish',
      topic: 'forbidden/y',
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 3,
    });
    raw.send({
      type: 'publish',
      topic: 'nobody/listens',
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 4,
    });
    raw.send({ type: 'pubrel', packetId: 99 });
    raw.send({ type: 'unsubscribe', packetId: 5, topicFilters: ['never/subscribed'] });
    await raw.next('unsuback');
    // A QoS 2 delivery brings a PUBREL from the broker.
    const index = publisher.packets.filter((packet) => packet.type === 'pubcomp').length;
    publisher.send({
      type: 'publish',
      topic: 'problem/qos2',
      payload: Buffer.from('q'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: ++published,
    });
    publisher.send({ type: 'pubrel', packetId: published });
    await publisher.next('pubcomp', index);
    const delivered = await raw.next('publish');
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    await raw.next('pubrel');
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await fence(raw);
    const acknowledgements = raw.packets.filter((packet) =>
      ['suback', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback'].includes(packet.type),
    );
    expect(new Set(acknowledgements.map((packet) => packet.type))).toEqual(
      new Set(['suback', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback']),
    );
    // Failures were among them: 0x87 for the denied publishes, 0x92 for the unknown PUBREL, 0x11
    // for the unknown filter.
    const codes = acknowledgements.flatMap((packet) =>
      packet.type === 'unsuback' || packet.type === 'suback'
        ? packet.reasonCodes
        : 'reasonCode' in packet
          ? [packet.reasonCode]
          : [],
    );
    expect(codes).toEqual(
      expect.arrayContaining([
        ReasonCode.NotAuthorized,
        ReasonCode.PacketIdentifierNotFound,
        ReasonCode.NoSubscriptionExisted,
      ]),
    );
    for (const packet of acknowledgements) {
      const properties =
        'properties' in packet ? (packet.properties as Record<string, unknown> | undefined) : undefined;
      expect(properties?.reasonString).toBeUndefined();
      expect(properties?.userProperties).toBeUndefined();
    }
    await leave(raw);
  });
});
