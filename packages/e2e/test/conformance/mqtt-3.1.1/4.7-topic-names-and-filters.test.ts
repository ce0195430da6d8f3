// MQTT 3.1.1 section 4.7, topic names and topic filters: where wildcards may stand, what they
// match, topics starting with '$', and the limits on a topic's characters and length.
import { describe, expect, it } from 'vitest';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  leave,
  payloads,
  publishBytes,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';
import type { RawConnection } from '../../support/raw-connection.js';

const running = brokerForFile();

const connect = (prefix: string) => rawClient(running.port, 4, uniqueId(`c311b-4.7-${prefix}`));

/**
 * Publishes each topic with its name as payload, then a marker on `marker`; resolves with the
 * payloads `subscriber` received up to the marker. The subscriber must subscribe to `marker`.
 */
async function delivered(
  subscriber: RawConnection,
  topics: readonly string[],
  marker: string,
): Promise<string[]> {
  const publisher = await connect('publisher');
  for (const topic of topics) publisher.send(publishPacket(topic, topic));
  publisher.send(publishPacket(marker, 'marker'));
  while (!payloads(subscriber).includes('marker'))
    await subscriber.next('publish', payloads(subscriber).length);
  await leave(publisher);
  return payloads(subscriber).filter((payload) => payload !== 'marker');
}

describe('MQTT 3.1.1 4.7 topic names and topic filters', () => {
  it('[MQTT-4.7.1-1] accepts wildcards in topic filters', async () => {
    const raw = await connect('wild-filter');
    expect(
      (
        await subscribe(raw, [
          ['wild47/+/#', 1],
          ['+', 0],
          ['#', 0],
        ])
      ).reasonCodes,
    ).toEqual([1, 0, 0]);
    await leave(raw);
  });

  it('[MQTT-4.7.1-1] closes the connection on a wildcard in a topic name', async () => {
    const raw = await connect('wild-name');
    raw.send(publishBytes('#', 'x'));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-4.7.1-2] refuses a filter with # anywhere but alone as the last level', async () => {
    const raw = await connect('hash-bad');
    const suback = await subscribe(raw, [
      ['hash47/#/a', 0],
      ['hash47#', 0],
      ['hash47/a#', 0],
      ['#/hash47', 0],
      ['hash47/##', 0],
    ]);
    expect(suback.reasonCodes).toEqual([0x80, 0x80, 0x80, 0x80, 0x80]);
    await leave(raw);
  });

  it('[MQTT-4.7.1-2] matches # against the parent level and any number of child levels', async () => {
    const raw = await connect('hash-good');
    await subscribe(raw, [
      ['hash47m/#', 0],
      ['hash47marker', 0],
    ]);
    const topics = ['hash47m', 'hash47m/', 'hash47m/a', 'hash47m/a/b/c', 'hash47mx', 'other/hash47m'];
    expect(await delivered(raw, topics, 'hash47marker')).toEqual([
      'hash47m',
      'hash47m/',
      'hash47m/a',
      'hash47m/a/b/c',
    ]);
    await leave(raw);
  });

  it('[MQTT-4.7.1-3] refuses a filter where + does not fill its whole level', async () => {
    const raw = await connect('plus-bad');
    const suback = await subscribe(raw, [
      ['plus47+', 0],
      ['plus47/+a', 0],
      ['plus47/a+/b', 0],
      ['+plus47', 0],
    ]);
    expect(suback.reasonCodes).toEqual([0x80, 0x80, 0x80, 0x80]);
    await leave(raw);
  });

  it('[MQTT-4.7.1-3] matches + against exactly one level at any position, empty levels included', async () => {
    const raw = await connect('plus-good');
    await subscribe(raw, [
      ['+/plus47/+', 0],
      ['plus47marker', 0],
    ]);
    const topics = ['a/plus47/b', '/plus47/', 'a/plus47', 'plus47/b', 'a/plus47/b/c', 'a/b/plus47/c'];
    expect(await delivered(raw, topics, 'plus47marker')).toEqual(['a/plus47/b', '/plus47/']);
    await leave(raw);
  });

  it('[MQTT-4.7.2-1] does not match topics starting with $ against filters starting with # or +', async () => {
    const raw = await connect('dollar');
    await subscribe(raw, [
      ['#', 0],
      ['+/dollar47', 0],
      ['+/+', 0],
      ['$dollar47/#', 0],
    ]);
    const publisher = await connect('dollar-publisher');
    publisher.send(publishPacket('$x/dollar47', 'hidden'));
    publisher.send(publishPacket('$dollar47/a', 'explicit'));
    const first = await raw.next('publish');
    expect([first.topic, Buffer.from(first.payload).toString()]).toEqual(['$dollar47/a', 'explicit']);
    await leave(publisher);
    await leave(raw);
  });

  it('[MQTT-4.7.3-1] closes the connection on a PUBLISH with an empty topic name', async () => {
    const raw = await connect('empty-name');
    raw.send(frame(0x30, [0, 0, 0x78]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-4.7.3-1] closes the connection on a SUBSCRIBE with an empty topic filter', async () => {
    const raw = await connect('empty-filter');
    raw.send(frame(0x82, [0, 1, 0, 0, 0, ...mqttString('empty47'), 0]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-4.7.3-2] closes the connection on U+0000 in a topic name', async () => {
    const raw = await connect('null-name');
    raw.send(publishBytes('null47/a\u0000b', 'x'));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-4.7.3-2] closes the connection on U+0000 in a topic filter', async () => {
    const raw = await connect('null-filter');
    raw.send(frame(0x82, [0, 1, ...mqttString('null47/\u0000'), 0]));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-4.7.3-3] carries a topic name and a topic filter of 65,535 bytes, the most a length prefix can state', async () => {
    const longest = `long47/${'é'.repeat(32_763)}xx`;
    expect(Buffer.byteLength(longest)).toBe(65_535);
    const raw = await connect('long');
    expect((await subscribe(raw, [[longest, 1]])).reasonCodes).toEqual([1]);
    const publisher = await connect('long-publisher');
    publisher.send(publishPacket(longest, 'x', { qos: 1, packetId: 1 }));
    const message = await raw.next('publish');
    expect(message.topic).toBe(longest);
    raw.send({ type: 'puback', packetId: message.packetId! });
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-4.7.3-4] matches without normalizing Unicode, folding case or substituting characters', async () => {
    const raw = await connect('normalize');
    await subscribe(raw, [
      ['norm47/caf\u00e9', 0],
      ['norm47/Accounts', 0],
      ['norm47/\ufffd', 0],
      ['norm47marker', 0],
    ]);
    const topics = [
      'norm47/cafe\u0301',
      'norm47/ACCOUNTS',
      'norm47/accounts',
      'norm47/Accounts ',
      'norm47/\ufffe',
      'norm47/caf\u00e9',
      'norm47/Accounts',
      'norm47/\ufffd',
    ];
    expect(await delivered(raw, topics, 'norm47marker')).toEqual([
      'norm47/caf\u00e9',
      'norm47/Accounts',
      'norm47/\ufffd',
    ]);
    await leave(raw);
  });
});
