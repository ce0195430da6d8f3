// MQTT 3.1.1 section 3.8, SUBSCRIBE: the fixed header, the payload the broker polices, and what a
// SUBSCRIBE does to the client's subscriptions.
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import type { Hook } from '@mqttkit/contracts';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  fence,
  leave,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';

/** Refuses every filter under `refused/`. */
const refuseRefused: Hook = {
  name: 'refuse-refused',
  authorizeSubscribe: ({ topicFilter }) => (topicFilter.startsWith('refused/') ? { deny: 0x87 } : 'defer'),
};

const running = brokerForFile({ hooks: [refuseRefused, allowAll({ logger: { warn: () => {} } })] });

const connect = (prefix: string, clean = true) =>
  rawClient(running.port, 4, uniqueId(`c311b-3.8-${prefix}`), { clean });

/** A SUBSCRIBE body: packet id 1, then each filter with its requested-QoS byte. */
const subscribeBody = (...entries: (readonly [string | Uint8Array, number])[]): number[] => [
  0,
  1,
  ...entries.flatMap(([filter, options]) => [...mqttString(filter), options]),
];

describe('MQTT 3.1.1 3.8 SUBSCRIBE', () => {
  it('[MQTT-3.8.1-1] closes the connection on a SUBSCRIBE with fixed-header flags 0000', async () => {
    const raw = await connect('flags-0');
    raw.send(frame(0x80, subscribeBody(['flags/a', 0])));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.1-1] closes the connection on a SUBSCRIBE with fixed-header flags 0011', async () => {
    const raw = await connect('flags-3');
    raw.send(frame(0x83, subscribeBody(['flags/a', 0])));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.3-1] closes the connection on a topic filter that is not well-formed UTF-8', async () => {
    const raw = await connect('utf8');
    raw.send(frame(0x82, subscribeBody([Buffer.from([0x61, 0x2f, 0xed, 0xa0, 0x80]), 0])));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.3-3] closes the connection on a SUBSCRIBE with no topic filter', async () => {
    const raw = await connect('empty');
    raw.send(frame(0x82, [0, 1]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.3-4] closes the connection on a requested QoS of 3', async () => {
    const raw = await connect('qos3');
    raw.send(frame(0x82, subscribeBody(['qos3/a', 3])));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.3-4] closes the connection on reserved bits set in the requested-QoS byte', async () => {
    const raw = await connect('reserved');
    raw.send(frame(0x82, subscribeBody(['reserved/a', 0x05])));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.8.4-1] answers every SUBSCRIBE with a SUBACK, also one whose only filter is refused', async () => {
    const raw = await connect('answered');
    expect((await subscribe(raw, [['answered/a', 1]], { packetId: 1 })).reasonCodes).toEqual([1]);
    expect((await subscribe(raw, [['refused/a', 1]], { packetId: 2 })).reasonCodes).toEqual([0x80]);
    await leave(raw);
  });

  it('[MQTT-3.8.4-2] gives the SUBACK the packet identifier of its SUBSCRIBE', async () => {
    const raw = await connect('packet-id');
    raw.send(frame(0x82, [0xbe, 0xef, ...mqttString('packetid/a'), 0]));
    raw.send(frame(0x82, [0x00, 0x01, ...mqttString('packetid/b'), 1]));
    await raw.next('suback', 1);
    expect(raw.received().subarray(connackLength)).toEqual(
      Buffer.from([0x90, 3, 0xbe, 0xef, 0, 0x90, 3, 0x00, 0x01, 1]),
    );
    await leave(raw);
  });

  it('[MQTT-3.8.4-3] replaces a subscription with an identical filter, resends retained messages and keeps delivering', async () => {
    const publisher = await connect('replace-publisher');
    publisher.send(publishPacket('replace/a', 'retained', { retain: true }));
    await fence(publisher);
    const raw = await connect('replace');
    await subscribe(raw, [['replace/+', 0]], { packetId: 1 });
    await raw.next('publish');
    publisher.send(publishPacket('replace/a', 'before', { qos: 1, packetId: 1 }));
    await raw.next('publish', 1);
    expect((await subscribe(raw, [['replace/+', 1]], { packetId: 2 })).reasonCodes).toEqual([1]);
    const resent = await raw.next('publish', 2);
    expect([Buffer.from(resent.payload).toString(), resent.retain]).toEqual(['retained', true]);
    publisher.send(publishPacket('replace/a', 'after', { qos: 1, packetId: 2 }));
    const after = await raw.next('publish', 3);
    raw.send({ type: 'puback', packetId: after.packetId! });
    await fence(raw);
    // One subscription, now at QoS 1: one copy per message, the retained one sent again.
    expect(publishes(raw).map((packet) => [Buffer.from(packet.payload).toString(), packet.qos])).toEqual([
      ['retained', 0],
      ['before', 0],
      ['retained', 0],
      ['after', 1],
    ]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-3] completes a QoS 2 delivery in flight when the subscription is replaced', async () => {
    const raw = await connect('replace-inflight');
    await subscribe(raw, [['replace2/a', 2]], { packetId: 1 });
    const publisher = await connect('replace-inflight-publisher');
    publisher.send(publishPacket('replace2/a', 'one', { qos: 2, packetId: 1 }));
    publisher.send({ type: 'pubrel', packetId: 1 });
    const delivered = await raw.next('publish');
    await subscribe(raw, [['replace2/a', 2]], { packetId: 2 });
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    expect(await raw.next('pubrel')).toEqual({ type: 'pubrel', packetId: delivered.packetId });
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    publisher.send(publishPacket('replace2/a', 'two', { qos: 2, packetId: 2 }));
    publisher.send({ type: 'pubrel', packetId: 2 });
    const next = await raw.next('publish', 1);
    expect([Buffer.from(next.payload).toString(), next.qos, next.dup]).toEqual(['two', 2, false]);
    raw.send({ type: 'pubrec', packetId: next.packetId! });
    await raw.next('pubrel', 1);
    raw.send({ type: 'pubcomp', packetId: next.packetId! });
    await fence(raw);
    expect(publishes(raw)).toHaveLength(2);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-4] handles a SUBSCRIBE with several filters like one SUBSCRIBE per filter, with one SUBACK', async () => {
    const raw = await connect('several');
    const suback = await subscribe(
      raw,
      [
        ['several/a', 0],
        ['several/b', 1],
        ['several/+', 2],
      ],
      { packetId: 1 },
    );
    expect(suback).toEqual({ type: 'suback', packetId: 1, reasonCodes: [0, 1, 2] });
    expect(raw.packets.filter((packet) => packet.type === 'suback')).toHaveLength(1);
    const publisher = await connect('several-publisher');
    publisher.send(publishPacket('several/b', 'b', { qos: 1, packetId: 1 }));
    publisher.send(publishPacket('several/c', 'c', { qos: 1, packetId: 2 }));
    await raw.next('publish', 1);
    // several/b matches two of the filters: one copy, at the highest of their QoS.
    expect(publishes(raw).map((packet) => [packet.topic, packet.qos])).toEqual([
      ['several/b', 1],
      ['several/c', 1],
    ]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-4] sends a matching retained message once per new filter of a multi-filter SUBSCRIBE, as a series would', async () => {
    const publisher = await connect('series-publisher');
    publisher.send(publishPacket('series/a', 'r', { qos: 1, retain: true, packetId: 1 }));
    await publisher.next('puback');
    const combined = await connect('series-combined');
    await subscribe(combined, [
      ['series/#', 1],
      ['series/+', 1],
    ]);
    await fence(combined);
    const separate = await connect('series-separate');
    await subscribe(separate, [['series/#', 1]], { packetId: 1 });
    await subscribe(separate, [['series/+', 1]], { packetId: 2 });
    await fence(separate);
    const seen = (raw: typeof combined) =>
      publishes(raw).map((packet) => [packet.topic, packet.qos, packet.retain]);
    expect(seen(combined)).toEqual([
      ['series/a', 1, true],
      ['series/a', 1, true],
    ]);
    expect(seen(combined)).toEqual(seen(separate));
    for (const raw of [combined, separate])
      for (const packet of publishes(raw)) raw.send({ type: 'puback', packetId: packet.packetId! });
    await leave(combined);
    await leave(separate);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-5] returns one code per filter: the granted QoS, or 0x80 for a refused filter', async () => {
    const raw = await connect('codes');
    const suback = await subscribe(raw, [
      ['codes/a', 2],
      ['refused/b', 0],
      ['codes/c', 1],
    ]);
    expect(suback.reasonCodes).toEqual([2, 0x80, 1]);
    await leave(raw);
  });

  it('[MQTT-3.8.4-6] delivers at the lower of the published QoS and the granted QoS', async () => {
    const raw = await connect('downgrade');
    await subscribe(raw, [
      ['downgrade/one', 1],
      ['downgrade/zero', 0],
    ]);
    const publisher = await connect('downgrade-publisher');
    publisher.send(publishPacket('downgrade/one', 'two-to-one', { qos: 2, packetId: 1 }));
    await publisher.next('pubrec');
    publisher.send({ type: 'pubrel', packetId: 1 });
    publisher.send(publishPacket('downgrade/one', 'zero-stays', { qos: 0 }));
    publisher.send(publishPacket('downgrade/zero', 'one-to-zero', { qos: 1, packetId: 2 }));
    await raw.next('publish', 2);
    expect(publishes(raw).map((packet) => [Buffer.from(packet.payload).toString(), packet.qos])).toEqual([
      ['two-to-one', 1],
      ['zero-stays', 0],
      ['one-to-zero', 0],
    ]);
    await leave(raw);
    await leave(publisher);
  });
});
