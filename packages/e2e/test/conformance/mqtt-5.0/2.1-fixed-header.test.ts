// MQTT 5.0 section 2.1, the fixed header: the broker refuses reserved flag bits that differ from
// the listed values, and writes the listed values in every packet it sends.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { connectPacket, frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  disconnectBytes,
  fence,
  misbehave,
  sendUntilClosed,
  splitFrames,
  subscribe,
  subscription,
} from '../support/raw-client.js';

const running = brokerForFile();

const malformed = disconnectBytes(ReasonCode.MalformedPacket);

describe('MQTT 5.0 section 2.1 fixed header', () => {
  const wrongFlags = [
    ['PUBREL', frame(0x60, [0, 1])],
    ['SUBSCRIBE', frame(0x80, [0, 1, 0, ...mqttString('a'), 0])],
    ['UNSUBSCRIBE', frame(0xa0, [0, 1, 0, ...mqttString('a')])],
    ['PUBACK', frame(0x42, [0, 1])],
    ['PINGREQ', frame(0xc8, [])],
    ['DISCONNECT', frame(0xe1, [])],
  ] as const;

  it('[MQTT-2.1.3-1] answers PUBREL, SUBSCRIBE, UNSUBSCRIBE, PUBACK, PINGREQ and DISCONNECT with wrong reserved flag bits with DISCONNECT 0x81', async () => {
    const outcomes = await Promise.all(
      wrongFlags.map(
        async ([name, bytes]) => [name, await misbehave(running.port, `flags-${name}`, [bytes])] as const,
      ),
    );
    expect(Object.fromEntries(outcomes)).toEqual(
      Object.fromEntries(wrongFlags.map(([name]) => [name, malformed])),
    );
  });

  it('[MQTT-2.1.3-1] closes a connection whose CONNECT has a reserved flag bit set in the fixed header, without accepting it', async () => {
    const connect = Buffer.from(encode(connectPacket('flags-connect', 5), 5));
    connect[0] = 0x11;
    const received = await sendUntilClosed(running.port, [connect]);
    expect([Buffer.alloc(0), Buffer.from([0x20, 3, 0, ReasonCode.MalformedPacket, 0])]).toContainEqual(
      received,
    );
  });

  it('[MQTT-2.1.3-1] writes the listed flag bits in the fixed header of every packet it sends', async () => {
    const subscriber = await connectRaw(running.port, 5, 'flags-subscriber');
    await subscribe(subscriber.raw, [subscription('flags/#', 2)], { packetId: 1 });
    const publisher = await connectRaw(running.port, 5, 'flags-publisher');
    publisher.raw.send({
      type: 'publish',
      topic: 'flags/2',
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 2,
    });
    await publisher.raw.next('pubrec');
    publisher.raw.send({ type: 'pubrel', packetId: 2 });
    await publisher.raw.next('pubcomp');
    publisher.raw.send({
      type: 'publish',
      topic: 'unflagged/1',
      payload: Buffer.from('y'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 3,
    });
    await publisher.raw.next('puback');
    const toSubscriber = await subscriber.raw.next('publish');
    subscriber.raw.send({ type: 'pubrec', packetId: toSubscriber.packetId! });
    await subscriber.raw.next('pubrel');
    subscriber.raw.send({ type: 'pubcomp', packetId: toSubscriber.packetId! });
    subscriber.raw.send({ type: 'unsubscribe', packetId: 4, topicFilters: ['flags/#'] });
    await subscriber.raw.next('unsuback');
    await fence(subscriber.raw);
    // Second CONNECT: the broker answers with DISCONNECT.
    subscriber.raw.send(connectPacket('flags-subscriber', 5));
    await subscriber.raw.closed;
    await fence(publisher.raw);
    const firstBytes = [
      ...splitFrames(subscriber.raw.received()),
      ...splitFrames(publisher.raw.received()),
    ].map((bytes) => bytes[0]!);
    // CONNACK, SUBACK, PUBLISH QoS 2 (flags 0100), PUBREL, UNSUBACK, PINGRESP, DISCONNECT, then
    // CONNACK, PUBREC, PUBCOMP, PUBACK, PINGRESP on the publisher.
    expect(firstBytes).toEqual([0x20, 0x90, 0x34, 0x62, 0xb0, 0xd0, 0xe0, 0x20, 0x50, 0x70, 0x40, 0xd0]);
    publisher.raw.socket.destroy();
  });
});
