import type {
  StoredOutboundRecord,
  StoredSession,
  StoredSessionChange,
  StoredSubscription,
} from '@mqttkit/contracts';
import type { MessageKeeper } from './message-keeper.js';

const maximumPacketId = 65_535;

type SessionFields = Omit<Extract<StoredSessionChange, { kind: 'session' }>, 'kind'>;
/**
 * One session as the memory store holds it: subscriptions by topic filter, outbound records by
 * sequence and inbound ids in sets, all in insertion order, so every change costs O(1).
 */
export class MemorySession {
  private readonly subscriptions = new Map<string, StoredSubscription>();
  private readonly inbound = new Set<number>();
  /** The store's own copies of the records, updated in place by `outbound-updated`. */
  private readonly outbound = new Map<number, StoredOutboundRecord>();
  private fields: SessionFields;
  private established = true;
  private nextPacketId = 1;
  private nextSequence = 1;

  private constructor(
    fields: SessionFields,
    private readonly keeper: MessageKeeper,
  ) {
    this.fields = this.keepFields(fields);
  }

  /** A new session from the `session` change that creates it. */
  static create(fields: SessionFields, keeper: MessageKeeper): MemorySession {
    return new MemorySession(fields, keeper);
  }

  /** Takes a snapshot of a whole stored session. */
  static fromStored(session: StoredSession, keeper: MessageKeeper): MemorySession {
    const memory = new MemorySession(session, keeper);
    memory.established = session.established;
    for (const subscription of session.subscriptions) {
      memory.subscriptions.set(subscription.topicFilter, { ...subscription });
    }
    for (const packetId of session.inbound) {
      memory.inbound.add(packetId);
    }
    for (const record of session.outbound) {
      memory.outbound.set(record.sequence, memory.keepRecord(record));
    }
    memory.nextPacketId = session.nextPacketId;
    memory.nextSequence = session.nextSequence;
    return memory;
  }

  /** Applies one change, with the effect `StoredSessionChange` documents. */
  apply(change: StoredSessionChange): void {
    switch (change.kind) {
      case 'session':
        this.fields = this.keepFields(change);
        this.established = true;
        return;
      case 'cleared':
        this.subscriptions.clear();
        this.inbound.clear();
        this.outbound.clear();
        return;
      case 'subscription-added':
        this.subscriptions.set(change.subscription.topicFilter, { ...change.subscription });
        return;
      case 'subscription-removed':
        this.subscriptions.delete(change.topicFilter);
        return;
      case 'outbound-added': {
        const record = change.record;
        this.outbound.set(record.sequence, this.keepRecord(record));
        this.nextSequence = Math.max(this.nextSequence, record.sequence + 1);
        if (record.phase === 'publish' && record.packetId !== undefined) {
          this.nextPacketId = followingPacketId(record.packetId);
        }
        return;
      }
      case 'outbound-updated': {
        const record = this.outbound.get(change.sequence);
        if (record !== undefined) {
          record.phase = change.phase;
          record.packetId = change.packetId;
          if (change.phase === 'publish') this.nextPacketId = followingPacketId(change.packetId);
        }
        return;
      }
      case 'outbound-removed':
        this.outbound.delete(change.sequence);
        return;
      case 'inbound-added':
        this.inbound.add(change.packetId);
        return;
      case 'inbound-removed':
        this.inbound.delete(change.packetId);
        return;
    }
  }

  /** A fresh `StoredSession` the caller may change; payloads and properties stay shared. */
  toStored(clientId: string): StoredSession {
    const {
      clientId: _clientId,
      protocolVersion,
      sessionExpiryInterval,
      will,
      willAt,
      expiresAt,
    } = this.fields;
    const session: StoredSession = {
      version: 1,
      clientId,
      protocolVersion,
      established: this.established,
      sessionExpiryInterval,
      subscriptions: Array.from(this.subscriptions.values(), (subscription) => ({ ...subscription })),
      inbound: [...this.inbound],
      outbound: Array.from(this.outbound.values(), (record) => ({ ...record })),
      nextPacketId: this.nextPacketId,
      nextSequence: this.nextSequence,
    };
    if (will !== undefined) session.will = will;
    if (willAt !== undefined) session.willAt = willAt;
    if (expiresAt !== undefined) session.expiresAt = expiresAt;
    return session;
  }

  private keepFields(fields: SessionFields): SessionFields {
    return {
      clientId: fields.clientId,
      protocolVersion: fields.protocolVersion,
      sessionExpiryInterval: fields.sessionExpiryInterval,
      ...(fields.will === undefined ? {} : { will: this.keeper.will(fields.will) }),
      ...(fields.willAt === undefined ? {} : { willAt: fields.willAt }),
      ...(fields.expiresAt === undefined ? {} : { expiresAt: fields.expiresAt }),
    };
  }

  private keepRecord(record: StoredOutboundRecord): StoredOutboundRecord {
    return { ...record, message: this.keeper.message(record.message) };
  }
}

function followingPacketId(packetId: number): number {
  return packetId === maximumPacketId ? 1 : packetId + 1;
}
