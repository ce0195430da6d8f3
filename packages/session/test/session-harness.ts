import type { Connect, Packet, Publish } from '@mqttkit/codec';
import { createSessionCapabilities, Session } from '../src/index.js';
import type { ApplicationMessage, SessionAction, SessionCapabilitiesInput } from '../src/index.js';

/** The test clock's start, in milliseconds. */
export const start = 1_000_000;

export function connectPacket(overrides: Partial<Connect> = {}): Connect {
  return {
    type: 'connect',
    protocolVersion: 5,
    clean: true,
    keepAlive: 60,
    clientId: 'client-1',
    ...overrides,
  };
}

export function publishPacket(overrides: Partial<Publish> = {}): Publish {
  return {
    type: 'publish',
    topic: 'a/b',
    payload: new Uint8Array([1, 2, 3]),
    qos: 0,
    retain: false,
    dup: false,
    ...overrides,
  };
}

export function message(overrides: Partial<ApplicationMessage> = {}): ApplicationMessage {
  return { topic: 'a/b', payload: new Uint8Array([1, 2, 3]), qos: 1, retain: false, ...overrides };
}

/** A session with an accepted connection. */
export function connectedSession(
  options: { capabilities?: SessionCapabilitiesInput; connect?: Partial<Connect>; clientId?: string } = {},
): { session: Session; actions: SessionAction[] } {
  const session = new Session({
    clientId: options.clientId ?? options.connect?.clientId ?? 'client-1',
    capabilities: createSessionCapabilities(options.capabilities),
  });
  const actions = session.connect(connectPacket(options.connect), start);
  return { session, actions };
}

/** The packets of the `send` actions, in order. */
export function sent(actions: readonly SessionAction[]): Packet[] {
  return actions.flatMap((action) => (action.type === 'send' ? [action.packet] : []));
}

export function ofType<T extends SessionAction['type']>(
  actions: readonly SessionAction[],
  type: T,
): Extract<SessionAction, { type: T }>[] {
  return actions.filter((action): action is Extract<SessionAction, { type: T }> => action.type === type);
}

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) {
    throw new Error(`expected exactly one item, got ${items.length}`);
  }
  return items[0] as T;
}

/** The one `disconnect` action of a call. */
export function closing(actions: readonly SessionAction[]): Extract<SessionAction, { type: 'disconnect' }> {
  return only(ofType(actions, 'disconnect'));
}
