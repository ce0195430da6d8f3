// MQTT 5.0 section 3.3, PUBLISH: the fixed-header flags (DUP, QoS, RETAIN and the retain
// options of subscriptions), the variable header and its properties, and the PUBLISH actions
// (acknowledgements, overlapping subscriptions, Receive Maximum), checked over raw sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import type { QoS } from '@mqttkit/codec';
import { brokerTimer } from '../../support/broker-timer.js';
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
  publishTo,
  rawClients,
} from '../support/raw-client.js';
import type { SubscriptionOptions } from '../support/raw-client.js';

const topicAliasMaximum = 3;
const receiveMaximum = 3;

const running = brokerForFile({
  capabilities: { topicAliasMaximum, receiveMaximum, outboundTopicAliases: true },
});
let clients = 0;
const connect = rawClients(running, 5, 'c50b-3.3');

/** A subscriber with one subscription, ready to receive. */
async function subscriber(
  topicFilter: string,
  { qos = 1, ...options }: SubscriptionOptions & { qos?: QoS } = {},
): Promise<RawConnection> {
  const raw = await connect();
  await subscribe(raw, [subscription(topicFilter, qos, options)]);
  return raw;
}

describe('3.3.1 PUBLISH fixed header', () => {
  it('[MQTT-3.3.1-1] sets DUP on a QoS 1 PUBLISH it sends again after a reconnect, and not on the first sending', async () => {
    const clientId = `c50b-3.3-dup-${++clients}`;
    const persistent = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const first = await rawClient(running.port, 5, clientId, persistent);
    await subscribe(first, [subscription('c50b/dup1/#', 1)]);
    const publisher = await connect();
    await publishTo(publisher, first, publishPacket('c50b/dup1/a', 'x', { qos: 1, packetId: 3 }));
    const original = publishes(first)[0]!;
    expect(original.dup).toBe(false);
    first.socket.end();
    await first.closed;
    const second = await rawClient(running.port, 5, clientId, persistent);
    const again = await second.next('publish');
    expect([again.topic, again.qos, again.packetId, again.dup]).toEqual([
      'c50b/dup1/a',
      1,
      original.packetId,
      true,
    ]);
    second.send({ type: 'puback', packetId: again.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-2] [MQTT-3.3.1-3] sends QoS 0 and first-time PUBLISH packets with DUP 0 even when the publisher set DUP', async () => {
    const receiver = await connect();
    await subscribe(receiver, [subscription('c50b/dup3/q0', 0), subscription('c50b/dup3/q1', 1)]);
    const publisher = await connect();
    await publishTo(
      publisher,
      receiver,
      publishPacket('c50b/dup3/q0', 'a', { qos: 1, packetId: 1, dup: true }),
    );
    await publishTo(
      publisher,
      receiver,
      publishPacket('c50b/dup3/q1', 'b', { qos: 1, packetId: 2, dup: true }),
    );
    await publishTo(publisher, receiver, publishPacket('c50b/dup3/q0', 'c', { qos: 0 }));
    const received = publishes(receiver);
    expect(received.map((packet) => [packet.topic, packet.qos, packet.dup])).toEqual([
      ['c50b/dup3/q0', 0, false],
      ['c50b/dup3/q1', 1, false],
      ['c50b/dup3/q0', 0, false],
    ]);
    receiver.send({ type: 'puback', packetId: received[1]!.packetId! });
    await leave(receiver);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-2] closes a connection that sends a QoS 0 PUBLISH with DUP set (DISCONNECT 0x82)', async () => {
    // The packet parses but breaks a rule of the protocol; the standard names no reason code for it.
    const raw = await connect();
    raw.send(frame(0x38, [...mqttString('c50b/dup0'), 0, 0x78]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.3.1-4] closes a connection that sends a PUBLISH with both QoS bits set (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    raw.send(frame(0x36, [...mqttString('c50b/qos3'), 0, 1, 0, 0x78]));
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.3.1-5] stores a retained message and replaces the earlier one of the topic', async () => {
    const publisher = await connect();
    publisher.send(publishPacket('c50b/retain5', 'first', { qos: 1, packetId: 1, retain: true }));
    publisher.send(publishPacket('c50b/retain5', 'second', { qos: 1, packetId: 2, retain: true }));
    await publisher.next('puback', 1);
    const late = await subscriber('c50b/retain5');
    await fence(late);
    expect(publishes(late).map((packet) => [Buffer.from(packet.payload).toString(), packet.retain])).toEqual([
      ['second', true],
    ]);
    await leave(late);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-6] delivers a retained PUBLISH with an empty payload to subscribers and removes the retained message', async () => {
    const publisher = await connect();
    publisher.send(publishPacket('c50b/retain6', 'kept', { qos: 1, packetId: 1, retain: true }));
    await publisher.next('puback');
    const present = await subscriber('c50b/retain6');
    await present.next('publish');
    await publishTo(
      publisher,
      present,
      publishPacket('c50b/retain6', '', { qos: 1, packetId: 2, retain: true }),
    );
    const received = publishes(present);
    expect(received).toHaveLength(2);
    expect([received[1]!.topic, received[1]!.payload.byteLength]).toEqual(['c50b/retain6', 0]);
    const late = await subscriber('c50b/retain6');
    await fence(late);
    expect(publishes(late)).toEqual([]);
    await leave(present);
    await leave(late);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-7] does not store a retained PUBLISH with an empty payload as the retained message', async () => {
    const publisher = await connect();
    publisher.send(publishPacket('c50b/retain7', '', { qos: 1, packetId: 1, retain: true }));
    await publisher.next('puback');
    const late = await subscriber('c50b/retain7');
    await fence(late);
    expect(publishes(late)).toEqual([]);
    await leave(late);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-8] does not store a PUBLISH with RETAIN 0 and leaves the existing retained message alone', async () => {
    const publisher = await connect();
    publisher.send(publishPacket('c50b/retain8', 'retained', { qos: 1, packetId: 1, retain: true }));
    publisher.send(publishPacket('c50b/retain8', 'plain', { qos: 1, packetId: 2, retain: false }));
    await publisher.next('puback', 1);
    const late = await subscriber('c50b/retain8');
    await fence(late);
    expect(publishes(late).map((packet) => Buffer.from(packet.payload).toString())).toEqual(['retained']);
    await leave(late);
    await leave(publisher);
  });

  describe('retain options of the subscription', () => {
    let publisher: RawConnection;
    beforeAll(async () => {
      publisher = await connect();
      publisher.send(publishPacket('c50b/handling/a', 'retained', { qos: 1, packetId: 1, retain: true }));
      await publisher.next('puback');
    });
    afterAll(async () => {
      await leave(publisher);
    });

    it('[MQTT-3.3.1-9] Retain Handling 0 sends the retained messages on every SUBSCRIBE, also a repeated one', async () => {
      const raw = await connect();
      await subscribe(raw, [subscription('c50b/handling/+', 1, { retainHandling: 0 })]);
      await raw.next('publish');
      await subscribe(raw, [subscription('c50b/handling/+', 1, { retainHandling: 0 })]);
      await raw.next('publish', 1);
      await fence(raw);
      expect(publishes(raw).map((packet) => [packet.topic, packet.retain])).toEqual([
        ['c50b/handling/a', true],
        ['c50b/handling/a', true],
      ]);
      await leave(raw);
    });

    it('[MQTT-3.3.1-10] Retain Handling 1 sends the retained messages for a new subscription only', async () => {
      const raw = await connect();
      await subscribe(raw, [subscription('c50b/handling/#', 1, { retainHandling: 1 })]);
      await raw.next('publish');
      await subscribe(raw, [subscription('c50b/handling/#', 1, { retainHandling: 1 })]);
      await fence(raw);
      expect(publishes(raw).map((packet) => [packet.topic, packet.retain])).toEqual([
        ['c50b/handling/a', true],
      ]);
      await leave(raw);
    });

    it('[MQTT-3.3.1-11] Retain Handling 2 sends no retained messages on SUBSCRIBE', async () => {
      const raw = await connect();
      await subscribe(raw, [subscription('c50b/handling/a', 1, { retainHandling: 2 })]);
      await fence(raw);
      expect(publishes(raw)).toEqual([]);
      await leave(raw);
    });
  });

  it('[MQTT-3.3.1-12] Retain As Published 0 forwards a retained PUBLISH with RETAIN 0', async () => {
    const raw = await subscriber('c50b/rap0', { retainAsPublished: false });
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/rap0', 'r', { qos: 1, packetId: 1, retain: true }));
    expect(publishes(raw).map((packet) => packet.retain)).toEqual([false]);
    // Clear the retained message again.
    publisher.send(publishPacket('c50b/rap0', '', { qos: 1, packetId: 2, retain: true }));
    await publisher.next('puback', 1);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.1-13] Retain As Published 1 forwards the RETAIN flag the publisher set', async () => {
    const raw = await subscriber('c50b/rap1', { retainAsPublished: true });
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/rap1', 'r', { qos: 1, packetId: 1, retain: true }));
    await publishTo(publisher, raw, publishPacket('c50b/rap1', 'p', { qos: 1, packetId: 2, retain: false }));
    expect(publishes(raw).map((packet) => packet.retain)).toEqual([true, false]);
    publisher.send(publishPacket('c50b/rap1', '', { qos: 1, packetId: 3, retain: true }));
    await publisher.next('puback', 2);
    await leave(raw);
    await leave(publisher);
  });
});

describe('3.3.2 PUBLISH variable header', () => {
  it('[MQTT-3.3.2-1] writes the Topic Name as a UTF-8 Encoded String: two length bytes, then the UTF-8 bytes', async () => {
    const topic = 'c50b/ütf/✓/𝄞';
    const raw = await subscriber('c50b/ütf/#', { qos: 0 });
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket(topic, 'x'));
    const received = raw.received();
    const start = received.indexOf(Buffer.from(mqttString(topic)));
    expect(start).toBeGreaterThan(0);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual([topic]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-1] closes a connection whose PUBLISH Topic Name is not well-formed UTF-8 (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    raw.send(frame(0x30, [...mqttString(Buffer.from([0x63, 0xc3, 0x28])), 0, 0x78]));
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.3.2-2] closes a connection whose PUBLISH Topic Name has a wildcard (DISCONNECT 0x82)', async () => {
    for (const topic of ['c50b/wild/#', 'c50b/+/wild']) {
      const raw = await connect();
      raw.send(frame(0x30, [...mqttString(topic), 0, 0x78]));
      await closedWith(raw, ReasonCode.ProtocolError);
    }
  });

  it('[MQTT-3.3.2-3] sends a subscriber the published Topic Name, which its Topic Filter matches', async () => {
    const raw = await subscriber('c50b/match/+/x');
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/match/a/x', '1'));
    await publishTo(publisher, raw, publishPacket('c50b/match/a/y', '2'));
    await publishTo(publisher, raw, publishPacket('c50b/match/b/x', '3'));
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['c50b/match/a/x', 'c50b/match/b/x']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-4] forwards the Payload Format Indicator unchanged, 0 and 1 alike', async () => {
    const raw = await subscriber('c50b/format/#', { qos: 0 });
    const publisher = await connect();
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/format/1', 'text', { properties: { payloadFormatIndicator: 1 } }),
    );
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/format/0', 'bin', { properties: { payloadFormatIndicator: 0 } }),
    );
    await publishTo(publisher, raw, publishPacket('c50b/format/none', 'x'));
    expect(publishes(raw).map((packet) => packet.properties?.payloadFormatIndicator)).toEqual([
      1,
      0,
      undefined,
    ]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] drops a queued message whose expiry passed and sends the others with the interval reduced by the wait', async () => {
    const clientId = `c50b-3.3-expiry-${++clients}`;
    const persistent = { clean: false, properties: { sessionExpiryInterval: 60 } };
    const first = await rawClient(running.port, 5, clientId, persistent);
    await subscribe(first, [subscription('c50b/expiry/#', 1)]);
    await leave(first);
    const publisher = await connect();
    publisher.send(
      publishPacket('c50b/expiry/stale', 's', {
        qos: 1,
        packetId: 1,
        properties: { messageExpiryInterval: 1 },
      }),
    );
    publisher.send(
      publishPacket('c50b/expiry/fresh', 'f', {
        qos: 1,
        packetId: 2,
        properties: { messageExpiryInterval: 30 },
      }),
    );
    await publisher.next('puback', 1);
    await brokerTimer(running, 1);
    const second = await rawClient(running.port, 5, clientId, persistent);
    await fence(second);
    const received = publishes(second);
    expect(received.map((packet) => packet.topic)).toEqual(['c50b/expiry/fresh']);
    const remaining = received[0]!.properties?.messageExpiryInterval;
    expect(remaining).toBeGreaterThanOrEqual(1);
    expect(remaining).toBeLessThanOrEqual(29);
    second.send({ type: 'puback', packetId: received[0]!.packetId! });
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-7] does not carry a Topic Alias mapping over to the next connection (DISCONNECT 0x82)', async () => {
    const clientId = `c50b-3.3-alias-${++clients}`;
    const first = await rawClient(running.port, 5, clientId);
    first.send(publishPacket('c50b/alias7', 'set', { properties: { topicAlias: 2 } }));
    await fence(first);
    await leave(first);
    const second = await rawClient(running.port, 5, clientId);
    second.send(publishPacket('', 'use', { properties: { topicAlias: 2 } }));
    await closedWith(second, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.3.2-7] sends the whole Topic Name again on a new connection instead of an alias it set on the previous one', async () => {
    const clientId = `c50b-3.3-alias-out-${++clients}`;
    const persistent = { clean: false, properties: { sessionExpiryInterval: 60, topicAliasMaximum: 2 } };
    const first = await rawClient(running.port, 5, clientId, persistent);
    await subscribe(first, [subscription('c50b/alias7out', 0)]);
    const publisher = await connect();
    await publishTo(publisher, first, publishPacket('c50b/alias7out', '1'));
    await publishTo(publisher, first, publishPacket('c50b/alias7out', '2'));
    const [set, used] = publishes(first);
    expect([set!.topic, used!.topic]).toEqual(['c50b/alias7out', '']);
    expect(used!.properties?.topicAlias).toBe(set!.properties?.topicAlias);
    await leave(first);
    const second = await rawClient(running.port, 5, clientId, persistent);
    await publishTo(publisher, second, publishPacket('c50b/alias7out', '3'));
    expect(publishes(second).map((packet) => packet.topic)).toEqual(['c50b/alias7out']);
    await leave(second);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-8] closes a connection that sends Topic Alias 0 (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    raw.send(frame(0x30, [...mqttString('c50b/alias0'), 3, 0x23, 0, 0, 0x78]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.3.2-9] closes a connection that sends a Topic Alias above the Topic Alias Maximum of its CONNACK (DISCONNECT 0x94)', async () => {
    const raw = await connect();
    const connack = await raw.next('connack');
    expect(connack.properties?.topicAliasMaximum).toBe(topicAliasMaximum);
    raw.send(frame(0x30, [...mqttString('c50b/alias9'), 3, 0x23, 0, topicAliasMaximum + 1, 0x78]));
    await closedWith(raw, ReasonCode.TopicAliasInvalid);
  });

  it('[MQTT-3.3.2-11] [MQTT-3.3.2-8] uses Topic Aliases from 1 up to the Topic Alias Maximum of the client’s CONNECT only', async () => {
    const raw = await connect({ properties: { topicAliasMaximum: 2 } });
    await subscribe(raw, [subscription('c50b/alias11/#', 0)]);
    const publisher = await connect();
    const topics = ['c50b/alias11/a', 'c50b/alias11/b', 'c50b/alias11/c', 'c50b/alias11/a', 'c50b/alias11/c'];
    for (const topic of topics) await publishTo(publisher, raw, publishPacket(topic, topic));
    const aliases = publishes(raw).map((packet) => packet.properties?.topicAlias);
    expect(aliases).toHaveLength(topics.length);
    expect(aliases.some((alias) => alias !== undefined)).toBe(true);
    expect(aliases.every((alias) => alias === undefined || (alias >= 1 && alias <= 2))).toBe(true);
    // Each packet names its topic, directly or through an alias set earlier on this connection.
    const mapping = new Map<number, string>();
    const resolved = publishes(raw).map((packet) => {
      const alias = packet.properties?.topicAlias;
      if (alias !== undefined && packet.topic !== '') mapping.set(alias, packet.topic);
      return packet.topic !== '' ? packet.topic : mapping.get(alias!);
    });
    expect(resolved).toEqual(topics);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-12] accepts every Topic Alias from 1 up to the Topic Alias Maximum of its CONNACK', async () => {
    const raw = await subscriber('c50b/alias12/#', { qos: 0 });
    const publisher = await connect();
    for (let alias = 1; alias <= topicAliasMaximum; alias += 1) {
      await publishTo(
        publisher,
        raw,
        publishPacket(`c50b/alias12/${alias}`, 'set', { properties: { topicAlias: alias } }),
      );
    }
    for (let alias = topicAliasMaximum; alias >= 1; alias -= 1) {
      await publishTo(publisher, raw, publishPacket('', 'use', { properties: { topicAlias: alias } }));
    }
    expect(
      publishes(raw).map((packet) => `${packet.topic}:${Buffer.from(packet.payload).toString()}`),
    ).toEqual([
      'c50b/alias12/1:set',
      'c50b/alias12/2:set',
      'c50b/alias12/3:set',
      'c50b/alias12/3:use',
      'c50b/alias12/2:use',
      'c50b/alias12/1:use',
    ]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-13] closes a connection whose Response Topic is not well-formed UTF-8 (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    const responseTopic = mqttString(Buffer.from([0x72, 0xed, 0xa0, 0x80]));
    raw.send(
      frame(0x30, [...mqttString('c50b/response13'), 1 + responseTopic.length, 0x08, ...responseTopic, 0x78]),
    );
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.3.2-14] closes a connection whose Response Topic has a wildcard (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    const responseTopic = mqttString('c50b/replies/+');
    raw.send(
      frame(0x30, [...mqttString('c50b/response14'), 1 + responseTopic.length, 0x08, ...responseTopic, 0x78]),
    );
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.3.2-15] forwards the Response Topic unchanged', async () => {
    const raw = await subscriber('c50b/response15', { qos: 0 });
    const publisher = await connect();
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/response15', 'q', { properties: { responseTopic: 'c50b/réponse/ü' } }),
    );
    expect(publishes(raw).map((packet) => packet.properties?.responseTopic)).toEqual(['c50b/réponse/ü']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-16] forwards the Correlation Data unchanged, bytes that are not UTF-8 included', async () => {
    const raw = await subscriber('c50b/correlation', { qos: 0 });
    const publisher = await connect();
    const correlationData = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f, 0x00]);
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/correlation', 'q', { properties: { correlationData } }),
    );
    expect(publishes(raw).map((packet) => Buffer.from(packet.properties!.correlationData!))).toEqual([
      correlationData,
    ]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-17] [MQTT-3.3.2-18] forwards every User Property unchanged and in order, repeated names included', async () => {
    const raw = await subscriber('c50b/user', { qos: 0 });
    const publisher = await connect();
    const userProperties: [string, string][] = [
      ['zeta', '1'],
      ['alpha', '2'],
      ['zeta', '3'],
      ['', ''],
      ['ünï', '✓'],
      ['alpha', '2'],
    ];
    await publishTo(publisher, raw, publishPacket('c50b/user', 'q', { properties: { userProperties } }));
    expect(publishes(raw).map((packet) => packet.properties?.userProperties)).toEqual([userProperties]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.2-19] closes a connection whose Content Type is not well-formed UTF-8 (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    const contentType = mqttString(Buffer.from([0x74, 0xff]));
    raw.send(
      frame(0x30, [...mqttString('c50b/content19'), 1 + contentType.length, 0x03, ...contentType, 0x78]),
    );
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.3.2-20] forwards the Content Type unchanged', async () => {
    const raw = await subscriber('c50b/content20', { qos: 0 });
    const publisher = await connect();
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/content20', '{}', {
        properties: { contentType: 'application/json; charset=utf-8' },
      }),
    );
    await publishTo(
      publisher,
      raw,
      publishPacket('c50b/content20', 'x', { properties: { contentType: 'tëxt/ünusual' } }),
    );
    expect(publishes(raw).map((packet) => packet.properties?.contentType)).toEqual([
      'application/json; charset=utf-8',
      'tëxt/ünusual',
    ]);
    await leave(raw);
    await leave(publisher);
  });
});

describe('3.3.4 PUBLISH actions', () => {
  it('[MQTT-3.3.4-1] answers QoS 0 with nothing, QoS 1 with PUBACK and QoS 2 with PUBREC, each with the packet identifier', async () => {
    const raw = await connect();
    raw.send(publishPacket('c50b/answer/0', 'x', { qos: 0 }));
    await fence(raw);
    expect(raw.packets.map((packet) => packet.type)).toEqual(['connack', 'pingresp']);
    raw.send(publishPacket('c50b/answer/1', 'x', { qos: 1, packetId: 11 }));
    expect((await raw.next('puback')).packetId).toBe(11);
    raw.send(publishPacket('c50b/answer/2', 'x', { qos: 2, packetId: 12 }));
    expect((await raw.next('pubrec')).packetId).toBe(12);
    raw.send({ type: 'pubrel', packetId: 12 });
    expect((await raw.next('pubcomp')).packetId).toBe(12);
    await leave(raw);
  });

  it('[MQTT-3.3.4-2] delivers once at the highest QoS of overlapping subscriptions', async () => {
    const raw = await connect();
    await subscribe(raw, [
      subscription('c50b/overlap/#', 2),
      subscription('c50b/overlap/+', 0),
      subscription('c50b/overlap/a', 1),
    ]);
    const publisher = await connect();
    publisher.send(publishPacket('c50b/overlap/a', 'x', { qos: 2, packetId: 1 }));
    await publisher.next('pubrec');
    publisher.send({ type: 'pubrel', packetId: 1 });
    await publisher.next('pubcomp');
    await fence(raw);
    expect(publishes(raw).map((packet) => [packet.topic, packet.qos])).toEqual([['c50b/overlap/a', 2]]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-3] [MQTT-3.3.4-4] sends one copy for overlapping subscriptions carrying the identifiers of all of them that have one', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/ids/#', 0)], { subscriptionIdentifier: 7 });
    await subscribe(raw, [subscription('c50b/ids/+', 0)], { subscriptionIdentifier: 8 });
    await subscribe(raw, [subscription('c50b/ids/a', 0)]);
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/ids/a', 'x'));
    await publishTo(publisher, raw, publishPacket('c50b/ids/b', 'y'));
    const received = publishes(raw);
    expect(received.map((packet) => packet.topic)).toEqual(['c50b/ids/a', 'c50b/ids/b']);
    expect([...received[0]!.properties!.subscriptionIdentifiers!].sort()).toEqual([7, 8]);
    expect([...received[1]!.properties!.subscriptionIdentifiers!].sort()).toEqual([7, 8]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-5] gives each separate copy the identifier of its own subscription (ordinary and shared subscription of one client)', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/separate/#', 0)], { subscriptionIdentifier: 5 });
    await subscribe(raw, [subscription('$share/c50b/c50b/separate/#', 0)], { subscriptionIdentifier: 6 });
    const publisher = await connect();
    await publishTo(publisher, raw, publishPacket('c50b/separate/a', 'x'));
    const identifiers = publishes(raw)
      .map((packet) => packet.properties?.subscriptionIdentifiers)
      .sort((first, second) => (first?.[0] ?? 0) - (second?.[0] ?? 0));
    expect(identifiers).toEqual([[5], [6]]);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-6] closes a connection whose PUBLISH carries a Subscription Identifier (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    raw.send(frame(0x30, [...mqttString('c50b/sid6'), 2, 0x0b, 1, 0x78]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.3.4-7] closes a connection that sends more unacknowledged QoS 2 messages than its Receive Maximum (DISCONNECT 0x93)', async () => {
    const raw = await connect();
    expect((await raw.next('connack')).properties?.receiveMaximum).toBe(receiveMaximum);
    for (let packetId = 1; packetId <= receiveMaximum + 1; packetId += 1) {
      raw.send(publishPacket(`c50b/greedy/${packetId}`, 'x', { qos: 2, packetId }));
    }
    const packets = await closedWith(raw, ReasonCode.ReceiveMaximumExceeded);
    expect(packets.filter((packet) => packet.type === 'pubrec')).toHaveLength(receiveMaximum);
  });

  it('[MQTT-3.3.4-7] lets a client that completed its QoS 2 flows send more than its Receive Maximum in total', async () => {
    const raw = await connect();
    for (let packetId = 1; packetId <= receiveMaximum * 2; packetId += 1) {
      raw.send(publishPacket(`c50b/steady/${packetId}`, 'x', { qos: 2, packetId }));
      await raw.next('pubrec', packetId - 1);
      raw.send({ type: 'pubrel', packetId });
      await raw.next('pubcomp', packetId - 1);
    }
    await leave(raw);
  });

  it('[MQTT-3.3.4-9] [MQTT-3.3.4-10] sends at most the client’s Receive Maximum of unacknowledged QoS 1 messages, without holding back PUBACK, SUBACK or PINGRESP', async () => {
    const raw = await connect({ properties: { receiveMaximum: 2 } });
    await subscribe(raw, [subscription('c50b/window/#', 1)]);
    const publisher = await connect();
    for (let index = 0; index < 5; index += 1) {
      await publishTo(
        publisher,
        raw,
        publishPacket(`c50b/window/${index}`, 'x', { qos: 1, packetId: index + 1 }),
      );
    }
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['c50b/window/0', 'c50b/window/1']);
    // With the window full, the answers to the client's own packets still come at once.
    raw.send(publishPacket('c50b/window-own', 'x', { qos: 1, packetId: 40 }));
    expect((await raw.next('puback')).packetId).toBe(40);
    expect((await subscribe(raw, [subscription('c50b/window-other', 1)])).reasonCodes).toEqual([1]);
    expect(publishes(raw)).toHaveLength(2);
    raw.send({ type: 'puback', packetId: publishes(raw)[0]!.packetId! });
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual([
      'c50b/window/0',
      'c50b/window/1',
      'c50b/window/2',
    ]);
    for (const packet of publishes(raw).slice(1)) raw.send({ type: 'puback', packetId: packet.packetId! });
    await raw.next('publish', 4);
    for (const packet of publishes(raw).slice(3)) raw.send({ type: 'puback', packetId: packet.packetId! });
    await fence(raw);
    expect(publishes(raw)).toHaveLength(5);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-9] counts a QoS 2 message as unacknowledged until its PUBCOMP, not just its PUBREC', async () => {
    const raw = await connect({ properties: { receiveMaximum: 1 } });
    await subscribe(raw, [subscription('c50b/pubcomp-window/#', 2)]);
    const publisher = await connect();
    for (const [index, topic] of ['c50b/pubcomp-window/1', 'c50b/pubcomp-window/2'].entries()) {
      publisher.send(publishPacket(topic, 'x', { qos: 2, packetId: index + 1 }));
      await publisher.next('pubrec', index);
      publisher.send({ type: 'pubrel', packetId: index + 1 });
      await publisher.next('pubcomp', index);
    }
    await fence(raw);
    const [first] = publishes(raw);
    expect(publishes(raw)).toHaveLength(1);
    raw.send({ type: 'pubrec', packetId: first!.packetId! });
    await raw.next('pubrel');
    await fence(raw);
    expect(publishes(raw)).toHaveLength(1);
    raw.send({ type: 'pubcomp', packetId: first!.packetId! });
    const second = await raw.next('publish', 1);
    expect(second.topic).toBe('c50b/pubcomp-window/2');
    raw.send({ type: 'pubrec', packetId: second.packetId! });
    await raw.next('pubrel', 1);
    raw.send({ type: 'pubcomp', packetId: second.packetId! });
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.3.4-9] counts a QoS 2 message answered with an error PUBREC as acknowledged, and sends no PUBREL for it', async () => {
    const raw = await connect({ properties: { receiveMaximum: 1 } });
    await subscribe(raw, [subscription('c50b/refuse/#', 2)]);
    const publisher = await connect();
    for (const [index, topic] of ['c50b/refuse/1', 'c50b/refuse/2'].entries()) {
      publisher.send(publishPacket(topic, 'x', { qos: 2, packetId: index + 1 }));
      await publisher.next('pubrec', index);
      publisher.send({ type: 'pubrel', packetId: index + 1 });
      await publisher.next('pubcomp', index);
    }
    await fence(raw);
    expect(publishes(raw).map((packet) => packet.topic)).toEqual(['c50b/refuse/1']);
    raw.send({
      type: 'pubrec',
      packetId: publishes(raw)[0]!.packetId!,
      reasonCode: ReasonCode.UnspecifiedError,
    });
    const second = await raw.next('publish', 1);
    expect(second.topic).toBe('c50b/refuse/2');
    await fence(raw);
    expect(raw.packets.filter((packet) => packet.type === 'pubrel')).toEqual([]);
    raw.send({ type: 'pubrec', packetId: second.packetId! });
    expect((await raw.next('pubrel')).packetId).toBe(second.packetId);
    raw.send({ type: 'pubcomp', packetId: second.packetId! });
    await leave(raw);
    await leave(publisher);
  });
});
