import { ReasonCode } from '@mqttkit/codec';
import type { Connack } from '@mqttkit/codec';
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
import { createSessionCapabilities } from './session-capabilities.js';
import { Session } from './session.js';

function connackOf(actions: Parameters<typeof sent>[0]): Connack {
  return only(sent(actions).filter((packet): packet is Connack => packet.type === 'connack'));
}

describe('Session connect', () => {
  it('[MQTT-3.2.2-2] accepts a clean start with Session Present 0 and reason code 0', () => {
    const { actions } = connectedSession();
    const connack = connackOf(actions);
    expect(connack.sessionPresent).toBe(false);
    expect(connack.reasonCode).toBe(ReasonCode.Success);
  });

  it('[MQTT-3.1.2-5] [MQTT-3.2.2-3] resumes an existing session with Session Present 1', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.connectionLost(start + 1);
    const actions = session.connect(connectPacket({ clean: false }), start + 2);
    expect(connackOf(actions).sessionPresent).toBe(true);
  });

  it('[MQTT-3.1.2-6] creates a new session for clean start 0 when none exists', () => {
    const session = new Session({ clientId: 'fresh' });
    const actions = session.connect(connectPacket({ clean: false, clientId: 'fresh' }), start);
    expect(connackOf(actions).sessionPresent).toBe(false);
  });

  it('[MQTT-3.1.2-4] clean start discards subscriptions and messages, reporting every drop', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'a/#', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      start,
    );
    session.publish({ message: message(), qos: 1, retain: false }, start);
    session.connectionLost(start + 1);
    session.publish({ message: message(), qos: 1, retain: false }, start + 2);
    const actions = session.connect(connectPacket({ clean: true }), start + 3);
    expect(connackOf(actions).sessionPresent).toBe(false);
    expect(ofType(actions, 'drop').map((drop) => drop.reason)).toEqual(['session-ended', 'session-ended']);
    expect(ofType(actions, 'unsubscribe')).toEqual([{ type: 'unsubscribe', topicFilter: 'a/#' }]);
    expect(ofType(actions, 'persist').map((persist) => persist.change.kind)).toContain('cleared');
    expect(session.getSubscriptions()).toEqual([]);
    expect(session.inflightCount + session.queuedCount).toBe(0);
  });

  it('[MQTT-3.1.3-7] [MQTT-3.2.2-16] returns the assigned client identifier for an empty client id', () => {
    const session = new Session({ clientId: 'assigned-7' });
    const actions = session.connect(connectPacket({ clientId: '' }), start);
    expect(connackOf(actions).properties?.assignedClientIdentifier).toBe('assigned-7');
  });

  it('[MQTT-3.1.3-8] refuses an empty client id without a clean session on 3.1.1', () => {
    const session = new Session({ clientId: 'x' });
    const actions = session.connect(connectPacket({ clientId: '', clean: false, protocolVersion: 4 }), start);
    expect(connackOf(actions).reasonCode).toBe(ReasonCode.ClientIdentifierNotValid);
    expect(ofType(actions, 'disconnect')[0]?.sendDisconnect).toBe(false);
    expect(session.connected).toBe(false);
  });

  it('derives the CONNACK properties from the capabilities', () => {
    const { actions } = connectedSession({
      capabilities: {
        receiveMaximum: 10,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 4096,
        topicAliasMaximum: 5,
        wildcardSubscriptionAvailable: false,
        subscriptionIdentifiersAvailable: false,
        sharedSubscriptionAvailable: false,
        serverKeepAlive: 30,
        maximumSessionExpiryInterval: 100,
      },
      connect: { properties: { sessionExpiryInterval: 500, authenticationMethod: 'SCRAM' } },
    });
    expect(connackOf(actions).properties).toEqual({
      sessionExpiryInterval: 100,
      receiveMaximum: 10,
      maximumQoS: 1,
      retainAvailable: false,
      maximumPacketSize: 4096,
      topicAliasMaximum: 5,
      wildcardSubscriptionAvailable: false,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: false,
      serverKeepAlive: 30,
      authenticationMethod: 'SCRAM',
    });
  });

  it('sends a 3.1.1 CONNACK without properties and no properties when defaults apply', () => {
    expect(
      connackOf(connectedSession({ connect: { protocolVersion: 4 } }).actions).properties,
    ).toBeUndefined();
    const { actions } = connectedSession({ capabilities: { receiveMaximum: 65_535, topicAliasMaximum: 0 } });
    expect(connackOf(actions).properties).toBeUndefined();
  });

  it('[MQTT-3.2.2-12] refuses a will QoS above the maximum QoS', () => {
    const session = new Session({
      clientId: 'w',
      capabilities: createSessionCapabilities({ maximumQoS: 1 }),
    });
    const will = { topic: 'will', payload: new Uint8Array(), qos: 2 as const, retain: false };
    const actions = session.connect(connectPacket({ will }), start);
    expect(connackOf(actions).reasonCode).toBe(ReasonCode.QoSNotSupported);
  });

  it('throws when connect is called while a connection is attached', () => {
    const { session } = connectedSession();
    expect(() => session.connect(connectPacket(), start)).toThrow(/already has a connection/);
  });

  it('[MQTT-3.1.4-3] close() on takeover sends DISCONNECT 0x8E to an MQTT 5 client and keeps the session', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    const actions = session.close(ReasonCode.SessionTakenOver, start + 1);
    expect(only(ofType(actions, 'disconnect'))).toMatchObject({ reasonCode: 0x8e, sendDisconnect: true });
    expect(session.close(ReasonCode.SessionTakenOver, start + 2)).toEqual([]);
    const resumed = session.connect(connectPacket({ clean: false }), start + 2);
    expect(connackOf(resumed).sessionPresent).toBe(true);
  });

  it('[MQTT-4.1.0-2] discards the session after its expiry interval, also when the client returns late', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 10 } },
    });
    session.connectionLost(start);
    expect(session.nextDeadline()).toBe(start + 10_000);
    const actions = session.connect(connectPacket({ clean: false }), start + 10_000);
    expect(connackOf(actions).sessionPresent).toBe(false);
  });

  it('[MQTT-3.1.2-23] ends a session with expiry interval 0 when the connection closes', () => {
    const { session } = connectedSession();
    expect(session.connectionLost(start + 5)).toEqual([{ type: 'end', clientId: 'client-1' }]);
    expect(session.connectionLost(start + 6)).toEqual([]);
    const late = session.publish({ message: message(), qos: 1, retain: false }, start + 7);
    expect(late).toEqual([expect.objectContaining({ type: 'drop', reason: 'session-ended' })]);
  });

  it('keeps 3.1.1 persistent sessions until the broker maximum', () => {
    const { session } = connectedSession({
      capabilities: { maximumSessionExpiryInterval: 3600 },
      connect: { protocolVersion: 4, clean: false },
    });
    session.connectionLost(start);
    expect(session.nextDeadline()).toBe(start + 3_600_000);
    expect(ofType(session.tick(start + 3_599_999), 'end')).toEqual([]);
    expect(ofType(session.tick(start + 3_600_000), 'end')).toHaveLength(1);
  });

  it('never expires a session with interval 0xFFFFFFFF', () => {
    const { session } = connectedSession({
      connect: { clean: false, properties: { sessionExpiryInterval: 0xffff_ffff } },
    });
    session.connectionLost(start);
    expect(session.nextDeadline()).toBeUndefined();
  });
});

describe('Session keep alive', () => {
  it('[MQTT-3.1.2-24] disconnects after one and a half keep-alive periods without a packet', () => {
    const { session } = connectedSession({ connect: { keepAlive: 10 } });
    expect(session.nextDeadline()).toBe(start + 15_000);
    expect(session.tick(start + 14_999)).toEqual([]);
    session.receive({ type: 'pingreq' }, start + 10_000);
    expect(session.nextDeadline()).toBe(start + 25_000);
    const actions = session.tick(start + 25_000);
    expect(ofType(actions, 'disconnect')[0]).toMatchObject({
      reasonCode: ReasonCode.KeepAliveTimeout,
      sendDisconnect: true,
    });
    expect(session.connected).toBe(false);
  });

  it('[MQTT-3.2.2-22] uses the server keep alive for MQTT 5 clients and the client keep alive for 3.1.1', () => {
    const v5 = connectedSession({
      capabilities: { serverKeepAlive: 20 },
      connect: { keepAlive: 10 },
    }).session;
    expect(v5.nextDeadline()).toBe(start + 30_000);
    const v4 = connectedSession({
      capabilities: { serverKeepAlive: 20 },
      connect: { keepAlive: 10, protocolVersion: 4 },
    });
    expect(v4.session.nextDeadline()).toBe(start + 15_000);
    expect(ofType(v4.session.tick(start + 15_000), 'disconnect')[0]?.sendDisconnect).toBe(false);
  });

  it('has no keep-alive deadline for keep alive 0', () => {
    expect(connectedSession({ connect: { keepAlive: 0 } }).session.nextDeadline()).toBeUndefined();
  });
});

describe('Session will', () => {
  const will = {
    topic: 'clients/gone',
    payload: new Uint8Array([9]),
    qos: 1 as const,
    retain: true,
    properties: {
      willDelayInterval: 5,
      messageExpiryInterval: 30,
      userProperties: [['a', '1'] as const, ['b', '2'] as const],
    },
  };

  it('[MQTT-3.1.2-8] publishes the will after its delay, without the delay property', () => {
    const { session } = connectedSession({
      connect: { will, clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    expect(ofType(session.connectionLost(start), 'publish-will')).toEqual([]);
    expect(session.nextDeadline()).toBe(start + 5000);
    const actions = session.tick(start + 5000);
    expect(only(ofType(actions, 'publish-will')).message).toEqual({
      topic: 'clients/gone',
      payload: will.payload,
      qos: 1,
      retain: true,
      properties: {
        messageExpiryInterval: 30,
        userProperties: [
          ['a', '1'],
          ['b', '2'],
        ],
      },
      expiresAt: start + 5000 + 30_000,
    });
    expect(session.tick(start + 6000)).toEqual([]);
  });

  it('[MQTT-3.1.2-8] publishes the will at session end when that comes before the delay', () => {
    const { session } = connectedSession({
      connect: { will, clean: false, properties: { sessionExpiryInterval: 2 } },
    });
    session.connectionLost(start);
    expect(session.nextDeadline()).toBe(start + 2000);
    const actions = session.tick(start + 2000);
    expect(actions.map((action) => action.type)).toEqual(['publish-will', 'end']);
  });

  it('publishes a delayed will of a session that never expires after the delay', () => {
    const { session } = connectedSession({
      connect: { will, clean: false, properties: { sessionExpiryInterval: 0xffff_ffff } },
    });
    session.connectionLost(start);
    expect(session.nextDeadline()).toBe(start + 5000);
    expect(ofType(session.tick(start + 5000), 'publish-will')).toHaveLength(1);
    expect(session.nextDeadline()).toBeUndefined();
  });

  it('publishes a will that fell due before the client came back, even without a tick', () => {
    const { session } = connectedSession({
      connect: { will, clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.connectionLost(start);
    const actions = session.connect(connectPacket({ clean: false }), start + 5000);
    expect(actions.map((action) => action.type)).toEqual(['publish-will', 'send', 'persist']);
  });

  it('[MQTT-3.1.3-9] does not send the will when the client reconnects within the delay', () => {
    const { session } = connectedSession({
      connect: { will, clean: false, properties: { sessionExpiryInterval: 60 } },
    });
    session.connectionLost(start);
    session.connect(connectPacket({ clean: false }), start + 1000);
    session.connectionLost(start + 2000);
    expect(ofType(session.tick(start + 10_000), 'publish-will')).toEqual([]);
  });

  it('[MQTT-3.14.4-3] [MQTT-3.1.2-10] discards the will on a normal DISCONNECT', () => {
    const { session } = connectedSession({ connect: { will: { ...will, properties: {} } } });
    const actions = session.receive({ type: 'disconnect' }, start + 1);
    expect(ofType(actions, 'publish-will')).toEqual([]);
    expect(only(ofType(actions, 'disconnect')).sendDisconnect).toBe(false);
  });

  it('publishes the will on DISCONNECT 0x04 (disconnect with will message)', () => {
    const { session } = connectedSession({ connect: { will: { ...will, properties: {} } } });
    const actions = session.receive(
      { type: 'disconnect', reasonCode: ReasonCode.DisconnectWithWillMessage },
      start,
    );
    expect(ofType(actions, 'publish-will')).toHaveLength(1);
  });

  it('publishes a 3.1.1 will at once when the connection is lost', () => {
    const { session } = connectedSession({
      connect: { protocolVersion: 4, will: { topic: 'w', payload: new Uint8Array(), qos: 0, retain: false } },
    });
    expect(session.connectionLost(start).map((action) => action.type)).toEqual(['publish-will', 'end']);
  });

  it('[MQTT-3.1.2-8] publishes the will after a protocol error closes the connection', () => {
    const { session } = connectedSession({ connect: { will: { ...will, properties: {} } } });
    const actions = session.receive(connectPacket(), start);
    expect(ofType(actions, 'publish-will')).toHaveLength(1);
  });
});
