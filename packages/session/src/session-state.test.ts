import { MqttError } from '@mqttkit/codec';
import type { Publish } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import {
  connectedSession,
  connectPacket,
  message,
  ofType,
  publishPacket,
  sent,
  start,
} from '../test/session-harness.js';
import type { SessionState } from './session-state.js';
import { Session } from './session.js';

function persistentSession() {
  return connectedSession({ connect: { clean: false, properties: { sessionExpiryInterval: 3600 } } });
}

/** Through structuredClone: what a store would write and read back. */
function moved(session: Session): Session {
  return Session.fromState(structuredClone(session.toState()), session.capabilities);
}

describe('Session state', () => {
  it('round-trips through plain data exactly, connected or not', () => {
    const { session } = connectedSession({
      capabilities: { outboundTopicAliases: true },
      connect: {
        clean: false,
        keepAlive: 30,
        properties: { sessionExpiryInterval: 3600, topicAliasMaximum: 4, receiveMaximum: 1 },
      },
    });
    session.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'a/#', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      start,
    );
    session.receive(
      publishPacket({ topic: 'in', qos: 2, packetId: 5, properties: { topicAlias: 2 } }),
      start,
    );
    session.publish({ message: message({ topic: 'out' }), qos: 1, retain: false }, start);
    session.publish(
      { message: message({ topic: 'waiting', expiresAt: start + 9000 }), qos: 1, retain: false },
      start,
    );
    const state = session.toState();
    expect(
      JSON.parse(
        JSON.stringify(state, (_key, value: unknown) => (value instanceof Uint8Array ? [...value] : value)),
      ),
    ).toBeTruthy();
    const copy = moved(session);
    expect(copy.toState()).toEqual(state);
    expect(copy.nextDeadline()).toBe(session.nextDeadline());
    expect(copy.topicOf(publishPacket({ topic: '', properties: { topicAlias: 2 } }))).toBe('in');
    session.connectionLost(start + 1);
    expect(moved(session).toState()).toEqual(session.toState());
  });

  it('refuses an unknown state version', () => {
    const state = { ...connectedSession().session.toState(), version: 2 } as unknown as SessionState;
    expect(() => Session.fromState(state)).toThrow(MqttError);
  });

  it('[MQTT-4.4.0-1] resumes an outbound QoS 1 and QoS 2 flow on another node after the connection broke', () => {
    const { session } = persistentSession();
    session.publish({ message: message({ topic: 'q1' }), qos: 1, retain: false }, start);
    session.publish({ message: message({ topic: 'q2', qos: 2 }), qos: 2, retain: false }, start);
    session.publish({ message: message({ topic: 'q2b', qos: 2 }), qos: 2, retain: false }, start);
    session.receive({ type: 'pubrec', packetId: 3 }, start);
    session.connectionLost(start + 1);
    const elsewhere = moved(session);
    const actions = elsewhere.connect(connectPacket({ clean: false }), start + 2);
    expect(sent(actions).slice(1)).toEqual([
      expect.objectContaining({ type: 'publish', topic: 'q1', packetId: 1, dup: true }),
      expect.objectContaining({ type: 'publish', topic: 'q2', packetId: 2, dup: true }),
      { type: 'pubrel', packetId: 3 },
    ]);
    elsewhere.receive({ type: 'puback', packetId: 1 }, start + 3);
    expect(sent(elsewhere.receive({ type: 'pubrec', packetId: 2 }, start + 3))).toEqual([
      { type: 'pubrel', packetId: 2 },
    ]);
    elsewhere.receive({ type: 'pubcomp', packetId: 2 }, start + 3);
    elsewhere.receive({ type: 'pubcomp', packetId: 3 }, start + 3);
    expect(elsewhere.inflightCount).toBe(0);
  });

  it('[MQTT-4.3.3-10] resumes an inbound QoS 2 flow after reconnect without delivering twice', () => {
    const { session } = persistentSession();
    const packet: Publish = publishPacket({ qos: 2, packetId: 8 });
    expect(ofType(session.receive(packet, start), 'deliver')).toHaveLength(1);
    session.connectionLost(start + 1);
    const elsewhere = moved(session);
    elsewhere.connect(connectPacket({ clean: false }), start + 2);
    const repeat = elsewhere.receive({ ...packet, dup: true }, start + 3);
    expect(ofType(repeat, 'deliver')).toEqual([]);
    expect(sent(repeat)).toEqual([{ type: 'pubrec', packetId: 8 }]);
    expect(sent(elsewhere.receive({ type: 'pubrel', packetId: 8 }, start + 4))).toEqual([
      { type: 'pubcomp', packetId: 8 },
    ]);
  });

  it('[MQTT-4.3.2-5] delivers an inbound QoS 1 message again when the client re-sends it after reconnect', () => {
    const { session } = persistentSession();
    session.receive(publishPacket({ qos: 1, packetId: 2 }), start);
    session.connectionLost(start + 1);
    session.connect(connectPacket({ clean: false }), start + 2);
    const repeat = session.receive(publishPacket({ qos: 1, packetId: 2, dup: true }), start + 3);
    expect(repeat.map((action) => action.type)).toEqual(['deliver', 'send']);
  });

  it('keeps the tables of each session apart while idle sessions share empty ones', () => {
    const capabilities = { outboundTopicAliases: true };
    const connect = { properties: { topicAliasMaximum: 4 } };
    const { session: busy } = connectedSession({ capabilities, connect });
    const { session: idle } = connectedSession({ capabilities, connect });
    busy.receive(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'a', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      start,
    );
    busy.receive(publishPacket({ topic: 'in', qos: 2, packetId: 5, properties: { topicAlias: 2 } }), start);
    busy.publish({ message: message({ topic: 'out' }), qos: 1, retain: false }, start);
    expect(busy.getSubscriptions()).toHaveLength(1);
    expect(busy.inflightCount).toBe(1);
    expect(idle.getSubscriptions()).toEqual([]);
    expect(idle.inflightCount).toBe(0);
    const idleState = idle.toState();
    expect(idleState.inbound).toEqual([]);
    expect(idleState.connection?.inboundAliases).toEqual([]);
    expect(idleState.connection?.outboundAliases).toEqual([]);
    // A clean start forgets the tables; the session fills new ones afterwards.
    busy.connectionLost(start + 1);
    busy.connect(connectPacket({ clean: true }), start + 2);
    expect(busy.getSubscriptions()).toEqual([]);
    expect(busy.inflightCount).toBe(0);
    expect(moved(busy).toState().inbound).toEqual([]);
  });
});
