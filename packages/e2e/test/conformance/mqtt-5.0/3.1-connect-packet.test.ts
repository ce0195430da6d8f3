// MQTT 5.0 section 3.1, the CONNECT packet itself: the broker accepts only a well-formed first
// CONNECT (protocol name and version, flags matching the payload, UTF-8 fields), refuses the rest
// without accepting them, and processes nothing a refused client sent behind its CONNECT.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { AuthenticateContext, AuthenticationDecision, Hook } from '@mqttkit/contracts';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { allowEveryone } from '../support/hooks.js';
import {
  connectBytes,
  connectRaw,
  disconnectBytes,
  fence,
  leave,
  misbehave,
  sendUntilClosed,
  subscribe,
  subscription,
  ConnectFlag,
} from '../support/raw-client.js';
import type { ConnectBytesOptions } from '../support/raw-client.js';

const seen = new Map<string, { username?: string; password?: string }>();

/** Refuses user "denied", runs a two-round exchange for method "echo", defers everything else. */
const gate: Hook = {
  name: 'gate',
  authenticate(context: AuthenticateContext): AuthenticationDecision {
    seen.set(context.client.clientId, {
      ...(context.client.username === undefined ? {} : { username: context.client.username }),
      ...(context.password === undefined ? {} : { password: Buffer.from(context.password).toString() }),
    });
    if (context.client.username === 'denied') return { deny: ReasonCode.BadUserNameOrPassword };
    if (context.authenticationMethod === 'echo') {
      return context.round === 0 ? { continue: true, authenticationData: Buffer.from('challenge') } : 'allow';
    }
    return 'defer';
  },
};

const running = brokerForFile({ hooks: [gate, allowEveryone()] });
const strict = brokerForFile({ capabilities: { allowEmptyClientId: false } });

const {
  cleanSession: clean,
  will: willFlag,
  willQoS1,
  willRetain,
  password: passwordFlag,
  userName: usernameFlag,
} = ConnectFlag;

/** An MQTT 5 CONNECT built byte by byte (keep alive 0, no properties unless given). */
const connect5Bytes = (options: ConnectBytesOptions): Buffer =>
  connectBytes({ protocolLevel: 5, properties: [], ...options });

/** An accepting CONNACK among the packets of a refused connection would be a failure. */
async function expectRefusedWithoutAccepting(
  bytes: Uint8Array,
  allowed: readonly Buffer[] = [],
): Promise<void> {
  const received = await sendUntilClosed(running.port, [bytes]);
  // Closing at once, or a CONNACK with a failure code first, are the refusals the spec allows.
  expect([Buffer.alloc(0), ...allowed]).toContainEqual(received);
}

const connackBytes = (reasonCode: number): Buffer =>
  Buffer.from(encode({ type: 'connack', sessionPresent: false, reasonCode }, 5));
const malformedConnack = connackBytes(ReasonCode.MalformedPacket);
const protocolErrorConnack = connackBytes(ReasonCode.ProtocolError);

describe('MQTT 5.0 section 3.1 CONNECT: the first packet', () => {
  it('[MQTT-3.1.0-1] closes without a byte a connection whose first packet is PUBLISH, SUBSCRIBE or PINGREQ', async () => {
    const firsts = [
      frame(0x30, [...mqttString('early'), 0, 0x78]),
      frame(0x82, [0, 1, 0, ...mqttString('early'), 0]),
      frame(0xc0, []),
    ];
    const received = await Promise.all(firsts.map((bytes) => sendUntilClosed(running.port, [bytes])));
    expect(received).toEqual([Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)]);
  });

  it('[MQTT-3.1.0-2] answers a second CONNECT on the same connection with DISCONNECT 0x82 and closes', async () => {
    const received = await misbehave(running.port, 'twice', [encode(connectPacket('twice', 5), 5)]);
    expect(received).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: protocol name, version and flags', () => {
  it('[MQTT-3.1.2-1] closes a connection whose protocol name is not "MQTT", at most answering CONNACK Unsupported Protocol Version first', async () => {
    for (const name of ['MQTX', 'mqtt', 'MQTT5']) {
      await expectRefusedWithoutAccepting(
        connect5Bytes({ protocolName: name, flags: clean, payload: [mqttString('name')] }),
        [
          connackBytes(ReasonCode.UnsupportedProtocolVersion),
          // The 3.1.1 form (return code 1): the client's version cannot be known from a foreign name.
          Buffer.from([0x20, 2, 0, 1]),
        ],
      );
    }
  });

  it('[MQTT-3.1.2-2] answers protocol version 6 with CONNACK Unsupported Protocol Version and closes', async () => {
    const received = await sendUntilClosed(running.port, [
      connect5Bytes({ protocolLevel: 6, flags: clean, payload: [mqttString('level-6')] }),
    ]);
    // 0x84 in the MQTT 5 form, or return code 1 in the 3.1.1 form that every version can read.
    expect([
      connackBytes(ReasonCode.UnsupportedProtocolVersion),
      Buffer.from([0x20, 2, 0, 1]),
    ]).toContainEqual(received);
  });

  it('[MQTT-3.1.2-3] closes a connection whose CONNECT sets the reserved flag bit, without accepting it', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | 0x01, payload: [mqttString('reserved')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-9] closes a connection whose CONNECT sets the Will Flag but ends after the client id', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | willFlag, payload: [mqttString('no-will')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-9] closes a connection whose CONNECT has Will Properties and Will Topic but no Will Payload', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({
        flags: clean | willFlag,
        payload: [mqttString('half-will'), [0], mqttString('will/topic')],
      }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-11] closes a connection whose CONNECT sets Will QoS 1 without the Will Flag', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | willQoS1, payload: [mqttString('qos-no-will')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-12] closes a connection whose CONNECT asks for Will QoS 3', async () => {
    const will = [[0], mqttString('will/topic'), mqttString('gone')];
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | willFlag | 0x18, payload: [mqttString('will-qos-3'), ...will] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-13] closes a connection whose CONNECT sets Will Retain without the Will Flag', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | willRetain, payload: [mqttString('retain-no-will')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-16] closes a connection whose CONNECT has no User Name Flag but a User Name after the client id', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean, payload: [mqttString('stray-user'), mqttString('user')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-17] closes a connection whose CONNECT sets the User Name Flag but has no User Name', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | usernameFlag, payload: [mqttString('missing-user')] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-18] closes a connection whose CONNECT has no Password Flag but a Password after the User Name', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({
        flags: clean | usernameFlag,
        payload: [mqttString('stray-password'), mqttString('user'), mqttString('secret')],
      }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-19] closes a connection whose CONNECT sets the Password Flag but has no Password', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({
        flags: clean | usernameFlag | passwordFlag,
        payload: [mqttString('missing-password'), mqttString('user')],
      }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.2-17] [MQTT-3.1.2-19] reads the User Name and Password the flags announce, a Password without a User Name included', async () => {
    const both = await sendConnect(
      connect5Bytes({
        flags: clean | usernameFlag | passwordFlag,
        payload: [mqttString('credentials'), mqttString('user'), mqttString('secret')],
      }),
    );
    const passwordOnly = await sendConnect(
      connect5Bytes({
        flags: clean | passwordFlag,
        payload: [mqttString('password-only'), mqttString('token')],
      }),
    );
    expect([both, passwordOnly]).toEqual([0, 0]);
    expect(seen.get('credentials')).toEqual({ username: 'user', password: 'secret' });
    expect(seen.get('password-only')).toEqual({ password: 'token' });
  });
});

/** Sends CONNECT bytes and resolves with the CONNACK reason code, then disconnects. */
async function sendConnect(bytes: Uint8Array): Promise<number> {
  const raw = await openRawConnection(running.port, 5);
  raw.send(bytes);
  const connack = await raw.next('connack');
  if (connack.reasonCode === 0) await leave(raw);
  else await raw.closed;
  return connack.reasonCode;
}

describe('MQTT 5.0 section 3.1 CONNECT: payload', () => {
  it('[MQTT-3.1.3-3] closes a connection whose CONNECT has no payload, not even a client id', async () => {
    await expectRefusedWithoutAccepting(connect5Bytes({ flags: clean, payload: [] }), [malformedConnack]);
  });

  it('[MQTT-3.1.3-4] closes a connection whose client id is not a valid UTF-8 Encoded String (U+0000, lone byte C3)', async () => {
    await expectRefusedWithoutAccepting(connect5Bytes({ flags: clean, payload: [mqttString('a\u0000b')] }), [
      malformedConnack,
    ]);
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean, payload: [mqttString(Uint8Array.from([0x61, 0xc3]))] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.3-5] accepts client ids of 1 to 23 bytes made of 0-9, a-z and A-Z', async () => {
    const ids = ['a', 'Z', '7', '0123456789abcdefghijKLM', 'ABCDEFGHIJKLMNOPQRSTUVW'];
    const codes = [];
    for (const clientId of ids) {
      const { raw, connack } = await connectRaw(running.port, 5, clientId);
      codes.push(connack.reasonCode);
      await leave(raw);
    }
    expect(codes).toEqual([0, 0, 0, 0, 0]);
  });

  it('[MQTT-3.1.3-8] refuses a client id it does not allow (here the empty one) with CONNACK 0x85 and closes', async () => {
    const raw = await openRawConnection(strict.port, 5);
    raw.send(connectPacket('', 5));
    await raw.closed;
    expect(raw.received()).toEqual(connackBytes(ReasonCode.ClientIdentifierNotValid));
  });

  it('[MQTT-3.1.3-11] closes a connection whose Will Topic is not well-formed UTF-8, without accepting it', async () => {
    const will = [[0], mqttString(Uint8Array.from([0x77, 0xed, 0xa0, 0x80])), mqttString('gone')];
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean | willFlag, payload: [mqttString('bad-will-topic'), ...will] }),
      [malformedConnack],
    );
  });

  it('[MQTT-3.1.3-12] closes a connection whose User Name is not well-formed UTF-8, without accepting it', async () => {
    await expectRefusedWithoutAccepting(
      connect5Bytes({
        flags: clean | usernameFlag,
        payload: [mqttString('bad-user'), mqttString(Uint8Array.from([0x75, 0xff]))],
      }),
      [malformedConnack],
    );
  });
});

describe('MQTT 5.0 section 3.1 CONNECT: actions', () => {
  it('[MQTT-3.1.4-1] closes a connection whose CONNECT breaks section 3.1: a repeated property, Receive Maximum 0', async () => {
    // Session Expiry Interval (0x11) twice.
    await expectRefusedWithoutAccepting(
      connect5Bytes({
        flags: clean,
        properties: [0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2],
        payload: [mqttString('twice-expiry')],
      }),
      [protocolErrorConnack, malformedConnack],
    );
    // Receive Maximum (0x21) = 0.
    await expectRefusedWithoutAccepting(
      connect5Bytes({ flags: clean, properties: [0x21, 0, 0], payload: [mqttString('receive-zero')] }),
      [protocolErrorConnack, malformedConnack],
    );
  });

  it('[MQTT-3.1.4-2] refuses a client its authentication hook denies with CONNACK 0x86 and closes', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('refused', 5), username: 'denied', password: Buffer.from('x') });
    await raw.closed;
    expect(raw.received()).toEqual(connackBytes(ReasonCode.BadUserNameOrPassword));
  });

  it('[MQTT-3.1.4-2] [MQTT-3.1.4-3] leaves the connection of a client id alone when a CONNECT for the same id fails authentication', async () => {
    const current = await connectRaw(running.port, 5, 'kept-connection');
    const received = await sendUntilClosed(running.port, [
      encode({ ...connectPacket('kept-connection', 5), username: 'denied' }, 5),
    ]);
    expect(received).toEqual(connackBytes(ReasonCode.BadUserNameOrPassword));
    await fence(current.raw);
    expect(current.raw.packets.map((packet) => packet.type)).toEqual(['connack', 'pingresp']);
    await leave(current.raw);
  });

  it('[MQTT-3.1.4-5] acknowledges an accepted CONNECT with CONNACK reason code 0x00', async () => {
    const { raw, connack } = await connectRaw(running.port, 5, 'accepted');
    expect(connack.reasonCode).toBe(ReasonCode.Success);
    await leave(raw);
  });

  it('[MQTT-3.1.4-6] processes nothing a refused client sent behind its CONNECT', async () => {
    const watcher = await connectRaw(running.port, 5, 'refusal-watcher');
    await subscribe(watcher.raw, [subscription('refused/#', 1)], { packetId: 1 });
    const raw = await openRawConnection(running.port, 5);
    raw.socket.write(
      Buffer.concat([
        encode({ ...connectPacket('refused-sender', 5), username: 'denied' }, 5),
        encode(
          {
            type: 'publish',
            topic: 'refused/qos0',
            payload: Buffer.from('x'),
            qos: 0,
            retain: false,
            dup: false,
          },
          5,
        ),
        encode(
          {
            type: 'publish',
            topic: 'refused/qos1',
            payload: Buffer.from('y'),
            qos: 1,
            retain: true,
            dup: false,
            packetId: 1,
          },
          5,
        ),
        encode({ type: 'subscribe', packetId: 2, subscriptions: [subscription('refused/#', 0)] }, 5),
        encode({ type: 'pingreq' }, 5),
      ]),
    );
    await raw.closed;
    expect(raw.received()).toEqual(connackBytes(ReasonCode.BadUserNameOrPassword));
    // Nothing was published, not even retained: a later subscriber gets no retained message.
    const late = await connectRaw(running.port, 5, 'refusal-late');
    await subscribe(late.raw, [subscription('refused/#', 1)], { packetId: 1 });
    await fence(late.raw);
    await fence(watcher.raw);
    expect(
      [...watcher.raw.packets, ...late.raw.packets].filter((packet) => packet.type === 'publish'),
    ).toEqual([]);
    await leave(watcher.raw);
    await leave(late.raw);
  });

  it('[MQTT-3.1.2-30] refuses with CONNACK 0x82 a client that sends PUBLISH instead of AUTH during enhanced authentication, and processes the PUBLISH not', async () => {
    const watcher = await connectRaw(running.port, 5, 'auth-watcher');
    await subscribe(watcher.raw, [subscription('auth/#', 0)], { packetId: 1 });
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('auth-rushed', 5), properties: { authenticationMethod: 'echo' } });
    const challenge = await raw.next('auth');
    expect(challenge.reasonCode).toBe(ReasonCode.ContinueAuthentication);
    raw.send({
      type: 'publish',
      topic: 'auth/early',
      payload: Buffer.from('x'),
      qos: 0,
      retain: false,
      dup: false,
    });
    await raw.closed;
    expect(
      raw.packets.map((packet) => [packet.type, 'reasonCode' in packet ? packet.reasonCode : undefined]),
    ).toEqual([
      ['auth', ReasonCode.ContinueAuthentication],
      ['connack', ReasonCode.ProtocolError],
    ]);
    await fence(watcher.raw);
    expect(watcher.raw.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    // The same exchange answered with AUTH is accepted.
    const patient = await openRawConnection(running.port, 5);
    patient.send({ ...connectPacket('auth-patient', 5), properties: { authenticationMethod: 'echo' } });
    await patient.next('auth');
    patient.send({
      type: 'auth',
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: { authenticationMethod: 'echo', authenticationData: Buffer.from('response') },
    });
    expect((await patient.next('connack')).reasonCode).toBe(ReasonCode.Success);
    await leave(patient);
    await leave(watcher.raw);
  });
});
