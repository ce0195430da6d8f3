// MQTT 3.1.1 section 2.2.2: the reserved flag bits of the fixed header. The broker writes exactly
// the values of Table 2.2 and closes a connection whose packets carry other values.
import { describe, expect, it } from 'vitest';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connackAccepted,
  fence,
  leave,
  publishPacket,
  rawClient,
  splitFrames,
  subscribe,
  afterConnack,
} from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 section 2.2 fixed header', () => {
  it('[MQTT-2.2.2-1] writes the reserved flag bits of every packet type it sends as Table 2.2 lists them', async () => {
    const raw = await rawClient(running.port, 4, 'flags-writer');
    await subscribe(raw, [['flags/#', 2]], { packetId: 1 });
    raw.send(publishPacket('flags/one', 'one', { qos: 1, packetId: 2 }));
    await raw.next('puback');
    const one = await raw.next('publish');
    raw.send({ type: 'puback', packetId: one.packetId! });
    raw.send(publishPacket('flags/two', 'two', { qos: 2, packetId: 3 }));
    await raw.next('pubrec');
    raw.send({ type: 'pubrel', packetId: 3 });
    await raw.next('pubcomp');
    const two = await raw.next('publish', 1);
    raw.send({ type: 'pubrec', packetId: two.packetId! });
    await raw.next('pubrel');
    raw.send({ type: 'pubcomp', packetId: two.packetId! });
    raw.send({ type: 'unsubscribe', packetId: 4, topicFilters: ['flags/#'] });
    await raw.next('unsuback');
    await fence(raw);

    const expected: Record<number, number> = {
      0x2: 0x20, // CONNACK
      0x4: 0x40, // PUBACK
      0x5: 0x50, // PUBREC
      0x6: 0x62, // PUBREL
      0x7: 0x70, // PUBCOMP
      0x9: 0x90, // SUBACK
      0xb: 0xb0, // UNSUBACK
      0xd: 0xd0, // PINGRESP
    };
    const firstBytes = splitFrames(raw.received()).map((packet) => packet[0]!);
    const seen = new Set(firstBytes.map((byte) => byte >> 4));
    expect([...seen].sort((a, b) => a - b)).toEqual([0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x9, 0xb, 0xd]);
    for (const byte of firstBytes) {
      if (byte >> 4 !== 0x3) expect(byte).toBe(expected[byte >> 4]);
    }
    await leave(raw);
  });

  it('[MQTT-2.2.2-2] closes the connection on a PINGREQ with flag bits 0001, without a PINGRESP', async () => {
    expect(await afterConnack(running.port, 'flags-pingreq', frame(0xc1, []))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.2.2-2] closes the connection on an UNSUBSCRIBE with flag bits 0000 instead of 0010, without an UNSUBACK', async () => {
    expect(
      await afterConnack(running.port, 'flags-unsubscribe', frame(0xa0, [0, 1, ...mqttString('a')])),
    ).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.2.2-2] closes the connection on a SUBSCRIBE with flag bits 0011, without a SUBACK', async () => {
    expect(
      await afterConnack(running.port, 'flags-subscribe', frame(0x83, [0, 1, ...mqttString('a'), 0])),
    ).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.2.2-2] closes the connection on a PUBACK with flag bits 0010', async () => {
    expect(await afterConnack(running.port, 'flags-puback', frame(0x42, [0, 1]))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.2.2-2] closes the connection on a PUBCOMP with flag bits 1000', async () => {
    expect(await afterConnack(running.port, 'flags-pubcomp', frame(0x78, [0, 1]))).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-2.2.2-2] closes the connection on a DISCONNECT with flag bits 0001 and, since that was no DISCONNECT, publishes the will', async () => {
    const watcher = await rawClient(running.port, 4, 'flags-will-watcher');
    await subscribe(watcher, [['flags/will', 0]], { packetId: 1 });
    const raw = await rawClient(running.port, 4, 'flags-disconnect', {
      will: { topic: 'flags/will', payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    raw.send(frame(0xe1, []));
    await raw.closed;
    expect(raw.received()).toEqual(connackAccepted);
    expect(Buffer.from((await watcher.next('publish')).payload).toString()).toBe('gone');
    await leave(watcher);
  });
});
