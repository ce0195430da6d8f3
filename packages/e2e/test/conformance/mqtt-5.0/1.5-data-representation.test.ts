// MQTT 5.0 section 1.5, data representation: the broker refuses ill-formed UTF-8 strings, string
// pairs and variable byte integers with DISCONNECT 0x81, keeps a BOM as a character, and writes
// variable byte integers in their shortest form.
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import { frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  disconnectBytes,
  fence,
  leave,
  misbehave,
  sendUntilClosed,
  splitFrames,
  subscribe,
  subscription,
} from '../support/raw-client.js';

const running = brokerForFile();

/** A QoS 0 PUBLISH with an empty property list and payload "x", on topic bytes given as they are. */
const publishWithTopic = (topic: readonly number[]): Buffer =>
  frame(0x30, [...mqttString(Uint8Array.from(topic)), 0, 0x78]);

/** A CONNECT (MQTT 5, clean start, keep alive 0) with the given property bytes and client id bytes. */
const connectBytes = (properties: readonly number[], clientId: readonly number[]): Buffer =>
  frame(0x10, [
    ...mqttString('MQTT'),
    5,
    0x02,
    0,
    0,
    properties.length,
    ...properties,
    ...mqttString(Uint8Array.from(clientId)),
  ]);

const malformed = disconnectBytes(ReasonCode.MalformedPacket);

describe('MQTT 5.0 section 1.5 data representation', () => {
  it('[MQTT-1.5.4-1] answers a topic name with bytes that are not UTF-8 (FF) with DISCONNECT 0x81 and closes', async () => {
    const received = await misbehave(running.port, 'utf8-ff', [publishWithTopic([0x61, 0xff, 0x62])]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.4-1] answers a topic name holding an encoded surrogate (U+D800 as ED A0 80) with DISCONNECT 0x81', async () => {
    const received = await misbehave(running.port, 'utf8-surrogate', [
      publishWithTopic([0x61, 0xed, 0xa0, 0x80]),
    ]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.4-1] answers an overlong UTF-8 encoding in a topic filter with DISCONNECT 0x81', async () => {
    // "/" written in two bytes (C0 AF) is not well-formed UTF-8.
    const filter = [...mqttString(Uint8Array.from([0x61, 0xc0, 0xaf])), 0x00];
    const received = await misbehave(running.port, 'utf8-overlong', [frame(0x82, [0, 1, 0, ...filter])]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.4-1] closes a connection whose CONNECT client identifier is not well-formed UTF-8, without accepting it', async () => {
    const received = await sendUntilClosed(running.port, [connectBytes([], [0x63, 0xed, 0xbf, 0xbf])]);
    // Closing at once and CONNACK 0x81 are both allowed; an accepting CONNACK is not.
    expect([Buffer.alloc(0), Buffer.from([0x20, 3, 0, ReasonCode.MalformedPacket, 0])]).toContainEqual(
      received,
    );
  });

  it('[MQTT-1.5.4-2] answers U+0000 in a topic name with DISCONNECT 0x81', async () => {
    const received = await misbehave(running.port, 'nul-topic', [publishWithTopic([0x61, 0x00, 0x62])]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.4-2] answers U+0000 in a topic filter with DISCONNECT 0x81', async () => {
    const received = await misbehave(running.port, 'nul-filter', [
      frame(0x82, [0, 1, 0, ...mqttString('a\u0000b'), 0x00]),
    ]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.4-3] keeps a leading BOM (EF BB BF) in a topic name as the character U+FEFF', async () => {
    const subscriber = await connectRaw(running.port, 5, 'bom-subscriber');
    expect(
      (
        await subscribe(subscriber.raw, [subscription('\uFEFFbom/topic', 0), subscription('bom/topic', 0)], {
          packetId: 1,
        })
      ).reasonCodes,
    ).toEqual([0, 0]);
    const publisher = await connectRaw(running.port, 5, 'bom-publisher');
    publisher.raw.send(publishWithTopic([0xef, 0xbb, 0xbf, ...Buffer.from('bom/topic')]));
    await fence(publisher.raw);
    await fence(subscriber.raw);
    const publishes = subscriber.raw.packets.filter((packet) => packet.type === 'publish');
    // Only the filter with the BOM matches: the broker neither skipped nor stripped it.
    expect(publishes.map((packet) => packet.topic)).toEqual(['\uFEFFbom/topic']);
    const forwarded = splitFrames(subscriber.raw.received()).find((bytes) => bytes[0] === 0x30)!;
    expect(forwarded.subarray(2, 7)).toEqual(Buffer.from([0, 12, 0xef, 0xbb, 0xbf]));
    await leave(subscriber.raw);
    await leave(publisher.raw);
  });

  it('[MQTT-1.5.5-1] answers a remaining length not in its shortest form (80 00 for 0) with DISCONNECT 0x81', async () => {
    const received = await misbehave(running.port, 'vbi-remaining', [Buffer.from([0xc0, 0x80, 0x00])]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.5-1] answers a property length not in its shortest form with DISCONNECT 0x81', async () => {
    // PUBLISH "a" whose property length 0 is written as 80 00.
    const received = await misbehave(running.port, 'vbi-property', [
      frame(0x30, [...mqttString('a'), 0x80, 0x00, 0x78]),
    ]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.5-1] writes remaining lengths in the fewest bytes: 1 byte up to 127, 2 bytes from 128', async () => {
    const subscriber = await connectRaw(running.port, 5, 'vbi-reader');
    await subscribe(subscriber.raw, [subscription('vbi/#', 0)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'vbi-writer');
    // PUBLISH body: topic (2 + 5 bytes), property length (1 byte), payload: 127 and 128 bytes of body.
    for (const size of [127, 128, 16_383, 16_384]) {
      publisher.raw.send({
        type: 'publish',
        topic: 'vbi/x',
        payload: Buffer.alloc(size - 8, 0x61),
        qos: 0,
        retain: false,
        dup: false,
      });
    }
    await fence(publisher.raw);
    await subscriber.raw.next('publish', 3);
    const headers = splitFrames(subscriber.raw.received())
      .filter((bytes) => bytes[0] === 0x30)
      .map((bytes) => {
        let end = 1;
        while ((bytes[end]! & 0x80) !== 0) end += 1;
        return [...bytes.subarray(1, end + 1)];
      });
    expect(headers).toEqual([[0x7f], [0x80, 0x01], [0xff, 0x7f], [0x80, 0x80, 0x01]]);
    await leave(subscriber.raw);
    await leave(publisher.raw);
  });

  it('[MQTT-1.5.7-1] answers a User Property whose name is not well-formed UTF-8 with DISCONNECT 0x81', async () => {
    const property = [0x26, ...mqttString(Uint8Array.from([0xff])), ...mqttString('v')];
    const received = await misbehave(running.port, 'pair-name', [
      frame(0x30, [...mqttString('a'), property.length, ...property, 0x78]),
    ]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.7-1] answers a User Property whose value holds U+0000 with DISCONNECT 0x81', async () => {
    const property = [0x26, ...mqttString('k'), ...mqttString('a\u0000')];
    const received = await misbehave(running.port, 'pair-value', [
      frame(0x30, [...mqttString('a'), property.length, ...property, 0x78]),
    ]);
    expect(received).toEqual(malformed);
  });

  it('[MQTT-1.5.7-1] closes a connection whose CONNECT carries a User Property value that is not UTF-8, without accepting it', async () => {
    const property = [0x26, ...mqttString('k'), ...mqttString(Uint8Array.from([0xc3]))];
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectBytes(property, [...Buffer.from('pair-connect')]));
    await raw.closed;
    expect(raw.packets.filter((packet) => packet.type === 'connack' && packet.reasonCode === 0)).toEqual([]);
  });
});
