import { describe, expect, it } from 'vitest';
import type { Connect } from '@mqttkit/codec';
import { Session } from './session.js';

const connect: Connect = {
  type: 'connect',
  protocolVersion: 5,
  clean: false,
  keepAlive: 60,
  clientId: 'device',
  properties: { sessionExpiryInterval: 30 },
  will: { topic: 'status/device', payload: new Uint8Array([0x6f, 0x66, 0x66]), qos: 1, retain: false },
};

/** What a store holds for a session: its state without the live connection. */
function stored(session: Session): ReturnType<Session['toState']> {
  const { connection: _connection, ...state } = session.toState();
  return state;
}

describe('Session.restored', () => {
  it('[MQTT-3.1.2-8] publishes the will of a session stored while its client was connected', () => {
    const session = new Session({ clientId: 'device' });
    session.connect(connect, 0);
    const restarted = Session.fromState(stored(session));
    const actions = restarted.restored(5_000);
    expect(actions.find((action) => action.type === 'publish-will')).toMatchObject({
      message: { topic: 'status/device' },
    });
    expect(restarted.nextDeadline()).toBe(5_000 + 30_000);
  });

  it('delays the will by its Will Delay Interval, from the restart', () => {
    const session = new Session({ clientId: 'device' });
    session.connect({ ...connect, will: { ...connect.will!, properties: { willDelayInterval: 10 } } }, 0);
    const restarted = Session.fromState(stored(session));
    expect(restarted.restored(1_000).some((action) => action.type === 'publish-will')).toBe(false);
    expect(restarted.nextDeadline()).toBe(11_000);
    expect(restarted.tick(11_000).some((action) => action.type === 'publish-will')).toBe(true);
  });

  it('keeps the timers of a session stored after its client left', () => {
    const session = new Session({ clientId: 'device' });
    session.connect({ ...connect, will: undefined }, 0);
    session.connectionLost(2_000);
    const restarted = Session.fromState(stored(session));
    expect(restarted.restored(9_000)).toEqual([]);
    expect(restarted.nextDeadline()).toBe(2_000 + 30_000);
  });

  it('closes a connection that was restored with the session, as a lost connection', () => {
    const session = new Session({ clientId: 'device' });
    session.connect(connect, 0);
    const moved = Session.fromState(session.toState());
    expect(moved.connected).toBe(true);
    expect(moved.restored(3_000).some((action) => action.type === 'publish-will')).toBe(true);
    expect(moved.connected).toBe(false);
  });
});
