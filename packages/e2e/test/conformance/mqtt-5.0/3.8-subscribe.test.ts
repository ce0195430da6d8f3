// MQTT 5.0 section 3.8, SUBSCRIBE: its fixed-header flags, payload and subscription options, and
// how the broker answers and applies it (one SUBACK, replacing subscriptions, granted QoS).
import { describe, expect, it } from 'vitest';
import { ReasonCode } from '@mqttkit/codec';
import { frame, mqttString } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { deniedPrefix, denyThenAllow } from '../support/hooks.js';
import {
  closedWith,
  fence,
  leave,
  publishes,
  publishPacket,
  subscribe,
  subscription,
  publishTo,
  rawClients,
} from '../support/raw-client.js';

const running = brokerForFile({ hooks: denyThenAllow() });
const connect = rawClients(running, 5, 'c50b-3.8');

const summary = (raw: RawConnection): string[] =>
  publishes(raw).map((packet) => `${packet.topic}:${Buffer.from(packet.payload).toString()}:${packet.qos}`);

describe('3.8.1 SUBSCRIBE fixed header', () => {
  it('[MQTT-3.8.1-1] closes a connection that sends SUBSCRIBE with fixed-header flags other than 0010 (DISCONNECT 0x81)', async () => {
    for (const flags of [0x0, 0x1, 0x3, 0x6, 0xa]) {
      const raw = await connect();
      raw.send(frame(0x80 | flags, [0, 1, 0, ...mqttString('c50b/subflags'), 1]));
      await closedWith(raw, ReasonCode.MalformedPacket);
      expect(raw.packets.filter((packet) => packet.type === 'suback')).toEqual([]);
    }
  });

  it('[MQTT-3.8.1-1] answers SUBSCRIBE with flags 0010 with a SUBACK', async () => {
    const raw = await connect();
    raw.send(frame(0x82, [0, 1, 0, ...mqttString('c50b/subflags'), 1]));
    expect((await raw.next('suback')).reasonCodes).toEqual([1]);
    await leave(raw);
  });
});

describe('3.8.3 SUBSCRIBE payload', () => {
  it('[MQTT-3.8.3-1] closes a connection whose Topic Filter is not well-formed UTF-8 (DISCONNECT 0x81)', async () => {
    const raw = await connect();
    raw.send(frame(0x82, [0, 1, 0, ...mqttString(Buffer.from([0x63, 0x2f, 0xc0, 0xaf])), 1]));
    await closedWith(raw, ReasonCode.MalformedPacket);
  });

  it('[MQTT-3.8.3-2] closes a connection that sends a SUBSCRIBE without any Topic Filter (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    raw.send(frame(0x82, [0, 1, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.8.3-3] does not forward a client’s own messages on its No Local subscription, but forwards other clients’ ones', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/nolocal', 1, { noLocal: true })]);
    const other = await connect();
    raw.send(publishPacket('c50b/nolocal', 'own', { qos: 1, packetId: 1 }));
    await raw.next('puback');
    await publishTo(other, raw, publishPacket('c50b/nolocal', 'other', { qos: 1, packetId: 1 }));
    expect(summary(raw)).toEqual(['c50b/nolocal:other:1']);
    raw.send({ type: 'puback', packetId: publishes(raw)[0]!.packetId! });
    await leave(raw);
    await leave(other);
  });

  it('[MQTT-3.8.3-4] closes a connection that sets No Local on a Shared Subscription (DISCONNECT 0x82)', async () => {
    const raw = await connect();
    raw.send(frame(0x82, [0, 1, 0, ...mqttString('$share/c50b/c50b/shared'), 0x05]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.8.3-5] closes a connection whose Subscription Options have reserved bits set (DISCONNECT 0x81)', async () => {
    for (const options of [0x41, 0x81, 0xc0]) {
      const raw = await connect();
      raw.send(frame(0x82, [0, 1, 0, ...mqttString('c50b/reserved'), options]));
      await closedWith(raw, ReasonCode.MalformedPacket);
    }
  });
});

describe('3.8.4 SUBSCRIBE actions', () => {
  it('[MQTT-3.8.4-1] [MQTT-3.8.4-2] answers every SUBSCRIBE with one SUBACK carrying its Packet Identifier', async () => {
    const raw = await connect();
    const packetIds = [1, 0x1234, 0xffff, 7];
    for (const packetId of packetIds) {
      raw.send({ type: 'subscribe', packetId, subscriptions: [subscription(`c50b/suback/${packetId}`, 1)] });
    }
    await raw.next('suback', packetIds.length - 1);
    await fence(raw);
    const subacks = raw.packets.filter((packet) => packet.type === 'suback');
    expect(subacks.map((packet) => packet.packetId)).toEqual(packetIds);
    await leave(raw);
  });

  it('[MQTT-3.8.4-3] replaces a subscription with an identical Topic Filter, its options included', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/replace/+', 0, { noLocal: true })]);
    await subscribe(raw, [subscription('c50b/replace/+', 2, { noLocal: false })]);
    raw.send(publishPacket('c50b/replace/own', 'x', { qos: 2, packetId: 1 }));
    await raw.next('pubrec');
    raw.send({ type: 'pubrel', packetId: 1 });
    await raw.next('pubcomp');
    const delivered = await raw.next('publish');
    // One copy, at the new QoS, and No Local is gone.
    expect([delivered.topic, delivered.qos]).toEqual(['c50b/replace/own', 2]);
    await fence(raw);
    expect(publishes(raw)).toHaveLength(1);
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    await raw.next('pubrel');
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    await leave(raw);
  });

  it('[MQTT-3.8.4-4] resends the retained messages when a subscription with Retain Handling 0 is replaced, and loses no queued message', async () => {
    const publisher = await connect();
    publisher.send(publishPacket('c50b/resend/r', 'retained', { qos: 1, packetId: 1, retain: true }));
    await publisher.next('puback');
    const raw = await connect({ properties: { receiveMaximum: 1 } });
    await subscribe(raw, [subscription('c50b/resend/+', 1)]);
    const retained = await raw.next('publish');
    expect([retained.topic, retained.retain]).toEqual(['c50b/resend/r', true]);
    // While the retained message is unacknowledged, two more wait in the session's queue.
    await publishTo(publisher, raw, publishPacket('c50b/resend/a', 'a', { qos: 1, packetId: 2 }));
    await publishTo(publisher, raw, publishPacket('c50b/resend/b', 'b', { qos: 1, packetId: 3 }));
    await subscribe(raw, [subscription('c50b/resend/+', 1, { retainHandling: 0 })]);
    for (let index = 0; index < 4; index += 1) {
      const packet = await raw.next('publish', index);
      raw.send({ type: 'puback', packetId: packet.packetId! });
    }
    await fence(raw);
    expect(summary(raw)).toEqual([
      'c50b/resend/r:retained:1',
      'c50b/resend/a:a:1',
      'c50b/resend/b:b:1',
      'c50b/resend/r:retained:1',
    ]);
    publisher.send(publishPacket('c50b/resend/r', '', { qos: 1, packetId: 4, retain: true }));
    await publisher.next('puback', 3);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-5] [MQTT-3.8.4-6] handles a SUBSCRIBE with several filters like one SUBSCRIBE per filter, answered by one SUBACK with a code for each', async () => {
    const raw = await connect();
    const suback = await subscribe(raw, [
      subscription('c50b/series/a', 0),
      subscription('c50b/series/b', 1),
      // The same filter again replaces the first pair, as a second SUBSCRIBE would.
      subscription('c50b/series/a', 2),
    ]);
    expect(suback.reasonCodes).toEqual([0, 1, 2]);
    await fence(raw);
    expect(raw.packets.filter((packet) => packet.type === 'suback')).toHaveLength(1);
    const publisher = await connect();
    for (const [index, topic] of ['c50b/series/a', 'c50b/series/b'].entries()) {
      publisher.send(publishPacket(topic, topic, { qos: 2, packetId: index + 1 }));
      await publisher.next('pubrec', index);
      publisher.send({ type: 'pubrel', packetId: index + 1 });
      await publisher.next('pubcomp', index);
    }
    await fence(raw);
    expect(summary(raw)).toEqual(['c50b/series/a:c50b/series/a:2', 'c50b/series/b:c50b/series/b:1']);
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.8.4-7] gives each filter the granted maximum QoS or a failure code', async () => {
    const raw = await connect();
    const suback = await subscribe(raw, [
      subscription('c50b/granted/0', 0),
      subscription('c50b/granted/1', 1),
      subscription('c50b/granted/2', 2),
      subscription(`${deniedPrefix}granted`, 1),
      subscription('c50b/granted/#/bad', 1),
    ]);
    expect(suback.reasonCodes).toEqual([
      ReasonCode.GrantedQoS0,
      ReasonCode.GrantedQoS1,
      ReasonCode.GrantedQoS2,
      ReasonCode.NotAuthorized,
      ReasonCode.TopicFilterInvalid,
    ]);
    await leave(raw);
  });

  it('[MQTT-3.8.4-8] delivers at the lower of the published QoS and the granted QoS', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/lower/one', 1), subscription('c50b/lower/zero', 0)]);
    const publisher = await connect();
    let packetId = 0;
    for (const topic of ['c50b/lower/one', 'c50b/lower/zero']) {
      for (const qos of [0, 1, 2] as const) {
        packetId += 1;
        publisher.send(publishPacket(topic, String(qos), { qos, packetId }));
        if (qos === 2) {
          await publisher.next('pubrec', packetId === 3 ? 0 : 1);
          publisher.send({ type: 'pubrel', packetId });
        }
        await fence(publisher);
        await fence(raw);
      }
    }
    expect(summary(raw)).toEqual([
      'c50b/lower/one:0:0',
      'c50b/lower/one:1:1',
      'c50b/lower/one:2:1',
      'c50b/lower/zero:0:0',
      'c50b/lower/zero:1:0',
      'c50b/lower/zero:2:0',
    ]);
    for (const packet of publishes(raw))
      if (packet.qos === 1) raw.send({ type: 'puback', packetId: packet.packetId! });
    await leave(raw);
    await leave(publisher);
  });
});
