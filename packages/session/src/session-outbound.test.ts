import { ReasonCode } from '@mqttkit/codec';
import type { Publish } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import {
  connectedSession,
  connectPacket,
  message,
  ofType,
  only,
  sent,
  start,
} from '../test/session-harness.js';
import type { SessionAction } from './session-action.js';
import type { SessionCapabilitiesInput } from './session-capabilities.js';
import { Session } from './session.js';

function published(actions: readonly SessionAction[]): Publish[] {
  return sent(actions).filter((packet): packet is Publish => packet.type === 'publish');
}

function persistent(capabilities: Parameters<typeof connectedSession>[0] = {}) {
  return connectedSession({
    ...capabilities,
    connect: { clean: false, properties: { sessionExpiryInterval: 3600 }, ...capabilities.connect },
  });
}

function reconnect(session: Session, now = start): SessionAction[] {
  return session.connect(connectPacket({ clean: false }), now);
}

describe('Session outbound QoS flows', () => {
  it('[MQTT-4.3.1-1] sends QoS 0 at once with DUP 0 and no packet id', () => {
    const { session } = connectedSession();
    const actions = session.publish({ message: message({ qos: 0 }), qos: 0, retain: false }, start);
    expect(actions).toEqual([
      {
        type: 'send',
        packet: {
          type: 'publish',
          topic: 'a/b',
          payload: new Uint8Array([1, 2, 3]),
          qos: 0,
          retain: false,
          dup: false,
        },
      },
    ]);
  });

  it('[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-4.3.2-3] gives QoS 1 a free packet id and holds it until PUBACK', () => {
    const { session } = connectedSession();
    const first = only(published(session.publish({ message: message(), qos: 1, retain: true }, start)));
    expect(first).toMatchObject({ qos: 1, dup: false, retain: true, packetId: 1 });
    const second = only(published(session.publish({ message: message(), qos: 1, retain: false }, start)));
    expect(second.packetId).toBe(2);
    expect(session.inflightCount).toBe(2);
    expect(session.receive({ type: 'puback', packetId: 1 }, start)).toEqual([]);
    expect(session.inflightCount).toBe(1);
    expect(session.receive({ type: 'puback', packetId: 1 }, start)).toEqual([]);
  });

  it('[MQTT-4.3.3-1] [MQTT-4.3.3-4] [MQTT-4.3.3-5] runs QoS 2 through PUBREC, PUBREL and PUBCOMP', () => {
    const { session } = connectedSession();
    const publish = only(
      published(session.publish({ message: message({ qos: 2 }), qos: 2, retain: false }, start)),
    );
    expect(publish).toMatchObject({ qos: 2, dup: false, packetId: 1 });
    expect(session.receive({ type: 'pubcomp', packetId: 1 }, start)).toEqual([]);
    expect(sent(session.receive({ type: 'pubrec', packetId: 1 }, start))).toEqual([
      { type: 'pubrel', packetId: 1 },
    ]);
    expect(sent(session.receive({ type: 'pubrec', packetId: 1 }, start))).toEqual([
      { type: 'pubrel', packetId: 1 },
    ]);
    expect(session.receive({ type: 'puback', packetId: 1 }, start)).toEqual([]);
    expect(session.inflightCount).toBe(1);
    session.receive({ type: 'pubcomp', packetId: 1 }, start);
    expect(session.inflightCount).toBe(0);
  });

  it('answers PUBREC for an unknown id with PUBREL 0x92 (MQTT 5) and a plain PUBREL (3.1.1)', () => {
    expect(sent(connectedSession().session.receive({ type: 'pubrec', packetId: 5 }, start))).toEqual([
      { type: 'pubrel', packetId: 5, reasonCode: ReasonCode.PacketIdentifierNotFound },
    ]);
    const v4 = connectedSession({ connect: { protocolVersion: 4 } }).session;
    expect(sent(v4.receive({ type: 'pubrec', packetId: 5 }, start))).toEqual([
      { type: 'pubrel', packetId: 5 },
    ]);
  });

  it('[MQTT-4.4.0-2] ends the flow on a PUBACK or PUBREC of 0x80 or above and reports the refusal', () => {
    const { session } = connectedSession();
    session.publish({ message: message(), qos: 1, retain: false }, start);
    session.publish({ message: message({ qos: 2 }), qos: 2, retain: false }, start);
    const refusedAck = session.receive({ type: 'puback', packetId: 1, reasonCode: 0x80 }, start);
    expect(only(ofType(refusedAck, 'drop'))).toMatchObject({ reason: 'refused', reasonCode: 0x80 });
    const refusedRec = session.receive({ type: 'pubrec', packetId: 2, reasonCode: 0x87 }, start);
    expect(only(ofType(refusedRec, 'drop'))).toMatchObject({ reason: 'refused', reasonCode: 0x87 });
    expect(sent(refusedRec)).toEqual([]);
    expect(session.inflightCount).toBe(0);
  });

  it('[MQTT-2.2.1-4] never reuses a packet id in flight, also across the wrap at 65535', () => {
    const { session } = connectedSession();
    for (let index = 0; index < 3; index++) {
      session.publish({ message: message(), qos: 1, retain: false }, start);
    }
    session.receive({ type: 'puback', packetId: 2 }, start);
    const restored = Session.fromState({ ...session.toState(), nextPacketId: 65_535 }, session.capabilities);
    const ids: (number | undefined)[] = [];
    for (let index = 0; index < 3; index++) {
      ids.push(
        only(published(restored.publish({ message: message(), qos: 1, retain: false }, start))).packetId,
      );
    }
    expect(ids).toEqual([65_535, 2, 4]);
  });

  it('[MQTT-3.3.4-9] [MQTT-4.9.0-2] keeps at most the client Receive Maximum in flight and sends the rest in order', () => {
    const { session } = connectedSession({ connect: { properties: { receiveMaximum: 2 } } });
    const sentTopics: string[] = [];
    for (const topic of ['t/1', 't/2', 't/3', 't/4']) {
      sentTopics.push(
        ...published(session.publish({ message: message({ topic }), qos: 1, retain: false }, start)).map(
          (packet) => packet.topic,
        ),
      );
    }
    expect(sentTopics).toEqual(['t/1', 't/2']);
    expect(session.queuedCount).toBe(2);
    // [MQTT-4.9.0-3] other packets are still answered while the quota is zero.
    expect(sent(session.receive({ type: 'pingreq' }, start))).toEqual([{ type: 'pingresp' }]);
    const next = published(session.receive({ type: 'puback', packetId: 1 }, start));
    expect(next.map((packet) => [packet.topic, packet.packetId])).toEqual([['t/3', 3]]);
  });

  it('keeps QoS 0 behind queued messages so order holds, and sends it once they move', () => {
    const { session } = connectedSession({ connect: { properties: { receiveMaximum: 1 } } });
    session.publish({ message: message({ topic: 'q/1' }), qos: 1, retain: false }, start);
    session.publish({ message: message({ topic: 'q/2' }), qos: 1, retain: false }, start);
    expect(
      session.publish({ message: message({ topic: 'q/3', qos: 0 }), qos: 0, retain: false }, start),
    ).toEqual([]);
    const next = published(session.receive({ type: 'puback', packetId: 1 }, start));
    expect(next.map((packet) => packet.topic)).toEqual(['q/2', 'q/3']);
  });

  it('uses the configured maximum as the 3.1.1 inflight window', () => {
    const { session } = connectedSession({
      capabilities: { maximumInflightMessages: 1 },
      connect: { protocolVersion: 4 },
    });
    session.publish({ message: message(), qos: 1, retain: false }, start);
    expect(session.publish({ message: message(), qos: 1, retain: false }, start)).toEqual([]);
    expect(session.queuedCount).toBe(1);
  });

  it('bounds the inflight bytes but always lets one message through', () => {
    const { session } = connectedSession({ capabilities: { maximumInflightBytes: 10 } });
    const big = message({ payload: new Uint8Array(20) });
    expect(published(session.publish({ message: big, qos: 1, retain: false }, start))).toHaveLength(1);
    expect(published(session.publish({ message: message(), qos: 1, retain: false }, start))).toHaveLength(0);
  });
});

describe('Session outbound queue', () => {
  function offline(capabilities: SessionCapabilitiesInput): Session {
    const { session } = persistent({ capabilities });
    session.connectionLost(start);
    return session;
  }

  it('[MQTT-3.1.2-5] queues messages while the client is away and sends them when it returns', () => {
    const session = offline({});
    expect(ofType(session.publish({ message: message(), qos: 1, retain: false }, start), 'send')).toEqual([]);
    expect(session.queuedCount).toBe(1);
    const actions = reconnect(session, start + 1);
    expect(published(actions)).toMatchObject([{ packetId: 1, dup: false }]);
  });

  it('drops a queued QoS 0 message first when the queue is full, then the oldest', () => {
    const session = offline({ maximumQueuedMessages: 2 });
    session.publish({ message: message({ topic: 'one' }), qos: 1, retain: false }, start);
    session.publish({ message: message({ topic: 'zero' }), qos: 0, retain: false }, start);
    const first = session.publish({ message: message({ topic: 'two' }), qos: 1, retain: false }, start);
    expect(ofType(first, 'drop').map((drop) => [drop.message.topic, drop.reason])).toEqual([
      ['zero', 'queue-full'],
    ]);
    const second = session.publish({ message: message({ topic: 'three' }), qos: 1, retain: false }, start);
    expect(ofType(second, 'drop').map((drop) => drop.message.topic)).toEqual(['one']);
    const incomingZero = session.publish(
      { message: message({ topic: 'late' }), qos: 0, retain: false },
      start,
    );
    expect(ofType(incomingZero, 'drop').map((drop) => drop.message.topic)).toEqual(['late']);
    expect(session.queuedCount).toBe(2);
  });

  it('bounds the queued bytes and refuses a message larger than the whole bound', () => {
    const session = offline({ maximumQueuedBytes: 20 });
    session.publish({ message: message({ payload: new Uint8Array(8) }), qos: 1, retain: false }, start);
    const actions = session.publish(
      { message: message({ payload: new Uint8Array(8) }), qos: 1, retain: false },
      start,
    );
    expect(ofType(actions, 'drop')).toHaveLength(1);
    expect(session.queuedCount).toBe(1);
    const huge = session.publish(
      { message: message({ payload: new Uint8Array(30) }), qos: 1, retain: false },
      start,
    );
    expect(only(ofType(huge, 'drop')).reason).toBe('queue-full');
  });

  it('drops everything when the queue bound is 0', () => {
    const session = offline({ maximumQueuedMessages: 0 });
    expect(
      ofType(session.publish({ message: message(), qos: 1, retain: false }, start), 'drop'),
    ).toHaveLength(1);
  });

  it('[MQTT-3.3.2-5] never sends an expired message, dropping it on publish, on tick and when the window opens', () => {
    const session = offline({});
    const expired = session.publish({ message: message({ expiresAt: start }), qos: 1, retain: false }, start);
    expect(only(ofType(expired, 'drop')).reason).toBe('expired');
    session.publish(
      { message: message({ topic: 'soon', expiresAt: start + 1000 }), qos: 1, retain: false },
      start,
    );
    session.publish(
      { message: message({ topic: 'later', expiresAt: start + 5000 }), qos: 1, retain: false },
      start,
    );
    expect(session.nextDeadline()).toBe(start + 1000);
    expect(ofType(session.tick(start + 1000), 'drop').map((drop) => drop.message.topic)).toEqual(['soon']);
    expect(session.nextDeadline()).toBe(start + 5000);
    const actions = reconnect(session, start + 6000);
    expect(ofType(actions, 'drop').map((drop) => [drop.message.topic, drop.reason])).toEqual([
      ['later', 'expired'],
    ]);
    expect(published(actions)).toEqual([]);
  });

  it('[MQTT-3.3.2-6] sends the Message Expiry Interval reduced by the time the message waited', () => {
    const session = offline({});
    const properties = { messageExpiryInterval: 60, contentType: 'text/plain' };
    session.publish(
      { message: message({ properties, expiresAt: start + 60_000 }), qos: 1, retain: false },
      start,
    );
    const packet = only(published(reconnect(session, start + 20_500)));
    expect(packet.properties).toEqual({ messageExpiryInterval: 40, contentType: 'text/plain' });
  });
});

describe('Session reconnection', () => {
  it('[MQTT-4.4.0-1] [MQTT-3.3.1-1] re-sends unacknowledged PUBLISH with DUP and PUBREL, in original order, with original ids', () => {
    const { session } = persistent();
    session.publish({ message: message({ topic: 'one' }), qos: 1, retain: false }, start);
    session.publish({ message: message({ topic: 'two', qos: 2 }), qos: 2, retain: false }, start);
    session.publish({ message: message({ topic: 'three', qos: 2 }), qos: 2, retain: false }, start);
    session.receive({ type: 'pubrec', packetId: 2 }, start);
    session.connectionLost(start);
    const actions = reconnect(session, start + 10);
    // [MQTT-4.3.3-6] the released QoS 2 message is not published again.
    expect(sent(actions).slice(1)).toEqual([
      expect.objectContaining({ type: 'publish', topic: 'one', packetId: 1, dup: true }),
      { type: 'pubrel', packetId: 2 },
      expect.objectContaining({ type: 'publish', topic: 'three', packetId: 3, dup: true }),
    ]);
  });

  it('[MQTT-4.3.3-7] does not expire a message whose delivery has started', () => {
    const { session } = persistent();
    session.publish({ message: message({ expiresAt: start + 1000 }), qos: 1, retain: false }, start);
    session.connectionLost(start);
    expect(ofType(session.tick(start + 5000), 'drop')).toEqual([]);
    const packet = only(published(reconnect(session, start + 5000)));
    expect(packet).toMatchObject({ dup: true, properties: { messageExpiryInterval: 0 } });
  });

  it('does not re-send on a connection that continues: only on reconnect', () => {
    const { session } = persistent();
    session.publish({ message: message(), qos: 1, retain: false }, start);
    expect(session.tick(start + 1000)).toEqual([]);
    expect(session.receive({ type: 'pingreq' }, start + 1000)).toHaveLength(1);
  });
});

describe('Session outbound limits', () => {
  it('[MQTT-3.1.2-25] drops a message too large for the client as if it had been sent', () => {
    const { session } = connectedSession({ connect: { properties: { maximumPacketSize: 50 } } });
    const actions = session.publish(
      { message: message({ payload: new Uint8Array(60) }), qos: 1, retain: false },
      start,
    );
    expect(actions).toEqual([expect.objectContaining({ type: 'drop', reason: 'packet-too-large' })]);
    expect(session.inflightCount).toBe(0);
    expect(published(session.publish({ message: message(), qos: 1, retain: false }, start))).toMatchObject([
      { packetId: 1 },
    ]);
  });

  it('drops an inflight message on reconnect when the new connection allows only smaller packets', () => {
    const { session } = persistent();
    session.publish({ message: message({ payload: new Uint8Array(60) }), qos: 1, retain: false }, start);
    session.connectionLost(start);
    const actions = session.connect(
      connectPacket({ clean: false, properties: { maximumPacketSize: 50, sessionExpiryInterval: 60 } }),
      start,
    );
    expect(only(ofType(actions, 'drop')).reason).toBe('packet-too-large');
    expect(session.inflightCount).toBe(0);
  });

  it('drops a queued message too large for the returning client and reports its removal to the store', () => {
    const { session } = persistent();
    session.connectionLost(start);
    session.publish({ message: message({ payload: new Uint8Array(60) }), qos: 1, retain: false }, start);
    const actions = session.connect(
      connectPacket({ clean: false, properties: { maximumPacketSize: 50, sessionExpiryInterval: 60 } }),
      start,
    );
    expect(only(ofType(actions, 'drop')).reason).toBe('packet-too-large');
    expect(ofType(actions, 'persist').map((persist) => persist.change.kind)).toEqual([
      'session',
      'outbound-removed',
    ]);
  });

  it('[MQTT-3.3.4-3] adds the subscription identifiers of the delivery', () => {
    const { session } = connectedSession();
    const packet = only(
      published(
        session.publish(
          { message: message(), qos: 1, retain: false, subscriptionIdentifiers: [3, 9] },
          start,
        ),
      ),
    );
    expect(packet.properties).toEqual({ subscriptionIdentifiers: [3, 9] });
  });

  it('sends no properties to 3.1.1 clients', () => {
    const { session } = connectedSession({ connect: { protocolVersion: 4 } });
    const delivery = {
      message: message({ properties: { contentType: 'x' } }),
      qos: 1 as const,
      retain: false,
    };
    expect(only(published(session.publish(delivery, start))).properties).toBeUndefined();
  });

  it('[MQTT-3.1.2-26] assigns outbound topic aliases up to the client maximum, then sends full topics', () => {
    const { session } = connectedSession({
      capabilities: { outboundTopicAliases: true },
      connect: { properties: { topicAliasMaximum: 1 } },
    });
    const send = (topic: string) =>
      only(published(session.publish({ message: message({ topic, qos: 0 }), qos: 0, retain: false }, start)));
    expect(send('long/topic')).toMatchObject({ topic: 'long/topic', properties: { topicAlias: 1 } });
    expect(send('long/topic')).toMatchObject({ topic: '', properties: { topicAlias: 1 } });
    expect(send('other')).toMatchObject({ topic: 'other' });
    expect(send('other').properties).toBeUndefined();
  });

  it('[MQTT-3.1.2-27] sends no topic aliases when the client allows none or the capability is off', () => {
    const noClientAliases = connectedSession({ capabilities: { outboundTopicAliases: true } }).session;
    const packet = only(
      published(noClientAliases.publish({ message: message(), qos: 0, retain: false }, start)),
    );
    expect(packet.properties).toBeUndefined();
    const off = connectedSession({ connect: { properties: { topicAliasMaximum: 5 } } }).session;
    expect(
      only(published(off.publish({ message: message(), qos: 0, retain: false }, start))).properties,
    ).toBeUndefined();
  });

  it('keeps an alias unassigned when its packet was too large to send', () => {
    const { session } = connectedSession({
      capabilities: { outboundTopicAliases: true },
      connect: { properties: { topicAliasMaximum: 2, maximumPacketSize: 40 } },
    });
    session.publish({ message: message({ payload: new Uint8Array(50) }), qos: 0, retain: false }, start);
    const packet = only(published(session.publish({ message: message(), qos: 0, retain: false }, start)));
    expect(packet).toMatchObject({ topic: 'a/b', properties: { topicAlias: 1 } });
  });
});

describe('Session persistence changes', () => {
  it('reports no changes for a session that ends with its connection', () => {
    const { session, actions } = connectedSession();
    expect(ofType(actions, 'persist')).toEqual([]);
    expect(ofType(session.publish({ message: message(), qos: 1, retain: false }, start), 'persist')).toEqual(
      [],
    );
  });

  it('reports each outbound step of a persistent session as plain data', () => {
    const { session, actions } = persistent({
      connect: { properties: { sessionExpiryInterval: 60, receiveMaximum: 1 } },
    });
    expect(only(ofType(actions, 'persist')).change).toMatchObject({
      kind: 'session',
      sessionExpiryInterval: 60,
    });
    const kinds = (list: SessionAction[]) => ofType(list, 'persist').map((persist) => persist.change.kind);
    expect(kinds(session.publish({ message: message({ qos: 2 }), qos: 2, retain: false }, start))).toEqual([
      'outbound-added',
    ]);
    expect(kinds(session.publish({ message: message(), qos: 0, retain: false }, start))).toEqual([]);
    expect(kinds(session.publish({ message: message(), qos: 1, retain: false }, start))).toEqual([
      'outbound-added',
    ]);
    expect(kinds(session.receive({ type: 'pubrec', packetId: 1 }, start))).toEqual(['outbound-updated']);
    expect(kinds(session.receive({ type: 'pubcomp', packetId: 1 }, start))).toEqual([
      'outbound-removed',
      'outbound-updated',
    ]);
    expect(
      kinds(
        session.receive(
          {
            type: 'publish',
            topic: 'in',
            payload: new Uint8Array(),
            qos: 2,
            retain: false,
            dup: false,
            packetId: 4,
          },
          start,
        ),
      ),
    ).toEqual(['inbound-added']);
    expect(kinds(session.receive({ type: 'pubrel', packetId: 4 }, start))).toEqual(['inbound-removed']);
    expect(kinds(session.connectionLost(start))).toEqual(['session']);
  });
});
