import type { StoredSession } from '../stored-session.js';
import type { StoredSessionChange } from '../stored-session-change.js';

const maximumPacketId = 65_535;

/**
 * The reference semantics of `StoredSessionChange`, written as plainly as possible over arrays:
 * what a store must hold after applying `change` to `session` (`undefined` when it holds none).
 * Returns a new session and leaves the input untouched.
 */
export function applyToSessionModel(
  session: StoredSession | undefined,
  change: StoredSessionChange,
): StoredSession | undefined {
  if (change.kind === 'session') {
    const base: StoredSession = session ?? {
      version: 1,
      clientId: change.clientId,
      protocolVersion: change.protocolVersion,
      established: true,
      sessionExpiryInterval: 0,
      subscriptions: [],
      inbound: [],
      outbound: [],
      nextPacketId: 1,
      nextSequence: 1,
    };
    const { will: _will, willAt: _willAt, expiresAt: _expiresAt, ...rest } = base;
    const next: StoredSession = {
      ...rest,
      protocolVersion: change.protocolVersion,
      sessionExpiryInterval: change.sessionExpiryInterval,
      established: true,
    };
    if (change.will !== undefined) next.will = change.will;
    if (change.willAt !== undefined) next.willAt = change.willAt;
    if (change.expiresAt !== undefined) next.expiresAt = change.expiresAt;
    return next;
  }
  if (session === undefined) {
    return undefined;
  }
  const next: StoredSession = {
    ...session,
    subscriptions: [...session.subscriptions],
    inbound: [...session.inbound],
    outbound: [...session.outbound],
  };
  switch (change.kind) {
    case 'cleared':
      next.subscriptions = [];
      next.inbound = [];
      next.outbound = [];
      break;
    case 'subscription-added': {
      const index = next.subscriptions.findIndex(
        (item) => item.topicFilter === change.subscription.topicFilter,
      );
      if (index === -1) next.subscriptions.push(change.subscription);
      else next.subscriptions[index] = change.subscription;
      break;
    }
    case 'subscription-removed':
      next.subscriptions = next.subscriptions.filter((item) => item.topicFilter !== change.topicFilter);
      break;
    case 'outbound-added': {
      const record = change.record;
      const index = next.outbound.findIndex((item) => item.sequence === record.sequence);
      if (index === -1) next.outbound.push(record);
      else next.outbound[index] = record;
      next.nextSequence = Math.max(next.nextSequence, record.sequence + 1);
      if (record.phase === 'publish' && record.packetId !== undefined) {
        next.nextPacketId = followingPacketId(record.packetId);
      }
      break;
    }
    case 'outbound-updated': {
      const index = next.outbound.findIndex((item) => item.sequence === change.sequence);
      const record = next.outbound[index];
      if (record !== undefined) {
        next.outbound[index] = { ...record, phase: change.phase, packetId: change.packetId };
        if (change.phase === 'publish') next.nextPacketId = followingPacketId(change.packetId);
      }
      break;
    }
    case 'outbound-removed':
      next.outbound = next.outbound.filter((item) => item.sequence !== change.sequence);
      break;
    case 'inbound-added':
      if (!next.inbound.includes(change.packetId)) next.inbound.push(change.packetId);
      break;
    case 'inbound-removed':
      next.inbound = next.inbound.filter((packetId) => packetId !== change.packetId);
      break;
  }
  return next;
}

function followingPacketId(packetId: number): number {
  return packetId === maximumPacketId ? 1 : packetId + 1;
}
