// MQTT 5.0 section 3.2, CONNACK: sent first and once, Session Present and the reason code, the
// capabilities it announces, and the broker holding clients to them.
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Connack, Connect, Will } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import type { RunningBroker } from '../../support/start-broker.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  connectRaw,
  disconnectBytes,
  drop,
  leave,
  misbehave,
  splitFrames,
  subscribe,
  subscription,
  publishPacket,
} from '../support/raw-client.js';

/** Refuses user "denied" (0x86) and publishing, wills included, under `forbidden/` (0x87). */
const gate: Hook = {
  name: 'gate',
  authenticate: ({ client }) =>
    client.username === 'denied'
      ? { deny: ReasonCode.BadUserNameOrPassword }
      : client.username === 'taken'
        ? // A failure code CONNACK does not define: the broker must not pass it on as it is.
          { deny: ReasonCode.SessionTakenOver }
        : 'defer',
  authorizePublish: ({ topic }) =>
    topic.startsWith('forbidden/') ? { deny: ReasonCode.NotAuthorized } : 'defer',
};
const hooks = [gate, allowAll({ logger: { warn: () => {} } })];

const running = brokerForFile({ hooks, capabilities: { topicAliasMaximum: 2 } });
const limited = brokerForFile({
  capabilities: { maximumQoS: 1, retainAvailable: false, topicAliasMaximum: 0, maximumPacketSize: 256 },
});
const qos0 = brokerForFile({ capabilities: { maximumQoS: 0 } });

/** Sends a CONNECT and resolves with the CONNACK and everything the broker sent, once it closed the connection. */
async function refused(
  broker: RunningBroker,
  connect: Connect,
): Promise<{ connack: Connack; received: Buffer }> {
  const raw = await openRawConnection(broker.port, 5);
  raw.send(connect);
  const connack = await raw.next('connack');
  await raw.closed;
  return { connack, received: raw.received() };
}

const connackBytes = (reasonCode: number): Buffer =>
  Buffer.from(encode({ type: 'connack', sessionPresent: false, reasonCode }, 5));

const keep = { clean: false, properties: { sessionExpiryInterval: 60 } } as const;
const will = (topic: string, overrides: Partial<Will> = {}): Will => ({
  topic,
  payload: Buffer.from('gone'),
  qos: 0,
  retain: false,
  ...overrides,
});

describe('MQTT 5.0 section 3.2 CONNACK: when it is sent', () => {
  it('[MQTT-3.2.0-1] sends CONNACK before anything else, also when packets follow CONNECT at once and a session with queued messages resumes', async () => {
    const first = await connectRaw(running.port, 5, 'connack-first', keep);
    await subscribe(first.raw, [subscription('first/#', 1)], { packetId: 1 });
    await leave(first.raw);
    const publisher = await connectRaw(running.port, 5, 'connack-first-publisher');
    publisher.raw.send({
      type: 'publish',
      topic: 'first/retained',
      payload: Buffer.from('r'),
      qos: 1,
      retain: true,
      dup: false,
      packetId: 1,
    });
    await publisher.raw.next('puback');
    await leave(publisher.raw);
    const raw = await openRawConnection(running.port, 5);
    raw.socket.write(
      Buffer.concat([
        encode({ ...connectPacket('connack-first', 5), ...keep }, 5),
        encode({ type: 'subscribe', packetId: 2, subscriptions: [subscription('first/#', 1)] }, 5),
        encode({ type: 'pingreq' }, 5),
      ]),
    );
    await raw.next('pingresp');
    const types = raw.packets.map((packet) => packet.type);
    expect(types[0]).toBe('connack');
    // The queued message, the SUBACK, the retained message and the PINGRESP all came after it.
    expect(types).toEqual(expect.arrayContaining(['publish', 'suback', 'pingresp']));
    for (const packet of raw.packets)
      if (packet.type === 'publish') raw.send({ type: 'puback', packetId: packet.packetId! });
    raw.send({
      type: 'publish',
      topic: 'first/retained',
      payload: Buffer.alloc(0),
      qos: 0,
      retain: true,
      dup: false,
    });
    await leave(raw);
  });

  it('[MQTT-3.2.0-2] sends at most one CONNACK on a connection: a second CONNECT gets DISCONNECT 0x82 instead', async () => {
    const { raw } = await connectRaw(running.port, 5, 'connack-once');
    raw.send(connectPacket('connack-once', 5));
    await raw.closed;
    expect(raw.packets.map((packet) => packet.type)).toEqual(['connack', 'disconnect']);
    expect(splitFrames(raw.received()).at(-1)).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });
});

describe('MQTT 5.0 section 3.2 CONNACK: flags and reason code', () => {
  it('[MQTT-3.2.2-1] sends the Connect Acknowledge Flags with bits 7 to 1 clear, with and without a session and when refusing', async () => {
    const fresh = await connectRaw(running.port, 5, 'flags-byte', keep);
    await leave(fresh.raw);
    const resumed = await connectRaw(running.port, 5, 'flags-byte', keep);
    await leave(resumed.raw);
    const refusal = await refused(running, { ...connectPacket('flags-byte-refused', 5), username: 'denied' });
    const flagBytes = [fresh.raw.received()[2], resumed.raw.received()[2], refusal.received[2]];
    expect(flagBytes).toEqual([0x00, 0x01, 0x00]);
  });

  it('[MQTT-3.2.2-2] answers Clean Start 1 with Session Present 0 and reason code 0x00, even when a session existed', async () => {
    const first = await connectRaw(running.port, 5, 'clean-one', keep);
    await leave(first.raw);
    const again = await connectRaw(running.port, 5, 'clean-one', { ...keep, clean: true });
    expect([again.connack.sessionPresent, again.connack.reasonCode]).toEqual([false, 0]);
    await leave(again.raw);
  });

  it('[MQTT-3.2.2-3] answers Clean Start 0 with Session Present 1 when it holds a session for the client id, else 0, and reason code 0x00 both times', async () => {
    const first = await connectRaw(running.port, 5, 'clean-zero', keep);
    await leave(first.raw);
    const again = await connectRaw(running.port, 5, 'clean-zero', keep);
    expect([
      [first.connack.sessionPresent, first.connack.reasonCode],
      [again.connack.sessionPresent, again.connack.reasonCode],
    ]).toEqual([
      [false, 0],
      [true, 0],
    ]);
    await leave(again.raw);
  });

  it('[MQTT-3.2.2-6] [MQTT-3.2.2-7] sends Session Present 0 with a failure reason code, even for a client id with a session, and then closes', async () => {
    const first = await connectRaw(running.port, 5, 'refused-with-session', keep);
    await leave(first.raw);
    const refusal = await refused(running, {
      ...connectPacket('refused-with-session', 5),
      ...keep,
      username: 'denied',
    });
    expect(refusal.received).toEqual(connackBytes(ReasonCode.BadUserNameOrPassword));
  });

  it('[MQTT-3.2.2-7] closes the connection after every CONNACK with a failure reason code', async () => {
    const outcomes = await Promise.all([
      refused(running, { ...connectPacket('refused-user', 5), username: 'denied' }),
      refused(running, { ...connectPacket('refused-will', 5), will: will('forbidden/will') }),
      refused(limited, { ...connectPacket('refused-will-qos', 5), will: will('w', { qos: 2 }) }),
      refused(limited, { ...connectPacket('refused-will-retain', 5), will: will('w', { retain: true }) }),
    ]);
    // `refused` resolves only once the broker closed: the CONNACK was the last thing sent.
    expect(
      outcomes.map(({ connack, received }) => [connack.reasonCode >= 0x80, splitFrames(received).length]),
    ).toEqual(Array.from({ length: 4 }, () => [true, 1]));
  });

  it('[MQTT-3.2.2-8] uses only the defined Connect Reason Codes', async () => {
    const defined = new Set([
      0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99,
      0x9a, 0x9b, 0x9c, 0x9d, 0x9f,
    ]);
    const accepted = await connectRaw(running.port, 5, 'codes-accepted');
    await leave(accepted.raw);
    const outcomes = await Promise.all([
      refused(running, { ...connectPacket('codes-user', 5), username: 'denied' }),
      refused(running, { ...connectPacket('codes-will', 5), will: will('forbidden/will') }),
      refused(limited, { ...connectPacket('codes-will-qos', 5), will: will('w', { qos: 2 }) }),
      refused(limited, { ...connectPacket('codes-will-retain', 5), will: will('w', { retain: true }) }),
    ]);
    const codes = [accepted.connack.reasonCode, ...outcomes.map((outcome) => outcome.connack.reasonCode)];
    expect(codes.filter((code) => !defined.has(code))).toEqual([]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ReasonCode.Success,
        ReasonCode.BadUserNameOrPassword,
        ReasonCode.NotAuthorized,
        ReasonCode.QoSNotSupported,
        ReasonCode.RetainNotSupported,
      ]),
    );
  });

  it('[MQTT-3.2.2-8] refuses with a defined Connect Reason Code when a hook denies with a code CONNACK does not define', async () => {
    const { connack, received } = await refused(running, {
      ...connectPacket('codes-hook', 5),
      username: 'taken',
    });
    expect(received).toEqual(connackBytes(ReasonCode.UnspecifiedError));
    expect(connack.reasonCode).toBe(ReasonCode.UnspecifiedError);
  });
});

describe('MQTT 5.0 section 3.2 CONNACK: announced capabilities', () => {
  it('[MQTT-3.2.2-9] announces Maximum QoS 1 or 0 when it does not support QoS 2 or 1, and leaves it out when it supports QoS 2', async () => {
    const announced = [];
    for (const broker of [running, limited, qos0]) {
      const { raw, connack } = await connectRaw(broker.port, 5, 'maximum-qos');
      announced.push(connack.properties?.maximumQoS);
      await leave(raw);
    }
    expect(announced).toEqual([undefined, 1, 0]);
  });

  it('[MQTT-3.2.2-10] with a reduced Maximum QoS still accepts SUBSCRIBE at QoS 0, 1 and 2, granting at most its maximum', async () => {
    const granted = [];
    for (const broker of [limited, qos0]) {
      const { raw } = await connectRaw(broker.port, 5, 'reduced-subscriber');
      granted.push(
        (
          await subscribe(raw, [subscription('q/0', 0), subscription('q/1', 1), subscription('q/2', 2)], {
            packetId: 1,
          })
        ).reasonCodes,
      );
      await leave(raw);
    }
    expect(granted).toEqual([
      [0, 1, 1],
      [0, 0, 0],
    ]);
  });

  it('[MQTT-3.2.2-11] answers a PUBLISH above the announced Maximum QoS with DISCONNECT 0x9B', async () => {
    const publish = (qos: 1 | 2) =>
      encode(
        {
          type: 'publish',
          topic: 'too/high',
          payload: Buffer.from('x'),
          qos,
          retain: false,
          dup: false,
          packetId: 1,
        },
        5,
      );
    const received = await Promise.all([
      misbehave(limited.port, 'qos-2-to-1', [publish(2)]),
      misbehave(qos0.port, 'qos-1-to-0', [publish(1)]),
    ]);
    expect(received).toEqual([
      disconnectBytes(ReasonCode.QoSNotSupported),
      disconnectBytes(ReasonCode.QoSNotSupported),
    ]);
  });

  it('[MQTT-3.2.2-12] refuses a Will QoS above its Maximum QoS with CONNACK 0x9B and closes', async () => {
    const outcomes = await Promise.all([
      refused(limited, { ...connectPacket('will-qos-2', 5), will: will('w', { qos: 2 }) }),
      refused(qos0, { ...connectPacket('will-qos-1', 5), will: will('w', { qos: 1 }) }),
    ]);
    expect(outcomes.map(({ received }) => received)).toEqual([
      connackBytes(ReasonCode.QoSNotSupported),
      connackBytes(ReasonCode.QoSNotSupported),
    ]);
  });

  it('[MQTT-3.2.2-13] refuses a retained will when it does not support retain with CONNACK 0x9A and closes', async () => {
    const { received } = await refused(limited, {
      ...connectPacket('will-retained', 5),
      will: will('w', { retain: true }),
    });
    expect(received).toEqual(connackBytes(ReasonCode.RetainNotSupported));
  });

  it('[MQTT-3.2.2-14] announces Retain Available 0 and answers a PUBLISH with RETAIN 1 with DISCONNECT 0x9A', async () => {
    const { raw, connack } = await connectRaw(limited.port, 5, 'retain-publisher');
    expect(connack.properties?.retainAvailable).toBe(false);
    await leave(raw);
    const received = await misbehave(limited.port, 'retain-publisher', [
      encode(
        { type: 'publish', topic: 'kept', payload: Buffer.from('x'), qos: 0, retain: true, dup: false },
        5,
      ),
    ]);
    expect(received).toEqual(disconnectBytes(ReasonCode.RetainNotSupported));
  });

  it('[MQTT-3.2.2-15] announces its Maximum Packet Size and answers a larger packet with DISCONNECT 0x95', async () => {
    const { raw, connack } = await connectRaw(limited.port, 5, 'large-sender');
    expect(connack.properties?.maximumPacketSize).toBe(256);
    await leave(raw);
    // 257 bytes in all: 3 of fixed header and 254 of body (topic 5, property length 1, payload 248).
    const body = [...mqttString('big'), 0, ...Buffer.alloc(248, 0x61)];
    const tooLarge = frame(0x30, body);
    expect(tooLarge.length).toBe(257);
    expect(await misbehave(limited.port, 'large-sender', [tooLarge])).toEqual(
      disconnectBytes(ReasonCode.PacketTooLarge),
    );
  });

  it('[MQTT-3.2.2-16] assigns each empty client id an identifier no other current session uses', async () => {
    const named = await connectRaw(running.port, 5, 'named-session', keep);
    const anonymous = await Promise.all(
      Array.from({ length: 5 }, () => connectRaw(running.port, 5, '', keep)),
    );
    const assigned = anonymous.map(({ connack }) => connack.properties?.assignedClientIdentifier);
    expect(assigned.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set([...assigned, 'named-session']).size).toBe(6);
    // None of them took over another: every connection is still open.
    for (const { raw } of [named, ...anonymous]) await leave(raw);
    expect(
      [named, ...anonymous].every(({ raw }) => !raw.packets.some((packet) => packet.type === 'disconnect')),
    ).toBe(true);
  });

  it('[MQTT-3.2.2-17] answers a Topic Alias above the Topic Alias Maximum it announced with DISCONNECT 0x94', async () => {
    const { raw, connack } = await connectRaw(running.port, 5, 'alias-too-high');
    expect(connack.properties?.topicAliasMaximum).toBe(2);
    await leave(raw);
    const received = await misbehave(running.port, 'alias-too-high', [
      encode(publishPacket('a', 'x', { properties: { topicAlias: 3 } }), 5),
    ]);
    expect(received).toEqual(disconnectBytes(ReasonCode.TopicAliasInvalid));
  });

  it('[MQTT-3.2.2-18] announces no Topic Alias Maximum when it takes no aliases, and answers a Topic Alias with DISCONNECT 0x94', async () => {
    const { raw, connack } = await connectRaw(limited.port, 5, 'alias-none');
    expect(connack.properties?.topicAliasMaximum ?? 0).toBe(0);
    await leave(raw);
    const received = await misbehave(limited.port, 'alias-none', [
      encode(publishPacket('a', 'x', { properties: { topicAlias: 1 } }), 5),
    ]);
    expect(received).toEqual(disconnectBytes(ReasonCode.TopicAliasInvalid));
  });

  it('[MQTT-3.2.2-19] [MQTT-3.2.2-20] sends a client with a small Maximum Packet Size a CONNACK without Reason String or User Properties that fits it', async () => {
    const properties = { maximumPacketSize: 16 };
    const accepted = await connectRaw(running.port, 5, 'small-client', { properties });
    await drop(accepted.raw);
    const refusal = await refused(running, {
      ...connectPacket('small-refused', 5),
      username: 'denied',
      properties,
    });
    for (const [connack, bytes] of [
      [accepted.connack, accepted.raw.received()],
      [refusal.connack, refusal.received],
    ] as const) {
      expect(connack.properties?.reasonString).toBeUndefined();
      expect(connack.properties?.userProperties).toBeUndefined();
      expect(splitFrames(bytes)[0]!.length).toBeLessThanOrEqual(16);
    }
  });
});
