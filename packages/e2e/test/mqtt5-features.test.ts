// MQTT 5 features end to end: properties passed through, topic aliases, shared subscriptions,
// No Local, message expiry, the client's Maximum Packet Size and Receive Maximum.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { brokerTimer } from './support/broker-timer.js';
import { inbox } from './support/inbox.js';
import { connectPacket, frame, mqttString, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

let running: RunningBroker;
beforeEach(async () => {
  running = await startBroker();
});
afterEach(async () => {
  await running.stop();
  expect(running.errors).toEqual([]);
});

describe('MQTT 5 properties', () => {
  it('[MQTT-3.3.2-17] [MQTT-3.3.2-18] forwards User Properties unchanged and in order, repeated names included', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('props/#', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    const userProperties = { zeta: 'last-first', alpha: ['1', '2', '1'], ünïcode: '✓' };
    await publisher.publishAsync('props/user', 'x', { qos: 1, properties: { userProperties } });
    const [message] = await received.next(1);
    expect(message!.packet.properties?.userProperties).toEqual(userProperties);
    expect(Object.keys(message!.packet.properties!.userProperties!)).toEqual(['zeta', 'alpha', 'ünïcode']);
  });

  it('[MQTT-3.3.2-15] [MQTT-3.3.2-16] passes Response Topic and Correlation Data through untouched for request/response', async () => {
    const responder = await running.client({ protocolVersion: 5, clientId: 'responder' });
    await responder.subscribeAsync('service/request', { qos: 1 });
    const answered = new Promise<unknown>((resolve) =>
      responder.on('message', (_topic, payload, packet) => {
        const { responseTopic, correlationData } = packet.properties ?? {};
        resolve(
          responder.publishAsync(responseTopic!, `echo:${payload.toString()}`, {
            qos: 1,
            properties: { correlationData: correlationData! },
          }),
        );
      }),
    );
    const requester = await running.client({ protocolVersion: 5, clientId: 'requester' });
    const replies = inbox(requester);
    await requester.subscribeAsync('replies/requester', { qos: 1 });
    // Correlation data is binary: bytes that are not UTF-8 must come back as they were.
    const correlationData = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x7f]);
    await requester.publishAsync('service/request', 'ping', {
      qos: 1,
      properties: { responseTopic: 'replies/requester', correlationData },
    });
    const [reply] = await replies.next(1);
    expect(reply!.payload).toBe('echo:ping');
    expect(Buffer.from(reply!.packet.properties!.correlationData!)).toEqual(correlationData);
    await answered;
  });

  it('[MQTT-3.3.2-4] [MQTT-3.3.2-20] forwards Payload Format Indicator and Content Type unchanged, also to 3.1.1 subscribers without them', async () => {
    const modern = await running.client({ protocolVersion: 5 });
    const old = await running.client({ protocolVersion: 4 });
    const modernInbox = inbox(modern);
    const oldInbox = inbox(old);
    await modern.subscribeAsync('typed/#', { qos: 1 });
    await old.subscribeAsync('typed/#', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('typed/json', '{"ok":true}', {
      qos: 1,
      properties: { payloadFormatIndicator: true, contentType: 'application/json; charset=utf-8' },
    });
    await publisher.publishAsync('typed/raw', Buffer.from([1, 2, 3]), {
      qos: 1,
      properties: { payloadFormatIndicator: false, contentType: 'application/octet-stream' },
    });
    const [json, raw] = await modernInbox.next(2);
    expect(json!.packet.properties).toMatchObject({
      payloadFormatIndicator: true,
      contentType: 'application/json; charset=utf-8',
    });
    expect(raw!.packet.properties).toMatchObject({ contentType: 'application/octet-stream' });
    expect(raw!.packet.properties?.payloadFormatIndicator).not.toBe(true);
    expect((await oldInbox.next(2)).map((message) => message.payload)).toEqual([
      '{"ok":true}',
      '\u0001\u0002\u0003',
    ]);
  });

  it('[MQTT-3.3.4-3] sends the Subscription Identifier of the matching subscription, and none for a subscription without one', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('ids/with', {
      qos: 1,
      properties: { subscriptionIdentifier: 268_435_455 },
    });
    await subscriber.subscribeAsync('ids/without', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('ids/with', 'a', { qos: 1 });
    await publisher.publishAsync('ids/without', 'b', { qos: 1 });
    const [withId, withoutId] = await received.next(2);
    expect(withId!.packet.properties?.subscriptionIdentifier).toBe(268_435_455);
    expect(withoutId!.packet.properties?.subscriptionIdentifier).toBeUndefined();
  });
});

describe('topic aliases from the client', () => {
  it('[MQTT-3.3.2-12] accepts a Topic Alias set with a topic and then used alone', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('aliased/#', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    expect(publisher.options.properties?.topicAliasMaximum).toBeUndefined();
    await publisher.publishAsync('aliased/long/topic/name', 'first', {
      qos: 1,
      properties: { topicAlias: 1 },
    });
    await publisher.publishAsync('', 'second', { qos: 1, properties: { topicAlias: 1 } });
    await publisher.publishAsync('aliased/other', 'third', { qos: 0, properties: { topicAlias: 1 } });
    await publisher.publishAsync('', 'fourth', { qos: 1, properties: { topicAlias: 1 } });
    const messages = await received.next(4);
    expect(messages.map((message) => [message.topic, message.payload])).toEqual([
      ['aliased/long/topic/name', 'first'],
      ['aliased/long/topic/name', 'second'],
      ['aliased/other', 'third'],
      ['aliased/other', 'fourth'],
    ]);
    // The broker does not pass the publisher's alias on: subscribers get the whole topic.
    expect(messages.every((message) => message.packet.properties?.topicAlias === undefined)).toBe(true);
  });

  it('[MQTT-3.3.2-7] does not carry a Topic Alias over to a new connection (DISCONNECT 0x82)', async () => {
    const first = await running.client({ protocolVersion: 5, clientId: 'alias-user' });
    await first.publishAsync('aliases/x', 'x', { qos: 1, properties: { topicAlias: 3 } });
    await first.endAsync();
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('alias-user', 5));
    await raw.next('connack');
    raw.send({
      type: 'publish',
      topic: '',
      payload: Buffer.from('lost'),
      qos: 0,
      retain: false,
      dup: false,
      properties: { topicAlias: 3 },
    });
    const disconnect = await raw.next('disconnect');
    expect(disconnect.reasonCode).toBe(0x82);
    await raw.closed;
  });
});

describe('topic aliases from the broker', () => {
  it('[MQTT-3.1.2-26] [MQTT-3.1.2-27] uses aliases up to the client’s Topic Alias Maximum, and none for a client without one', async () => {
    const aliasing = await startBroker({ capabilities: { outboundTopicAliases: true } });
    try {
      const subscription = {
        topicFilter: 'alias/#',
        qos: 0,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      } as const;
      const limited = await openRawConnection(aliasing.port, 5);
      limited.send({ ...connectPacket('limited', 5), properties: { topicAliasMaximum: 2 } });
      const plain = await openRawConnection(aliasing.port, 5);
      plain.send(connectPacket('plain', 5));
      for (const raw of [limited, plain]) {
        await raw.next('connack');
        raw.send({ type: 'subscribe', packetId: 1, subscriptions: [subscription] });
        await raw.next('suback');
      }
      const mqttjs = await aliasing.client({ protocolVersion: 5, properties: { topicAliasMaximum: 3 } });
      const received = inbox(mqttjs);
      await mqttjs.subscribeAsync('alias/#', { qos: 1 });
      const publisher = await aliasing.client({ protocolVersion: 5 });
      const topics = ['alias/a', 'alias/b', 'alias/c', 'alias/a', 'alias/b', 'alias/c', 'alias/a'];
      for (const topic of topics) await publisher.publishAsync(topic, topic, { qos: 1 });
      await limited.next('publish', topics.length - 1);
      await plain.next('publish', topics.length - 1);
      const aliasesOf = (raw: typeof limited): (number | undefined)[] =>
        raw.packets.flatMap((packet) => (packet.type === 'publish' ? [packet.properties?.topicAlias] : []));
      const limitedAliases = aliasesOf(limited);
      expect(limitedAliases.some((alias) => alias !== undefined)).toBe(true);
      expect(limitedAliases.every((alias) => alias === undefined || (alias >= 1 && alias <= 2))).toBe(true);
      expect(aliasesOf(plain).every((alias) => alias === undefined)).toBe(true);
      // MQTT.js resolves the aliases back to the topics.
      expect((await received.next(topics.length)).map((message) => message.topic)).toEqual(topics);
      for (const raw of [limited, plain]) {
        raw.socket.end();
        await raw.closed;
      }
    } finally {
      await aliasing.stop();
    }
  });
});

describe('shared subscriptions', () => {
  it('[MQTT-4.8.2-1] [MQTT-4.8.2-3] gives each message to one member of a group, at the QoS granted to that member, besides ordinary subscribers', async () => {
    const members = [
      await running.client({ protocolVersion: 5 }),
      await running.client({ protocolVersion: 4 }),
    ];
    const memberInboxes = members.map(inbox);
    await members[0]!.subscribeAsync('$share/workers/jobs/+', { qos: 1 });
    await members[1]!.subscribeAsync('$share/workers/jobs/+', { qos: 0 });
    const observer = await running.client({ protocolVersion: 5 });
    const observed = inbox(observer);
    await observer.subscribeAsync('jobs/#', { qos: 1 });
    const producer = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 6; index += 1)
      await producer.publishAsync(`jobs/${index}`, String(index), { qos: 1 });
    await observed.next(6);
    await expect.poll(() => memberInboxes[0]!.messages.length + memberInboxes[1]!.messages.length).toBe(6);
    const delivered = memberInboxes.flatMap((box) => box.messages.map((message) => message.payload)).sort();
    expect(delivered).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(memberInboxes[0]!.messages.length).toBeGreaterThan(0);
    expect(memberInboxes[1]!.messages.length).toBeGreaterThan(0);
    expect(memberInboxes[0]!.messages.every((message) => message.packet.qos === 1)).toBe(true);
    expect(memberInboxes[1]!.messages.every((message) => message.packet.qos === 0)).toBe(true);
  });

  it('gives an offline member of a group nothing while another member is connected', async () => {
    const online = await running.client({ protocolVersion: 5 });
    const onlineInbox = inbox(online);
    await online.subscribeAsync('$share/pool/work', { qos: 1 });
    const offlineOptions = {
      protocolVersion: 5,
      clientId: 'pool-offline',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    } as const;
    const offline = await running.client(offlineOptions);
    await offline.subscribeAsync('$share/pool/work', { qos: 1 });
    await offline.endAsync();
    const producer = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 4; index += 1) await producer.publishAsync('work', String(index), { qos: 1 });
    expect((await onlineInbox.next(4)).map((message) => message.payload)).toEqual(['0', '1', '2', '3']);
    const returning = running.connect(offlineOptions);
    const returned = inbox(returning);
    await new Promise((resolve) => returning.once('connect', resolve));
    await returning.subscribeAsync('fence', { qos: 1 });
    await returning.publishAsync('fence', 'x', { qos: 1 });
    await returned.on('fence');
    expect(returned.messages.map((message) => message.topic)).toEqual(['fence']);
  });

  it('[MQTT-3.8.3-4] treats No Local on a shared subscription as a Protocol Error', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('no-local-shared', 5));
    await raw.next('connack');
    // SUBSCRIBE, packet id 1, no properties, options QoS 1 + No Local (the codec refuses to encode it).
    raw.send(frame(0x82, [0, 1, 0, ...mqttString('$share/group/topic'), 0x05]));
    const disconnect = await raw.next('disconnect');
    expect(disconnect.reasonCode).toBe(0x82);
    await raw.closed;
  });
});

describe('No Local', () => {
  it('[MQTT-3.8.3-3] does not send a client its own messages on a No Local subscription', async () => {
    const client = await running.client({ protocolVersion: 5, clientId: 'talker' });
    const received = inbox(client);
    await client.subscribeAsync('chat/room', { qos: 1, nl: true });
    await client.publishAsync('chat/room', 'mine', { qos: 1 });
    const other = await running.client({ protocolVersion: 5 });
    await other.publishAsync('chat/room', 'theirs', { qos: 1 });
    expect((await received.next(1)).map((message) => message.payload)).toEqual(['theirs']);
    expect(received.messages).toHaveLength(1);
  });
});

describe('message expiry', () => {
  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] never delivers an expired queued message and lowers the remaining interval of the others', async () => {
    const options = {
      protocolVersion: 5,
      clientId: 'expiry-reader',
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    } as const;
    const reader = await running.client(options);
    await reader.subscribeAsync('expiry/#', { qos: 1 });
    await reader.endAsync();
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('expiry/short', 'stale', {
      qos: 1,
      properties: { messageExpiryInterval: 1 },
    });
    await publisher.publishAsync('expiry/long', 'fresh', {
      qos: 1,
      properties: { messageExpiryInterval: 60 },
    });
    await publisher.publishAsync('expiry/none', 'forever', { qos: 1 });
    await brokerTimer(running, 1);
    const returning = running.connect(options);
    const received = inbox(returning);
    const messages = await received.next(2);
    expect(messages.map((message) => message.topic)).toEqual(['expiry/long', 'expiry/none']);
    const remaining = messages[0]!.packet.properties?.messageExpiryInterval;
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(59);
    expect(messages[1]!.packet.properties?.messageExpiryInterval).toBeUndefined();
    await returning.publishAsync('expiry/fence', 'x', { qos: 1 });
    await received.on('expiry/fence');
    expect(received.messages.map((message) => message.topic)).toEqual([
      'expiry/long',
      'expiry/none',
      'expiry/fence',
    ]);
  });

  it('[MQTT-3.3.2-5] drops a message that expires while Receive Maximum holds it back', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('held-back', 5), properties: { receiveMaximum: 1 } });
    await raw.next('connack');
    raw.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'held/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await raw.next('suback');
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('held/first', 'a', { qos: 1 });
    await publisher.publishAsync('held/stale', 'b', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await publisher.publishAsync('held/fresh', 'c', { qos: 1, properties: { messageExpiryInterval: 100 } });
    const first = await raw.next('publish');
    await brokerTimer(running, 1);
    raw.send({ type: 'puback', packetId: first.packetId! });
    const next = await raw.next('publish', 1);
    expect(next.topic).toBe('held/fresh');
    expect(next.properties?.messageExpiryInterval).toBeLessThanOrEqual(99);
    raw.socket.end();
    await raw.closed;
  });

  it('[MQTT-3.3.2-5] [MQTT-3.3.2-6] does not send an expired retained message to a new subscriber, and lowers the interval of a live one', async () => {
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('expiry/retained/stale', 'stale', {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: 1 },
    });
    await publisher.publishAsync('expiry/retained/fresh', 'fresh', {
      qos: 1,
      retain: true,
      properties: { messageExpiryInterval: 60 },
    });
    await brokerTimer(running, 1);
    const subscriber = await running.client({ protocolVersion: 5 });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('expiry/#', { qos: 1 });
    await subscriber.publishAsync('expiry/fence', 'x', { qos: 1 });
    await received.on('expiry/fence');
    expect(received.messages.map((message) => message.topic)).toEqual([
      'expiry/retained/fresh',
      'expiry/fence',
    ]);
    expect(received.messages[0]!.packet.properties?.messageExpiryInterval).toBeLessThanOrEqual(59);
  });
});

describe('limits the client sets', () => {
  it('[MQTT-3.1.2-24] [MQTT-3.1.2-25] never sends a packet larger than the client’s Maximum Packet Size, and goes on with the next message', async () => {
    const subscriber = await running.client({ protocolVersion: 5, properties: { maximumPacketSize: 128 } });
    const received = inbox(subscriber);
    await subscriber.subscribeAsync('sized/#', { qos: 1 });
    const publisher = await running.client({ protocolVersion: 5 });
    await publisher.publishAsync('sized/big', 'x'.repeat(200), { qos: 1 });
    await publisher.publishAsync('sized/small', 'fits', { qos: 1 });
    expect((await received.next(1)).map((message) => message.payload)).toEqual(['fits']);
    await publisher.publishAsync('sized/big', 'y'.repeat(200), { qos: 0 });
    await publisher.publishAsync('sized/fence', 'fence', { qos: 1 });
    await received.on('sized/fence');
    expect(received.messages.map((message) => message.topic)).toEqual(['sized/small', 'sized/fence']);
    expect(received.arrivals).toEqual(['sized/small', 'sized/fence']);
    // Retained messages sent on SUBSCRIBE obey the limit too.
    await publisher.publishAsync('sized/retained/big', 'z'.repeat(200), { qos: 1, retain: true });
    await publisher.publishAsync('sized/retained/small', 'ok', { qos: 1, retain: true });
    const late = await running.client({ protocolVersion: 5, properties: { maximumPacketSize: 128 } });
    const lateInbox = inbox(late);
    await late.subscribeAsync('sized/retained/#', { qos: 1 });
    await late.subscribeAsync('sized/fence', { qos: 1 });
    await publisher.publishAsync('sized/fence', 'fence', { qos: 1 });
    await lateInbox.on('sized/fence');
    expect(lateInbox.arrivals).toEqual(['sized/retained/small', 'sized/fence']);
  });

  it('[MQTT-3.3.4-9] [MQTT-3.3.4-10] keeps at most the client’s Receive Maximum of QoS 1 messages unacknowledged, without holding back other packets', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send({ ...connectPacket('slow-reader', 5), properties: { receiveMaximum: 2 } });
    await raw.next('connack');
    raw.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'flow/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    });
    await raw.next('suback');
    const publisher = await running.client({ protocolVersion: 5 });
    for (let index = 0; index < 5; index += 1)
      await publisher.publishAsync(`flow/${index}`, String(index), { qos: 1 });
    const publishes = (): string[] =>
      raw.packets.flatMap((packet) => (packet.type === 'publish' ? [packet.topic] : []));
    // PINGRESP overtakes the held-back messages: once it is here, all that may be sent was sent.
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    expect(publishes()).toEqual(['flow/0', 'flow/1']);
    const packetIdOf = (topic: string): number => {
      const packet = raw.packets.find(
        (candidate) => candidate.type === 'publish' && candidate.topic === topic,
      );
      return packet?.type === 'publish' ? packet.packetId! : -1;
    };
    raw.send({ type: 'puback', packetId: packetIdOf('flow/0'), reasonCode: 0 });
    await expect.poll(publishes).toEqual(['flow/0', 'flow/1', 'flow/2']);
    raw.send({ type: 'puback', packetId: packetIdOf('flow/1'), reasonCode: 0 });
    raw.send({ type: 'puback', packetId: packetIdOf('flow/2'), reasonCode: 0 });
    await expect.poll(publishes).toEqual(['flow/0', 'flow/1', 'flow/2', 'flow/3', 'flow/4']);
    raw.socket.end(encode({ type: 'disconnect', reasonCode: 0 }, 5));
    await raw.closed;
  });
});
