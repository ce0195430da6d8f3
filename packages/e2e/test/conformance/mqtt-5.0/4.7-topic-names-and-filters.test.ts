// MQTT 5.0 section 4.7: wildcards only in filters and only where allowed, `$` topics kept from
// leading wildcards, the length and character rules, and matching without normalization.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { inbox } from '../../support/inbox.js';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { disconnectBytes, fence, leave, rawClient } from '../support/raw-client.js';

const running = brokerForFile();

/** SUBSCRIBE (packet id 1, no properties, QoS 1) with the filter written as given. */
const subscribeBytes = (filter: string | Uint8Array): Buffer =>
  frame(0x82, [0, 1, 0, ...mqttString(filter), 1]);
/** PUBLISH QoS 0 with the topic written as given, no properties, payload "x". */
const publishBytes = (topic: string | Uint8Array): Buffer => frame(0x30, [...mqttString(topic), 0, 0x78]);

/** Sends the bytes on a fresh connection; resolves with what the broker sent after CONNACK once it closed. */
async function refused(clientId: string, bytes: Buffer): Promise<Buffer> {
  const raw = await rawClient(running.port, 5, clientId);
  const connackLength = raw.received().length;
  raw.send(bytes);
  await raw.closed;
  return raw.received().subarray(connackLength);
}

/** SUBACK codes for one filter on a fresh connection, which stays usable afterwards. */
async function subackFor(clientId: string, filter: string): Promise<number[]> {
  const raw = await rawClient(running.port, 5, clientId);
  raw.send(subscribeBytes(filter));
  const suback = await raw.next('suback');
  await fence(raw);
  await leave(raw);
  return suback.reasonCodes;
}

describe('4.7 topic names and topic filters', () => {
  it('[MQTT-4.7.0-1] accepts wildcards in a topic filter but closes with DISCONNECT 0x82 on a PUBLISH topic name holding one', async () => {
    expect(await subackFor('wildcard-filter', 'wild/+/x/#')).toEqual([1]);
    for (const [index, topic] of ['wild/+', 'wild/#', '+', '#'].entries()) {
      expect(await refused(`wildcard-name-${index}`, publishBytes(topic))).toEqual(
        disconnectBytes(ReasonCode.ProtocolError),
      );
    }
  });

  it('[MQTT-4.7.1-1] refuses a filter whose # is not alone in the last level (SUBACK 0x8F) and accepts those where it is', async () => {
    for (const filter of ['#/a', 'a#', 'a/#/b', 'a/b#', '##'])
      expect(await subackFor('bad-hash', filter)).toEqual([ReasonCode.TopicFilterInvalid]);
    for (const filter of ['#', 'a/#', '/#', 'a//#'])
      expect(await subackFor('good-hash', filter)).toEqual([1]);
  });

  it('[MQTT-4.7.1-2] refuses a filter whose + shares its level with other characters (SUBACK 0x8F) and accepts + filling levels', async () => {
    for (const filter of ['a/+b', '+a', 'a/b+', 'a/++/c'])
      expect(await subackFor('bad-plus', filter)).toEqual([ReasonCode.TopicFilterInvalid]);
    for (const filter of ['+', '+/+', 'a/+/c', '/+', '+/', 'a/+/#'])
      expect(await subackFor('good-plus', filter)).toEqual([1]);
  });

  it('[MQTT-4.7.2-1] does not match topic names starting with $ against filters starting with # or +', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync(['#', '+/status', '+/+'], { qos: 1 });
    const dollar = await running.client({ protocolVersion: 5 });
    const dollarInbox = inbox(dollar);
    await dollar.subscribeAsync('$app/status', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('$app/status', 'hidden', { qos: 1 });
    await publisher.publishAsync('app/status', 'visible', { qos: 1 });
    // An explicit $ filter still gets it.
    expect((await dollarInbox.next(1))[0]!.payload).toBe('hidden');
    await received.on('app/status');
    await subscriber.publishAsync('fence', 'x', { qos: 1 });
    await received.on('fence');
    expect(received.messages.every((message) => !message.topic.startsWith('$'))).toBe(true);
  });

  it('[MQTT-4.7.3-1] closes with DISCONNECT 0x82 on an empty topic filter, and on an empty topic name without a Topic Alias', async () => {
    expect(await refused('empty-filter', subscribeBytes(''))).toEqual(
      disconnectBytes(ReasonCode.ProtocolError),
    );
    expect(await refused('empty-name', publishBytes(''))).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });

  it('[MQTT-4.7.3-2] closes with DISCONNECT 0x81 on U+0000 in a topic name or a topic filter', async () => {
    expect(await refused('nul-name', publishBytes('a\u0000b'))).toEqual(
      disconnectBytes(ReasonCode.MalformedPacket),
    );
    expect(await refused('nul-filter', subscribeBytes('a/\u0000'))).toEqual(
      disconnectBytes(ReasonCode.MalformedPacket),
    );
  });

  it('[MQTT-4.7.3-3] routes a topic of exactly 65,535 bytes, and the codec refuses to encode one byte more', async () => {
    const longest = `long/${'é'.repeat(32_764)}xx`;
    expect(Buffer.byteLength(longest)).toBe(65_535);
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync(longest, { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync(longest, 'x', { qos: 1 });
    expect((await received.next(1))[0]!.topic).toBe(longest);
    const publish = {
      type: 'publish',
      payload: new Uint8Array(),
      qos: 0,
      retain: false,
      dup: false,
    } as const;
    expect(() => encode({ ...publish, topic: `${longest}y` }, 5)).toThrow(/65,535 bytes/);
  });

  it('[MQTT-4.7.3-4] matches topics byte for byte: no Unicode normalization, no case folding', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    // "é" precomposed (U+00E9) in the filter; "e" + combining acute (U+0065 U+0301) is a different topic.
    await subscriber.subscribeAsync(['norm/caf\u00e9', 'norm/Case'], { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    for (const topic of ['norm/cafe\u0301', 'norm/case', 'norm/CASE', 'norm/caf\u00e9', 'norm/Case'])
      await publisher.publishAsync(topic, topic, { qos: 1 });
    await received.on('norm/Case');
    expect(received.messages.map((message) => message.topic)).toEqual(['norm/caf\u00e9', 'norm/Case']);
  });
});
