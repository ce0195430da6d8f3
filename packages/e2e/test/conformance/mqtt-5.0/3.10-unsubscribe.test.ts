// MQTT 5.0 section 3.10, UNSUBSCRIBE: its fixed-header flags and payload, and how the broker
// applies it (literal filter comparison, no new messages, started flows finished, one UNSUBACK).
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import { frame, mqttString } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedWith,
  fence,
  leave,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  subscription,
  unsubscribe,
  publishTo,
  rawClients,
} from '../support/raw-client.js';

const running = brokerForFile();
let clients = 0;
const connect = rawClients(running, 5, 'c50b-3.10');

const topics = (raw: RawConnection): string[] => publishes(raw).map((packet) => packet.topic);

describe('3.10.1 UNSUBSCRIBE fixed header', () => {
  it('[MQTT-3.10.1-1] closes a connection that sends UNSUBSCRIBE with fixed-header flags other than 0010 (DISCONNECT 0x81)', async () => {
    for (const flags of [0x0, 0x1, 0x3, 0x6, 0xa]) {
      const raw = await connect();
      raw.send(frame(0xa0 | flags, [0, 1, 0, ...mqttString('c50b/unsubflags')]));
      await closedWith(raw, ReasonCode.MalformedPacket);
      expect(raw.packets.filter((packet) => packet.type === 'unsuback')).toEqual([]);
    }
  });

  it('[MQTT-3.10.1-1] answers UNSUBSCRIBE with flags 0010 with an UNSUBACK', async () => {
    const raw = await connect();
    raw.send(frame(0xa2, [0, 1, 0, ...mqttString('c50b/unsubflags')]));
    expect((await raw.next('unsuback')).reasonCodes).toEqual([ReasonCode.NoSubscriptionExisted]);
    await leave(raw);
  });
});

describe('3.10.3 UNSUBSCRIBE payload', () => {
  it('[MQTT-3.10.3-1] closes a connection whose UNSUBSCRIBE Topic Filter is not well-formed UTF-8 (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    raw.send(frame(0xa2, [0, 1, 0, ...mqttString(Buffer.from([0x61, 0xf8, 0x88, 0x80, 0x80, 0x80]))]));
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.10.3-2] closes a connection that sends an UNSUBSCRIBE without any Topic Filter (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    raw.send(frame(0xa2, [0, 1, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });
});

describe('3.10.4 UNSUBSCRIBE actions', () => {
  it('[MQTT-3.10.4-1] compares Topic Filters character for character, wildcards included, and deletes only an exact match', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/literal/+', 0), subscription('c50b/literal/a', 0)]);
    const missed = await unsubscribe(raw, [
      'c50b/literal/#',
      'c50b/literal/a/',
      'c50b/Literal/a',
      'c50b/literal/b',
    ]);
    expect(missed.reasonCodes).toEqual(Array(4).fill(ReasonCode.NoSubscriptionExisted));
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/literal/b', 'x'));
    expect(topics(raw)).toEqual(['c50b/literal/b']);
    expect((await unsubscribe(raw, ['c50b/literal/+'])).reasonCodes).toEqual([ReasonCode.Success]);
    await publishTo(publisher, raw, publishPacket('c50b/literal/b', 'x'));
    await publishTo(publisher, raw, publishPacket('c50b/literal/a', 'x'));
    expect(topics(raw)).toEqual(['c50b/literal/b', 'c50b/literal/a']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-2] sends no message published after the UNSUBACK on the removed filter', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/stop/#', 1), subscription('c50b/stop/keep', 1)]);
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/stop/a', 'before', { qos: 1, packetId: 1 }));
    await unsubscribe(raw, ['c50b/stop/#']);
    await publishTo(publisher, raw, publishPacket('c50b/stop/a', 'after', { qos: 1, packetId: 2 }));
    await publishTo(publisher, raw, publishPacket('c50b/stop/keep', 'marker', { qos: 1, packetId: 3 }));
    expect(publishes(raw).map((packet) => Buffer.from(packet.payload).toString())).toEqual([
      'before',
      'marker',
    ]);
    for (const packet of publishes(raw)) raw.send({ type: 'puback', packetId: packet.packetId! });
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-3] completes QoS 1 and QoS 2 deliveries it started before the UNSUBSCRIBE, across a reconnect', async () => {
    const clientId = `c50b-3.10-finish-${++clients}`;
    const persistent = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const first = await rawClient(running.port, 5, clientId, persistent);
    await subscribe(first, [subscription('c50b/finish/#', 2)]);
    const publisher = await connect();
    await publishTo(publisher, first, publishPacket('c50b/finish/one', '1', { qos: 1, packetId: 1 }));
    publisher.send(publishPacket('c50b/finish/two', '2', { qos: 2, packetId: 2 }));
    await publisher.next('pubrec');
    publisher.send({ type: 'pubrel', packetId: 2 });
    await publisher.next('pubcomp');
    await fence(first);
    const [one, two] = publishes(first);
    expect([one!.qos, two!.qos]).toEqual([1, 2]);
    expect((await unsubscribe(first, ['c50b/finish/#'])).reasonCodes).toEqual([ReasonCode.Success]);
    first.socket.end();
    await first.closed;
    const second = await rawClient(running.port, 5, clientId, persistent);
    await second.next('publish', 1);
    await fence(second);
    expect(publishes(second).map((packet) => [packet.topic, packet.packetId, packet.dup])).toEqual([
      ['c50b/finish/one', one!.packetId, true],
      ['c50b/finish/two', two!.packetId, true],
    ]);
    second.send({ type: 'puback', packetId: one!.packetId! });
    second.send({ type: 'pubrec', packetId: two!.packetId! });
    expect((await second.next('pubrel')).packetId).toBe(two!.packetId);
    second.send({ type: 'pubcomp', packetId: two!.packetId! });
    await fence(second);
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.10.4-4] [MQTT-3.10.4-5] answers every UNSUBSCRIBE with an UNSUBACK carrying its Packet Identifier, also when nothing was deleted', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/unsuback/a', 1)]);
    const packetIds = [3, 0xffff, 0x0102];
    const filters = ['c50b/unsuback/a', 'c50b/unsuback/a', 'c50b/unsuback/none'];
    for (const [index, packetId] of packetIds.entries()) {
      raw.send({ type: 'unsubscribe', packetId, topicFilters: [filters[index]!] });
    }
    await raw.next('unsuback', packetIds.length - 1);
    await fence(raw);
    const unsubacks = raw.packets.filter((packet) => packet.type === 'unsuback');
    expect(unsubacks.map((packet) => [packet.packetId, packet.reasonCodes])).toEqual([
      [3, [ReasonCode.Success]],
      [0xffff, [ReasonCode.NoSubscriptionExisted]],
      [0x0102, [ReasonCode.NoSubscriptionExisted]],
    ]);
    await leave(raw);
  });

  it('[MQTT-3.10.4-6] handles an UNSUBSCRIBE with several filters like one UNSUBSCRIBE per filter, answered by one UNSUBACK', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/multi/a', 0), subscription('c50b/multi/b', 0)]);
    const unsuback = await unsubscribe(raw, ['c50b/multi/a', 'c50b/multi/a', 'c50b/multi/b']);
    // The repeated filter finds nothing: the first one already deleted it.
    expect(unsuback.reasonCodes).toEqual([
      ReasonCode.Success,
      ReasonCode.NoSubscriptionExisted,
      ReasonCode.Success,
    ]);
    await fence(raw);
    expect(raw.packets.filter((packet) => packet.type === 'unsuback')).toHaveLength(1);
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/multi/a', 'x'));
    await publishTo(publisher, raw, publishPacket('c50b/multi/b', 'x'));
    expect(publishes(raw)).toEqual([]);
    await leave(raw);
    await leave(publisher);
  });
});
