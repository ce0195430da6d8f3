// CONNECT and SUBSCRIBE outcomes seen by real and raw clients: protocol versions, client ids,
// refused topic filters and the limits a broker announces (Maximum QoS, Retain Available).
import { afterEach, describe, expect, it } from 'vitest';
import { acl, allowAll, staticUsers } from '@mqttkit/auth';
import { encode, ReasonCode } from '@mqttkit/codec';
import { inbox } from './support/inbox.js';
import { connectPacket, frame, mqttString, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

describe('connect', () => {
  it('[MQTT-3.1.2-2] answers an unsupported protocol level with CONNACK 0x01 and closes', async () => {
    running = await startBroker();
    const raw = await openRawConnection(running.port, 4);
    // CONNECT "MQTT" level 6, clean session, keep alive 0, client id "x".
    raw.send(frame(0x10, [...mqttString('MQTT'), 6, 0x02, 0, 0, ...mqttString('x')]));
    await raw.closed;
    expect(raw.received()).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x01]));
  });

  it('serves packets sent right behind CONNECT, also while asynchronous hooks decide on the will', async () => {
    const later = <T>(value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), 5));
    running = await startBroker({
      hooks: [
        {
          name: 'slow-but-willing',
          authenticate: () => later('allow'),
          authorizePublish: () => later('allow'),
          authorizeSubscribe: () => later('allow'),
        },
      ],
    });
    for (const protocolVersion of [4, 5] as const) {
      const raw = await openRawConnection(running.port, protocolVersion);
      const connect = {
        ...connectPacket(`eager-${protocolVersion}`, protocolVersion),
        will: { topic: 'eager/will', payload: Buffer.from('x'), qos: 1 as const, retain: false },
      };
      // Clients need not wait for CONNACK: everything goes out in one write.
      raw.send(
        Buffer.concat([
          encode(connect, protocolVersion),
          encode(
            {
              type: 'subscribe',
              packetId: 1,
              subscriptions: [
                { topicFilter: 'eager', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
              ],
            },
            protocolVersion,
          ),
          encode(
            {
              type: 'publish',
              topic: 'eager',
              payload: Buffer.from('hello'),
              qos: 1,
              retain: false,
              dup: false,
              packetId: 2,
            },
            protocolVersion,
          ),
          encode({ type: 'pingreq' }, protocolVersion),
        ]),
      );
      await raw.next('pingresp');
      expect(raw.packets[0]).toMatchObject({ type: 'connack', reasonCode: 0 });
      expect(raw.packets.map((packet) => packet.type).sort()).toEqual([
        'connack',
        'pingresp',
        'puback',
        'publish',
        'suback',
      ]);
      raw.socket.end(encode({ type: 'disconnect', reasonCode: 0 }, protocolVersion));
      await raw.closed;
    }
  });

  it('serves an MQTT 3.1 (MQIsdp) client from MQTT.js', async () => {
    running = await startBroker();
    const client = await running.client({ protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'old-timer' });
    const received = inbox(client);
    await client.subscribeAsync('legacy/#', { qos: 2 });
    const modern = await running.client({ protocolVersion: 5 });
    await modern.publishAsync('legacy/news', 'still works', { qos: 2 });
    const [message] = await received.next(1);
    expect([message!.topic, message!.payload, message!.packet.qos]).toEqual([
      'legacy/news',
      'still works',
      2,
    ]);
  });

  it('[MQTT-3.1.3-8] refuses an empty client id with Clean Session 0 (3.1.1) with CONNACK 0x02', async () => {
    running = await startBroker();
    const raw = await openRawConnection(running.port, 4);
    raw.send({ ...connectPacket('', 4), clean: false });
    await raw.closed;
    expect(raw.received()).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x02]));
  });

  it('[MQTT-3.1.3-6] [MQTT-3.1.3-7] assigns an MQTT 5 client with an empty client id a unique one and returns it', async () => {
    running = await startBroker();
    const ids = new Set<string>();
    for (let index = 0; index < 2; index += 1) {
      const raw = await openRawConnection(running.port, 5);
      raw.send(connectPacket('', 5));
      const connack = await raw.next('connack');
      expect(connack.reasonCode).toBe(0);
      ids.add(connack.properties!.assignedClientIdentifier!);
      raw.socket.end(encode({ type: 'disconnect', reasonCode: 0 }, 5));
      await raw.closed;
    }
    expect(ids.size).toBe(2);
  });
});

describe('admission', () => {
  it('[MQTT-3.1.4-2] authenticates with @mqttkit/auth: a wrong password gets CONNACK 0x86 (5.0) or return code 4 (3.1.1)', async () => {
    running = await startBroker({
      hooks: [
        staticUsers({ users: { alice: 'wonderland' }, allowPlaintext: true }),
        allowAll({ logger: { warn: () => {} } }),
      ],
    });
    const alice = await running.client({ protocolVersion: 5, username: 'alice', password: 'wonderland' });
    expect(alice.connected).toBe(true);
    await expect(
      running.client({ protocolVersion: 5, username: 'alice', password: 'rabbit' }),
    ).rejects.toMatchObject({ code: ReasonCode.BadUserNameOrPassword });
    await expect(
      running.client({ protocolVersion: 4, username: 'alice', password: 'rabbit' }),
    ).rejects.toMatchObject({ code: 4 });
  });

  it('[MQTT-3.3.5-2] authorizes with an @mqttkit/auth ACL: SUBACK 0x87 or 0x80, PUBACK 0x87 for 5.0, a plain PUBACK and no delivery for 3.1.1', async () => {
    const rules = acl({
      everyone: [
        { access: 'readwrite', filter: 'public/#' },
        { access: 'write', filter: 'inbox/%c' },
      ],
    });
    running = await startBroker({ hooks: [{ name: 'anyone', authenticate: () => 'allow' }, rules] });
    // MQTT.js rejects a SUBACK with a failure code in MQTT 5; the error carries the packet.
    const granted = (subscribing: Promise<{ qos: number }[]>): Promise<unknown> =>
      subscribing.then(
        (grants) => grants.map((grant) => grant.qos),
        (error: { packet: { granted: number[] } }) => error.packet.granted,
      );
    const reader = await running.client({ protocolVersion: 5, clientId: 'reader' });
    const received = inbox(reader);
    expect(await granted(reader.subscribeAsync({ 'public/#': { qos: 1 }, 'private/#': { qos: 1 } }))).toEqual(
      [1, ReasonCode.NotAuthorized],
    );
    const old = await running.client({ protocolVersion: 4, clientId: 'old' });
    expect(await granted(old.subscribeAsync('private/#', { qos: 1 }))).toEqual([0x80]);
    await expect(reader.publishAsync('private/x', 'no', { qos: 1 })).rejects.toMatchObject({
      code: ReasonCode.NotAuthorized,
    });
    await old.publishAsync('private/y', 'dropped', { qos: 1 });
    await old.publishAsync('public/z', 'allowed', { qos: 1 });
    expect((await received.next(1)).map((message) => message.topic)).toEqual(['public/z']);
    expect(received.messages).toHaveLength(1);
  });

  it('refuses connections beyond maximumConnections with CONNACK 0x97 (5.0) or 3 (3.1.1)', async () => {
    running = await startBroker({ capabilities: { maximumConnections: 1 } });
    await running.client({ protocolVersion: 5 });
    for (const protocolVersion of [4, 5] as const) {
      const raw = await openRawConnection(running.port, protocolVersion);
      raw.send(connectPacket(`over-${protocolVersion}`, protocolVersion));
      await raw.closed;
      expect(raw.packets).toMatchObject([
        {
          type: 'connack',
          sessionPresent: false,
          reasonCode: protocolVersion === 5 ? ReasonCode.QuotaExceeded : ReasonCode.ServerUnavailable,
        },
      ]);
    }
  });

  it('refuses a client whose authentication outlasts authenticationTimeout', async () => {
    running = await startBroker({
      capabilities: { authenticationTimeout: 100 },
      hooks: [{ name: 'never-answers', authenticate: () => new Promise(() => {}) }],
    });
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('patient', 5));
    await raw.closed;
    expect(raw.packets).toEqual([
      { type: 'connack', sessionPresent: false, reasonCode: ReasonCode.ServerUnavailable },
    ]);
  });
});

describe('subscribe', () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`[MQTT-3.9.3-1] answers invalid filters with a failure code in their place and keeps the connection (MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'})`, async () => {
      running = await startBroker();
      const raw = await openRawConnection(running.port, protocolVersion);
      raw.send(connectPacket(`filters-${protocolVersion}`, protocolVersion));
      await raw.next('connack');
      // Written by hand: MQTT.js and the codec refuse to send invalid filters.
      const filters = [
        ['good/#', 1],
        ['bad/#/x', 1],
        ['also+bad', 0],
        ['fine/+', 2],
      ] as const;
      const body = [
        0,
        1,
        ...(protocolVersion === 5 ? [0] : []),
        ...filters.flatMap(([filter, qos]) => [...mqttString(filter), qos]),
      ];
      raw.send(frame(0x82, body));
      const failure = protocolVersion === 5 ? ReasonCode.TopicFilterInvalid : 0x80;
      expect((await raw.next('suback')).reasonCodes).toEqual([1, failure, failure, 2]);
      raw.send({
        type: 'publish',
        topic: 'good/x',
        payload: Buffer.from('still connected'),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 5,
      });
      const [puback, delivered] = await Promise.all([raw.next('puback'), raw.next('publish')]);
      expect(puback.packetId).toBe(5);
      expect(Buffer.from(delivered.payload).toString()).toBe('still connected');
      raw.socket.end();
      await raw.closed;
    });
  }

  it('[MQTT-3.11.3-1] answers UNSUBSCRIBE with 0x00 and 0x11 (No subscription existed) per filter', async () => {
    running = await startBroker();
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('unsubscriber', 5));
    await raw.next('connack');
    raw.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'mine', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await raw.next('suback');
    raw.send({ type: 'unsubscribe', packetId: 2, topicFilters: ['never', 'mine'] });
    const unsuback = await raw.next('unsuback');
    expect(unsuback).toMatchObject({
      packetId: 2,
      reasonCodes: [ReasonCode.NoSubscriptionExisted, ReasonCode.Success],
    });
    raw.socket.end(encode({ type: 'disconnect', reasonCode: 0 }, 5));
    await raw.closed;
  });
});

describe('announced limits', () => {
  it('[MQTT-3.2.2-9] [MQTT-3.2.2-10] announces Maximum QoS 1, grants at most 1, and closes an MQTT 5 client publishing at QoS 2 with 0x9B', async () => {
    running = await startBroker({ capabilities: { maximumQoS: 1 } });
    const client = await running.client({ protocolVersion: 5 });
    expect(await client.subscribeAsync('limited/#', { qos: 2 })).toMatchObject([{ qos: 1 }]);
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('over-qos', 5));
    const connack = await raw.next('connack');
    expect(connack.properties?.maximumQoS).toBe(1);
    raw.send({
      type: 'publish',
      topic: 'limited/x',
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 1,
    });
    const disconnect = await raw.next('disconnect');
    expect(disconnect.reasonCode).toBe(ReasonCode.QoSNotSupported);
    await raw.closed;
  });

  it('[MQTT-3.2.2-12] refuses a will above the Maximum QoS with CONNACK 0x9B', async () => {
    running = await startBroker({ capabilities: { maximumQoS: 0 } });
    const raw = await openRawConnection(running.port, 5);
    raw.send({
      ...connectPacket('will-qos', 5),
      will: { topic: 'w', payload: Buffer.from('x'), qos: 1, retain: false },
    });
    const connack = await raw.next('connack');
    expect(connack.reasonCode).toBe(ReasonCode.QoSNotSupported);
    await raw.closed;
  });

  it('[MQTT-3.2.2-13] [MQTT-3.2.2-14] announces Retain Available 0, refuses a retained will with 0x9A and closes a client publishing retained with 0x9A', async () => {
    running = await startBroker({ capabilities: { retainAvailable: false } });
    const willRaw = await openRawConnection(running.port, 5);
    willRaw.send({
      ...connectPacket('retained-will', 5),
      will: { topic: 'w', payload: Buffer.from('x'), qos: 0, retain: true },
    });
    expect((await willRaw.next('connack')).reasonCode).toBe(ReasonCode.RetainNotSupported);
    await willRaw.closed;
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('retainer', 5));
    const connack = await raw.next('connack');
    expect(connack.properties?.retainAvailable).toBe(false);
    raw.send({ type: 'publish', topic: 'kept', payload: Buffer.from('x'), qos: 0, retain: true, dup: false });
    expect((await raw.next('disconnect')).reasonCode).toBe(ReasonCode.RetainNotSupported);
    await raw.closed;
  });
});
