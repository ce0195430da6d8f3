// MQTT 3.1.1 section 1.5.3: UTF-8 encoded strings. Ill-formed UTF-8, encoded surrogates and U+0000
// close the connection; a U+FEFF (EF BB BF) is kept as it is.
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { connectPacket, frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connackAccepted,
  connectBytes,
  ConnectFlag,
  fence,
  leave,
  publishPacket,
  rawClient,
  sendUntilClosed,
  subscribe,
} from '../support/raw-client.js';

const running = brokerForFile();

const connected = encode(connectPacket('utf8-sender', 4), 4);

describe('MQTT 3.1.1 section 1.5 data representation', () => {
  it('[MQTT-1.5.3-1] closes the connection on ill-formed UTF-8 in a PUBLISH topic name, and the message goes nowhere', async () => {
    const watcher = await rawClient(running.port, 4, 'utf8-watcher-1');
    await subscribe(watcher, [['#', 0]], { packetId: 1 });
    const received = await sendUntilClosed(running.port, [
      connected,
      frame(0x30, [...mqttString(Buffer.from([0x61, 0xff, 0xfe, 0x62])), 0x78]),
    ]);
    expect(received).toEqual(connackAccepted);
    await fence(watcher);
    expect(watcher.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(watcher);
  });

  it('[MQTT-1.5.3-1] closes the connection on an encoded surrogate code point (U+D800) in a SUBSCRIBE topic filter', async () => {
    const received = await sendUntilClosed(running.port, [
      connected,
      frame(0x82, [0, 1, ...mqttString(Buffer.from([0x61, 0xed, 0xa0, 0x80])), 0]),
    ]);
    // Closed without a SUBACK.
    expect(received).toEqual(connackAccepted);
  });

  it('[MQTT-1.5.3-1] closes the connection without CONNACK on an overlong encoding in the client identifier', async () => {
    // C0 AF is an overlong "/", which well-formed UTF-8 forbids.
    const received = await sendUntilClosed(running.port, [
      connectBytes({
        flags: ConnectFlag.cleanSession,
        payload: [mqttString(Buffer.from([0x61, 0xc0, 0xaf]))],
      }),
    ]);
    expect(received).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-1.5.3-2] closes the connection on U+0000 in a PUBLISH topic name', async () => {
    const received = await sendUntilClosed(running.port, [
      connected,
      frame(0x30, [...mqttString('a\u0000b'), 0x78]),
    ]);
    expect(received).toEqual(connackAccepted);
  });

  it('[MQTT-1.5.3-2] closes the connection without CONNACK on U+0000 in the user name', async () => {
    const received = await sendUntilClosed(running.port, [
      connectBytes({
        flags: ConnectFlag.cleanSession | ConnectFlag.userName,
        payload: [mqttString('utf8-null-user'), mqttString('us\u0000er')],
      }),
    ]);
    expect(received).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-1.5.3-3] keeps a leading EF BB BF in a topic name: the message reaches the BOM topic only, bytes unchanged', async () => {
    const bomTopic = '\uFEFFbom/topic';
    const withBom = await rawClient(running.port, 4, 'bom-subscriber');
    await subscribe(withBom, [[bomTopic, 0]], { packetId: 1 });
    const withoutBom = await rawClient(running.port, 4, 'bom-stripped-subscriber');
    await subscribe(withoutBom, [['bom/topic', 0]], { packetId: 1 });
    const sender = await rawClient(running.port, 4, 'bom-sender');
    sender.send(publishPacket(bomTopic, 'with bom'));
    const delivered = await withBom.next('publish');
    expect(delivered.topic).toBe(bomTopic);
    // The topic on the wire starts with the three bytes, not stripped: 00 0C EF BB BF "bom/topic".
    expect(withBom.received().includes(Buffer.from([0x00, 0x0c, 0xef, 0xbb, 0xbf, 0x62]))).toBe(true);
    await fence(withoutBom);
    expect(withoutBom.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await Promise.all([leave(withBom), leave(withoutBom), leave(sender)]);
  });
});
