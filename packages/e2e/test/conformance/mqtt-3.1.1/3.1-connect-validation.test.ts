// MQTT 3.1.1 section 3.1: the broker validates CONNECT (protocol name and level, flags against the
// payload, UTF-8 fields) and closes the connection without a CONNACK when it does not conform.
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connackAccepted,
  connackRefused,
  connectBytes,
  ConnectFlag,
  fence,
  leave,
  rawClient,
  sendUntilClosed,
  subscribe,
} from '../support/raw-client.js';

const running = brokerForFile();

const { cleanSession, will, willQoS1, willQoS2, willRetain, userName, password } = ConnectFlag;
const nothing = Buffer.alloc(0);

/** Sends one hand-built CONNECT and resolves with everything the broker answered before closing. */
const answerTo = (flags: number, payload: readonly (readonly number[])[]): Promise<Buffer> =>
  sendUntilClosed(running.port, [connectBytes({ flags, payload })]);

describe('MQTT 3.1.1 section 3.1 CONNECT validation', () => {
  it('[MQTT-3.1.0-1] closes a connection whose first packet is a PUBLISH, without answering or routing it', async () => {
    const watcher = await rawClient(running.port, 4, 'first-publish-watcher');
    await subscribe(watcher, [['first/publish', 0]], { packetId: 1 });
    const received = await sendUntilClosed(running.port, [
      frame(0x30, [...mqttString('first/publish'), 0x78]),
    ]);
    expect(received).toEqual(nothing);
    await fence(watcher);
    expect(watcher.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(watcher);
  });

  it('[MQTT-3.1.0-1] closes a connection whose first packet is a PINGREQ, without a PINGRESP', async () => {
    expect(await sendUntilClosed(running.port, [frame(0xc0, [])])).toEqual(nothing);
  });

  it('[MQTT-3.1.0-2] closes the connection on a second CONNECT, answering nothing after the first CONNACK', async () => {
    const raw = await rawClient(running.port, 4, 'second-connect');
    raw.send(connectPacket('second-connect', 4));
    await raw.closed;
    expect(raw.received()).toEqual(connackAccepted);
  });

  it('[MQTT-3.1.2-1] closes the connection without a CONNACK when the protocol name is not MQTT', async () => {
    const received = await sendUntilClosed(running.port, [
      connectBytes({ protocolName: 'MQTX', flags: cleanSession, payload: [mqttString('wrong-name')] }),
    ]);
    expect(received).toEqual(nothing);
  });

  it('[MQTT-3.1.2-2] answers an unsupported Protocol Level (0, 6, 255) with CONNACK 0x01 and closes the connection', async () => {
    for (const protocolLevel of [0, 6, 255]) {
      const received = await sendUntilClosed(running.port, [
        connectBytes({ protocolLevel, flags: cleanSession, payload: [mqttString(`level-${protocolLevel}`)] }),
      ]);
      expect(received).toEqual(connackRefused(0x01));
    }
  });

  it('[MQTT-3.1.2-3] closes the connection without a CONNACK when the reserved CONNECT flag is 1', async () => {
    expect(await answerTo(cleanSession | ConnectFlag.reserved, [mqttString('reserved-flag')])).toEqual(
      nothing,
    );
  });

  it('[MQTT-3.1.2-9] closes the connection without a CONNACK when Will Flag is 1 but the payload has no Will Topic and Will Message', async () => {
    expect(await answerTo(cleanSession | will, [mqttString('will-missing')])).toEqual(nothing);
  });

  it('[MQTT-3.1.2-11] closes the connection without a CONNACK when Will Flag is 0 but a Will Topic and Will Message follow', async () => {
    const payload = [mqttString('will-extra'), mqttString('will/topic'), mqttString('message')];
    expect(await answerTo(cleanSession, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.2-13] closes the connection without a CONNACK when Will Flag is 0 and Will QoS is 1', async () => {
    expect(await answerTo(cleanSession | willQoS1, [mqttString('will-qos-alone')])).toEqual(nothing);
  });

  it('[MQTT-3.1.2-14] closes the connection without a CONNACK when Will QoS is 3', async () => {
    const payload = [mqttString('will-qos-3'), mqttString('will/topic'), mqttString('message')];
    expect(await answerTo(cleanSession | will | willQoS1 | willQoS2, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.2-15] closes the connection without a CONNACK when Will Flag is 0 and Will Retain is 1', async () => {
    expect(await answerTo(cleanSession | willRetain, [mqttString('will-retain-alone')])).toEqual(nothing);
  });

  it('[MQTT-3.1.2-18] closes the connection without a CONNACK when User Name Flag is 0 but a user name follows', async () => {
    expect(await answerTo(cleanSession, [mqttString('user-extra'), mqttString('user')])).toEqual(nothing);
  });

  it('[MQTT-3.1.2-19] closes the connection without a CONNACK when User Name Flag is 1 but no user name follows', async () => {
    expect(await answerTo(cleanSession | userName, [mqttString('user-missing')])).toEqual(nothing);
  });

  it('[MQTT-3.1.2-20] closes the connection without a CONNACK when Password Flag is 0 but a password follows', async () => {
    const payload = [mqttString('password-extra'), mqttString('user'), mqttString('secret')];
    expect(await answerTo(cleanSession | userName, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.2-21] closes the connection without a CONNACK when Password Flag is 1 but no password follows', async () => {
    const payload = [mqttString('password-missing'), mqttString('user')];
    expect(await answerTo(cleanSession | userName | password, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.2-22] closes the connection without a CONNACK when Password Flag is 1 and User Name Flag is 0', async () => {
    const payload = [mqttString('password-alone'), mqttString('secret')];
    expect(await answerTo(cleanSession | password, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.3-3] closes the connection without a CONNACK when the payload has no ClientId', async () => {
    expect(await answerTo(cleanSession, [])).toEqual(nothing);
  });

  it('[MQTT-3.1.3-4] closes the connection without a CONNACK when the ClientId is not UTF-8', async () => {
    // A lone continuation byte.
    expect(await answerTo(cleanSession, [mqttString(Buffer.from([0x61, 0x80]))])).toEqual(nothing);
  });

  it('[MQTT-3.1.3-10] closes the connection without a CONNACK when the Will Topic is not UTF-8', async () => {
    const payload = [
      mqttString('will-topic-utf8'),
      mqttString(Buffer.from([0x77, 0xed, 0xbf, 0xbf])),
      mqttString('message'),
    ];
    expect(await answerTo(cleanSession | will, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.3-11] closes the connection without a CONNACK when the User Name is not UTF-8', async () => {
    const payload = [
      mqttString('user-name-utf8'),
      mqttString(Buffer.from([0x75, 0xf8, 0x88, 0x80, 0x80, 0x80])),
    ];
    expect(await answerTo(cleanSession | userName, payload)).toEqual(nothing);
  });

  it('[MQTT-3.1.4-1] closes the connection without a CONNACK on a CONNECT whose fixed-header flags are not 0000', async () => {
    const received = await sendUntilClosed(running.port, [
      connectBytes({ firstByte: 0x12, flags: cleanSession, payload: [mqttString('connect-flags')] }),
    ]);
    expect(received).toEqual(nothing);
  });

  it('[MQTT-3.1.4-1] closes the connection without a CONNACK on a CONNECT that ends inside its variable header', async () => {
    // Protocol name, level and flags, but the remaining length stops before Keep Alive.
    const received = await sendUntilClosed(running.port, [
      frame(0x10, [...mqttString('MQTT'), 4, cleanSession]),
    ]);
    expect(received).toEqual(nothing);
  });

  it('[MQTT-3.1.4-1] accepts the same CONNECT once it conforms (control for the cases above)', async () => {
    const bytes = connectBytes({
      flags: cleanSession | will | willQoS1 | userName | password,
      payload: [
        mqttString('conforming'),
        mqttString('will/topic'),
        mqttString('message'),
        mqttString('user'),
        mqttString('secret'),
      ],
    });
    expect(bytes).toEqual(
      Buffer.from(
        encode(
          {
            ...connectPacket('conforming', 4),
            will: { topic: 'will/topic', payload: Buffer.from('message'), qos: 1, retain: false },
            username: 'user',
            password: Buffer.from('secret'),
          },
          4,
        ),
      ),
    );
    const raw = await openRawConnection(running.port, 4);
    raw.send(bytes);
    await raw.next('connack');
    await leave(raw);
    expect(raw.received()).toEqual(connackAccepted);
  });
});
