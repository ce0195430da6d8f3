import { ReasonCode } from '@mqttkit/codec';
import type { Packet, Subscription } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import {
  closing,
  connectedSession,
  connectPacket,
  ofType,
  only,
  publishPacket,
  sent,
  start,
} from '../test/session-harness.js';
import { Session } from './session.js';

function subscription(topicFilter: string, overrides: Partial<Subscription> = {}): Subscription {
  return { topicFilter, qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0, ...overrides };
}

describe('Session inbound PUBLISH', () => {
  it('[MQTT-3.3.4-1] delivers QoS 0 without an answer', () => {
    const { session } = connectedSession();
    const actions = session.receive(publishPacket(), start);
    expect(actions).toEqual([
      {
        type: 'deliver',
        clientId: 'client-1',
        message: { topic: 'a/b', payload: new Uint8Array([1, 2, 3]), qos: 0, retain: false },
      },
    ]);
  });

  it('[MQTT-4.3.2-4] delivers QoS 1 and then answers PUBACK with the same packet id', () => {
    const { session } = connectedSession();
    const actions = session.receive(publishPacket({ qos: 1, packetId: 7 }), start);
    expect(actions.map((action) => action.type)).toEqual(['deliver', 'send']);
    expect(sent(actions)).toEqual([{ type: 'puback', packetId: 7 }]);
  });

  it('[MQTT-4.3.2-5] treats a QoS 1 PUBLISH with an acknowledged id as a new message', () => {
    const { session } = connectedSession();
    session.receive(publishPacket({ qos: 1, packetId: 7 }), start);
    const again = session.receive(publishPacket({ qos: 1, packetId: 7, dup: true }), start);
    expect(ofType(again, 'deliver')).toHaveLength(1);
  });

  it('[MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11] delivers QoS 2 once however often it is re-sent before PUBREL', () => {
    const { session } = connectedSession();
    const first = session.receive(publishPacket({ qos: 2, packetId: 9 }), start);
    expect(ofType(first, 'deliver')).toHaveLength(1);
    expect(sent(first)).toEqual([{ type: 'pubrec', packetId: 9 }]);
    const repeat = session.receive(publishPacket({ qos: 2, packetId: 9, dup: true }), start);
    expect(repeat).toEqual([{ type: 'send', packet: { type: 'pubrec', packetId: 9 } }]);
    expect(sent(session.receive({ type: 'pubrel', packetId: 9 }, start))).toEqual([
      { type: 'pubcomp', packetId: 9 },
    ]);
  });

  it('[MQTT-4.3.3-12] treats a PUBLISH after PUBCOMP with the same id as a new message', () => {
    const { session } = connectedSession();
    session.receive(publishPacket({ qos: 2, packetId: 9 }), start);
    session.receive({ type: 'pubrel', packetId: 9 }, start);
    expect(ofType(session.receive(publishPacket({ qos: 2, packetId: 9 }), start), 'deliver')).toHaveLength(1);
  });

  it('answers PUBREL for an unknown id with PUBCOMP 0x92 (MQTT 5) and a plain PUBCOMP (3.1.1)', () => {
    const v5 = connectedSession().session;
    expect(sent(v5.receive({ type: 'pubrel', packetId: 4 }, start))).toEqual([
      { type: 'pubcomp', packetId: 4, reasonCode: ReasonCode.PacketIdentifierNotFound },
    ]);
    const v4 = connectedSession({ connect: { protocolVersion: 4 } }).session;
    expect(sent(v4.receive({ type: 'pubrel', packetId: 4 }, start))).toEqual([
      { type: 'pubcomp', packetId: 4 },
    ]);
  });

  it('answers a QoS 1 PUBLISH reusing an unfinished QoS 2 id with PUBACK 0x91 (MQTT 5) and closes on 3.1.1', () => {
    const v5 = connectedSession().session;
    v5.receive(publishPacket({ qos: 2, packetId: 3 }), start);
    expect(v5.receive(publishPacket({ qos: 1, packetId: 3 }), start)).toEqual([
      { type: 'send', packet: { type: 'puback', packetId: 3, reasonCode: ReasonCode.PacketIdentifierInUse } },
    ]);
    const v4 = connectedSession({ connect: { protocolVersion: 4 } }).session;
    v4.receive(publishPacket({ qos: 2, packetId: 3 }), start);
    expect(ofType(v4.receive(publishPacket({ qos: 1, packetId: 3 }), start), 'disconnect')).toHaveLength(1);
  });

  it('[MQTT-3.3.4-7] disconnects with 0x93 when the client exceeds the Receive Maximum', () => {
    const { session } = connectedSession({ capabilities: { receiveMaximum: 2 } });
    session.receive(publishPacket({ qos: 2, packetId: 1 }), start);
    session.receive(publishPacket({ qos: 2, packetId: 2 }), start);
    const actions = session.receive(publishPacket({ qos: 1, packetId: 3 }), start);
    expect(closing(actions)).toMatchObject({
      type: 'disconnect',
      reasonCode: ReasonCode.ReceiveMaximumExceeded,
    });
  });

  it('refuses a QoS 1 or 2 PUBLISH without a packet id as malformed', () => {
    const { session } = connectedSession();
    expect(closing(session.receive(publishPacket({ qos: 1 }), start))).toMatchObject({
      reasonCode: ReasonCode.MalformedPacket,
    });
  });

  it('[MQTT-3.2.2-11] disconnects with 0x9B for a PUBLISH above the maximum QoS', () => {
    const { session } = connectedSession({ capabilities: { maximumQoS: 1 } });
    expect(closing(session.receive(publishPacket({ qos: 2, packetId: 1 }), start))).toMatchObject({
      type: 'disconnect',
      reasonCode: ReasonCode.QoSNotSupported,
      sendDisconnect: true,
    });
  });

  it('[MQTT-3.2.2-14] disconnects with 0x9A for a retained PUBLISH when retain is not available', () => {
    const { session } = connectedSession({ capabilities: { retainAvailable: false } });
    expect(closing(session.receive(publishPacket({ retain: true }), start))).toMatchObject({
      reasonCode: ReasonCode.RetainNotSupported,
    });
  });

  it('[MQTT-3.3.2-2] disconnects with 0x90 for a topic name with wildcards', () => {
    const { session } = connectedSession();
    expect(closing(session.receive(publishPacket({ topic: 'a/+' }), start))).toMatchObject({
      reasonCode: ReasonCode.TopicNameInvalid,
    });
  });

  it('[MQTT-3.3.4-6] disconnects for a PUBLISH from a client with a Subscription Identifier', () => {
    const { session } = connectedSession();
    const packet = publishPacket({ properties: { subscriptionIdentifiers: [1] } });
    expect(closing(session.receive(packet, start))).toMatchObject({ reasonCode: ReasonCode.ProtocolError });
  });

  it('[MQTT-3.3.2-12] maps inbound topic aliases from 1 to the maximum and strips them from the message', () => {
    const { session } = connectedSession({ capabilities: { topicAliasMaximum: 3 } });
    session.receive(publishPacket({ topic: 'x/y', properties: { topicAlias: 3 } }), start);
    const aliased = publishPacket({ topic: '', properties: { topicAlias: 3, contentType: 'text' } });
    expect(session.topicOf(aliased)).toBe('x/y');
    expect(session.topicOf(publishPacket({ topic: '' }))).toBeUndefined();
    const deliver = only(ofType(session.receive(aliased, start), 'deliver'));
    expect(deliver.message.topic).toBe('x/y');
    expect(deliver.message.properties).toEqual({ contentType: 'text' });
  });

  it('[MQTT-3.3.2-8] disconnects with 0x94 for topic alias 0 and for an alias above the maximum', () => {
    const { session } = connectedSession({ capabilities: { topicAliasMaximum: 3 } });
    expect(closing(session.receive(publishPacket({ properties: { topicAlias: 0 } }), start))).toMatchObject({
      reasonCode: ReasonCode.TopicAliasInvalid,
      statement: 'MQTT-3.3.2-8',
    });
    const other = connectedSession({ capabilities: { topicAliasMaximum: 3 } }).session;
    expect(closing(other.receive(publishPacket({ properties: { topicAlias: 4 } }), start))).toMatchObject({
      reasonCode: ReasonCode.TopicAliasInvalid,
    });
  });

  it('[MQTT-3.3.2-7] forgets topic aliases with the connection', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.receive(publishPacket({ topic: 'x/y', properties: { topicAlias: 1 } }), start);
    session.connectionLost(start);
    session.connect(connectPacket({ clean: false }), start);
    const aliased = publishPacket({ topic: '', properties: { topicAlias: 1 } });
    expect(session.topicOf(aliased)).toBeUndefined();
    expect(closing(session.receive(aliased, start))).toMatchObject({ reasonCode: ReasonCode.ProtocolError });
  });

  it('computes the expiry time of an inbound message from its Message Expiry Interval', () => {
    const { session } = connectedSession();
    const deliver = only(
      ofType(session.receive(publishPacket({ properties: { messageExpiryInterval: 5 } }), start), 'deliver'),
    );
    expect(deliver.message.expiresAt).toBe(start + 5000);
  });

  it('answers a denied MQTT 5 PUBLISH with PUBACK or PUBREC 0x87 and reports the drop', () => {
    const { session } = connectedSession();
    const deny = ReasonCode.NotAuthorized;
    const qos1 = session.receive(publishPacket({ qos: 1, packetId: 1 }), start, { deny });
    expect(qos1.map((action) => action.type)).toEqual(['drop', 'send']);
    expect(only(ofType(qos1, 'drop'))).toMatchObject({ reason: 'not-authorized', reasonCode: deny });
    expect(sent(qos1)).toEqual([{ type: 'puback', packetId: 1, reasonCode: deny }]);
    const qos2 = session.receive(publishPacket({ qos: 2, packetId: 2 }), start, { deny });
    expect(sent(qos2)).toEqual([{ type: 'pubrec', packetId: 2, reasonCode: deny }]);
    // [MQTT-4.3.3-9] after a failing PUBREC the same id starts a new message.
    expect(ofType(session.receive(publishPacket({ qos: 2, packetId: 2 }), start), 'deliver')).toHaveLength(1);
    expect(ofType(session.receive(publishPacket(), start, { deny }), 'drop')).toHaveLength(1);
  });

  it('[MQTT-3.3.5-2] acknowledges a denied 3.1.1 PUBLISH as usual and drops it', () => {
    const { session } = connectedSession({ connect: { protocolVersion: 4 } });
    const deny = ReasonCode.NotAuthorized;
    expect(sent(session.receive(publishPacket({ qos: 1, packetId: 1 }), start, { deny }))).toEqual([
      { type: 'puback', packetId: 1 },
    ]);
    const qos2 = session.receive(publishPacket({ qos: 2, packetId: 2 }), start, { deny });
    expect(sent(qos2)).toEqual([{ type: 'pubrec', packetId: 2 }]);
    expect(ofType(qos2, 'deliver')).toEqual([]);
    expect(sent(session.receive({ type: 'pubrel', packetId: 2 }, start))).toEqual([
      { type: 'pubcomp', packetId: 2 },
    ]);
  });
});

describe('Session inbound control packets', () => {
  it('[MQTT-3.12.4-1] answers PINGREQ with PINGRESP', () => {
    const { session } = connectedSession();
    expect(sent(session.receive({ type: 'pingreq' }, start))).toEqual([{ type: 'pingresp' }]);
  });

  it('[MQTT-3.1.0-2] closes the connection on a second CONNECT with DISCONNECT 0x82', () => {
    const { session } = connectedSession();
    expect(closing(session.receive(connectPacket(), start))).toMatchObject({
      type: 'disconnect',
      reasonCode: ReasonCode.ProtocolError,
      sendDisconnect: true,
      statement: 'MQTT-3.1.0-2',
    });
    expect(session.connected).toBe(false);
  });

  it('[MQTT-3.14.0-1] refuses any packet without an accepted CONNECT, without a DISCONNECT', () => {
    const session = new Session({ clientId: 'c' });
    expect(closing(session.receive({ type: 'pingreq' }, start))).toMatchObject({
      type: 'disconnect',
      sendDisconnect: false,
    });
  });

  it('closes the connection when a client sends a server-only packet', () => {
    const packets: Packet[] = [
      { type: 'connack', sessionPresent: false, reasonCode: 0 },
      { type: 'suback', packetId: 1, reasonCodes: [0] },
      { type: 'unsuback', packetId: 1, reasonCodes: [] },
      { type: 'pingresp' },
    ];
    for (const packet of packets) {
      const { session } = connectedSession();
      expect(closing(session.receive(packet, start))).toMatchObject({ reasonCode: ReasonCode.ProtocolError });
    }
  });

  it('[MQTT-4.12.0-7] refuses AUTH without an authentication method and passes it on with one', () => {
    const auth = { type: 'auth', reasonCode: ReasonCode.ReAuthenticate } as const;
    expect(closing(connectedSession().session.receive(auth, start))).toMatchObject({ type: 'disconnect' });
    const { session } = connectedSession({ connect: { properties: { authenticationMethod: 'SCRAM' } } });
    expect(session.receive(auth, start)).toEqual([{ type: 'auth', packet: auth }]);
  });

  it('updates the session expiry interval from DISCONNECT and refuses raising it from 0', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.receive({ type: 'disconnect', properties: { sessionExpiryInterval: 5 } }, start);
    expect(session.nextDeadline()).toBe(start + 5000);
    const zero = connectedSession().session;
    const actions = zero.receive({ type: 'disconnect', properties: { sessionExpiryInterval: 5 } }, start);
    expect(ofType(actions, 'disconnect')[0]).toMatchObject({
      reasonCode: ReasonCode.ProtocolError,
      sendDisconnect: true,
    });
  });
});

describe('Session subscriptions', () => {
  it('[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-3.9.3-1] answers SUBSCRIBE with one SUBACK code per filter in order', () => {
    const { session } = connectedSession({ capabilities: { maximumQoS: 1 } });
    const actions = session.receive(
      {
        type: 'subscribe',
        packetId: 12,
        subscriptions: [
          subscription('a/#', { qos: 0 }),
          subscription('b/+', { qos: 2 }),
          subscription('c/#x'),
        ],
      },
      start,
    );
    // [MQTT-3.2.2-10] a QoS 2 request is granted at the server's maximum.
    expect(sent(actions)).toEqual([
      { type: 'suback', packetId: 12, reasonCodes: [0, 1, ReasonCode.TopicFilterInvalid] },
    ]);
    expect(session.getSubscriptions().map((held) => [held.topicFilter, held.qos])).toEqual([
      ['a/#', 0],
      ['b/+', 1],
    ]);
  });

  it('[MQTT-3.9.3-2] uses 0x80 as the only failure code for 3.1.1', () => {
    const { session } = connectedSession({ connect: { protocolVersion: 4 } });
    const actions = session.receive(
      { type: 'subscribe', packetId: 1, subscriptions: [subscription('a/#/b')] },
      start,
    );
    expect(sent(actions)).toEqual([{ type: 'suback', packetId: 1, reasonCodes: [0x80] }]);
  });

  it('applies the authorizer outcome per subscription: a lower QoS or a failure code', () => {
    const { session } = connectedSession();
    const actions = session.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [subscription('a'), subscription('b'), subscription('c')],
      },
      start,
      { subscriptions: [1, ReasonCode.NotAuthorized] },
    );
    expect(sent(actions)).toEqual([
      { type: 'suback', packetId: 1, reasonCodes: [1, ReasonCode.NotAuthorized, 2] },
    ]);
  });

  it('[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] decides on retained messages by Retain Handling', () => {
    const { session } = connectedSession();
    const subscribe = (retainHandling: 0 | 1 | 2) =>
      only(
        ofType(
          session.receive(
            { type: 'subscribe', packetId: 1, subscriptions: [subscription('r', { retainHandling })] },
            start,
          ),
          'subscribe',
        ),
      );
    expect(subscribe(1)).toMatchObject({ isNew: true, sendRetained: true });
    expect(subscribe(1)).toMatchObject({ isNew: false, sendRetained: false });
    expect(subscribe(0)).toMatchObject({ isNew: false, sendRetained: true });
    expect(subscribe(2)).toMatchObject({ sendRetained: false });
  });

  it('[MQTT-3.8.4-3] replaces a subscription with an identical filter and keeps its identifier', () => {
    const { session } = connectedSession();
    session.receive(
      { type: 'subscribe', packetId: 1, subscriptions: [subscription('a', { qos: 0 })] },
      start,
    );
    session.receive(
      {
        type: 'subscribe',
        packetId: 2,
        subscriptions: [subscription('a', { qos: 1 })],
        properties: { subscriptionIdentifiers: [42] },
      },
      start,
    );
    expect(session.getSubscriptions()).toEqual([
      { ...subscription('a', { qos: 1 }), subscriptionIdentifier: 42 },
    ]);
  });

  it('sends no retained messages for a new shared subscription', () => {
    const { session } = connectedSession();
    const actions = session.receive(
      { type: 'subscribe', packetId: 1, subscriptions: [subscription('$share/g/a')] },
      start,
    );
    expect(only(ofType(actions, 'subscribe')).sendRetained).toBe(false);
  });

  it('[MQTT-3.8.3-4] closes the connection for No Local on a shared subscription', () => {
    const { session } = connectedSession();
    const actions = session.receive(
      { type: 'subscribe', packetId: 1, subscriptions: [subscription('$share/g/a', { noLocal: true })] },
      start,
    );
    expect(closing(actions)).toMatchObject({ type: 'disconnect', reasonCode: ReasonCode.ProtocolError });
  });

  it('refuses shared and wildcard filters when not available, with 0x9E and 0xA2', () => {
    const { session } = connectedSession({
      capabilities: { sharedSubscriptionAvailable: false, wildcardSubscriptionAvailable: false },
    });
    const actions = session.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [subscription('$share/g/a'), subscription('a/+'), subscription('a')],
      },
      start,
    );
    expect(sent(actions)).toEqual([
      { type: 'suback', packetId: 1, reasonCodes: [ReasonCode.SharedSubscriptionsNotSupported, 0xa2, 2] },
    ]);
  });

  it('[MQTT-3.8.3-2] refuses wildcard filters on 3.1.1 when not available', () => {
    const { session } = connectedSession({
      capabilities: { wildcardSubscriptionAvailable: false },
      connect: { protocolVersion: 4 },
    });
    const actions = session.receive(
      { type: 'subscribe', packetId: 1, subscriptions: [subscription('#')] },
      start,
    );
    expect(sent(actions)).toEqual([{ type: 'suback', packetId: 1, reasonCodes: [0x80] }]);
  });

  it('closes the connection with 0xA1 for a subscription identifier when not available', () => {
    const { session } = connectedSession({ capabilities: { subscriptionIdentifiersAvailable: false } });
    const actions = session.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [subscription('a')],
        properties: { subscriptionIdentifiers: [1] },
      },
      start,
    );
    expect(closing(actions)).toMatchObject({ reasonCode: ReasonCode.SubscriptionIdentifiersNotSupported });
  });

  it('[MQTT-3.10.4-1] [MQTT-3.10.4-4] [MQTT-3.10.4-5] removes exact matches only and always answers UNSUBACK', () => {
    const { session } = connectedSession();
    session.receive({ type: 'subscribe', packetId: 1, subscriptions: [subscription('a/+')] }, start);
    const actions = session.receive(
      { type: 'unsubscribe', packetId: 2, topicFilters: ['a/b', 'a/+'] },
      start,
    );
    expect(ofType(actions, 'unsubscribe')).toEqual([{ type: 'unsubscribe', topicFilter: 'a/+' }]);
    expect(sent(actions)).toEqual([
      { type: 'unsuback', packetId: 2, reasonCodes: [ReasonCode.NoSubscriptionExisted, ReasonCode.Success] },
    ]);
    const v4 = connectedSession({ connect: { protocolVersion: 4 } }).session;
    expect(sent(v4.receive({ type: 'unsubscribe', packetId: 3, topicFilters: ['x'] }, start))).toEqual([
      { type: 'unsuback', packetId: 3, reasonCodes: [] },
    ]);
  });
});
