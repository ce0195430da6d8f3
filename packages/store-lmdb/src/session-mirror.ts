import type {
  StoredMessage,
  StoredOutboundRecord,
  StoredSession,
  StoredSessionChange,
  StoredSubscription,
} from '@mqttkit/contracts';

type Will = NonNullable<StoredSession['will']>;
type SessionFields = Extract<StoredSessionChange, { kind: 'session' }>;

/** What a session keeps on disk besides its counters and outbound records. */
export interface SessionHeader {
  readonly clientId: string;
  readonly protocolVersion: StoredSession['protocolVersion'];
  readonly established: boolean;
  readonly sessionExpiryInterval: number;
  readonly will?: Will;
  readonly willAt?: number;
  readonly expiresAt?: number;
  readonly subscriptions: readonly StoredSubscription[];
  readonly inbound: readonly number[];
}

/** Told which entries of a session a change touched, so the store writes only those. */
export interface ChangeSink {
  header(): void;
  counters(): void;
  /**
   * `record` is the new record under `sequence`, or `undefined` when it was removed; `fresh` says
   * the sequence was never used before in this session, so nothing is stored under it yet.
   */
  outbound(sequence: number, record: StoredOutboundRecord | undefined, fresh?: boolean): void;
}

const maximumPacketId = 65_535;

/**
 * One session in memory, the copy every read is served from. Subscriptions, QoS 2 ids and
 * outbound records sit in insertion-ordered Maps and Sets, so each change costs O(1); records
 * are replaced, never mutated, so one handed to the disk writer stays as it was.
 */
export class SessionMirror {
  clientId: string;
  protocolVersion: StoredSession['protocolVersion'];
  established: boolean;
  sessionExpiryInterval: number;
  will: Will | undefined;
  willAt: number | undefined;
  expiresAt: number | undefined;
  readonly subscriptions = new Map<string, StoredSubscription>();
  readonly inbound = new Set<number>();
  readonly outbound = new Map<number, StoredOutboundRecord>();
  nextPacketId = 1;
  nextSequence = 1;

  private constructor(header: SessionHeader) {
    this.clientId = header.clientId;
    this.protocolVersion = header.protocolVersion;
    this.established = header.established;
    this.sessionExpiryInterval = header.sessionExpiryInterval;
    this.will = header.will;
    this.willAt = header.willAt;
    this.expiresAt = header.expiresAt;
    for (const subscription of header.subscriptions) {
      this.subscriptions.set(subscription.topicFilter, { ...subscription });
    }
    for (const packetId of header.inbound) this.inbound.add(packetId);
  }

  static create(change: SessionFields): SessionMirror {
    const session = new SessionMirror({
      clientId: change.clientId,
      protocolVersion: change.protocolVersion,
      established: true,
      sessionExpiryInterval: change.sessionExpiryInterval,
      subscriptions: [],
      inbound: [],
    });
    session.setFields(change);
    return session;
  }

  /** A mirror of a whole session (a save, or one restored from disk); copies every container. */
  static fromStored(
    session: SessionHeader & Pick<StoredSession, 'outbound' | 'nextPacketId' | 'nextSequence'>,
  ): SessionMirror {
    const mirror = new SessionMirror(session);
    for (const record of session.outbound) mirror.outbound.set(record.sequence, copyRecord(record));
    mirror.nextPacketId = session.nextPacketId;
    mirror.nextSequence = session.nextSequence;
    return mirror;
  }

  /** Applies one change as `StoredSessionChange` describes it, telling `sink` what to write. */
  apply(change: StoredSessionChange, sink: ChangeSink): void {
    switch (change.kind) {
      case 'session':
        this.setFields(change);
        sink.header();
        return;
      case 'cleared':
        this.subscriptions.clear();
        this.inbound.clear();
        for (const sequence of this.outbound.keys()) sink.outbound(sequence, undefined);
        this.outbound.clear();
        sink.header();
        return;
      case 'subscription-added':
        this.subscriptions.set(change.subscription.topicFilter, { ...change.subscription });
        sink.header();
        return;
      case 'subscription-removed':
        if (this.subscriptions.delete(change.topicFilter)) sink.header();
        return;
      case 'outbound-added': {
        const record = copyRecord(change.record);
        // Sequences only grow, and the counters are written in the same batch as the record.
        const fresh = record.sequence >= this.nextSequence && !this.outbound.has(record.sequence);
        this.outbound.set(record.sequence, record);
        sink.outbound(record.sequence, record, fresh);
        this.nextSequence = Math.max(this.nextSequence, record.sequence + 1);
        if (record.phase === 'publish' && record.packetId !== undefined)
          this.nextPacketId = following(record.packetId);
        sink.counters();
        return;
      }
      case 'outbound-updated': {
        const current = this.outbound.get(change.sequence);
        if (current === undefined) return;
        const record = { ...current, phase: change.phase, packetId: change.packetId };
        this.outbound.set(change.sequence, record);
        sink.outbound(change.sequence, record);
        if (change.phase === 'publish') {
          this.nextPacketId = following(change.packetId);
          sink.counters();
        }
        return;
      }
      case 'outbound-removed':
        if (this.outbound.delete(change.sequence)) sink.outbound(change.sequence, undefined);
        return;
      case 'inbound-added':
        if (!this.inbound.has(change.packetId)) {
          this.inbound.add(change.packetId);
          sink.header();
        }
        return;
      case 'inbound-removed':
        if (this.inbound.delete(change.packetId)) sink.header();
        return;
    }
  }

  /** The session as the contract hands it out: fresh containers the caller may change. */
  toStored(): StoredSession {
    const session: StoredSession = {
      version: 1,
      clientId: this.clientId,
      protocolVersion: this.protocolVersion,
      established: this.established,
      sessionExpiryInterval: this.sessionExpiryInterval,
      subscriptions: [...this.subscriptions.values()].map((subscription) => ({ ...subscription })),
      inbound: [...this.inbound],
      outbound: [...this.outbound.values()].map(copyRecord),
      nextPacketId: this.nextPacketId,
      nextSequence: this.nextSequence,
    };
    if (this.will !== undefined) session.will = this.will;
    if (this.willAt !== undefined) session.willAt = this.willAt;
    if (this.expiresAt !== undefined) session.expiresAt = this.expiresAt;
    return session;
  }

  /** A snapshot of the header entry, taken when a batch is sealed. */
  header(): SessionHeader {
    return {
      clientId: this.clientId,
      protocolVersion: this.protocolVersion,
      established: this.established,
      sessionExpiryInterval: this.sessionExpiryInterval,
      ...(this.will === undefined ? {} : { will: this.will }),
      ...(this.willAt === undefined ? {} : { willAt: this.willAt }),
      ...(this.expiresAt === undefined ? {} : { expiresAt: this.expiresAt }),
      subscriptions: [...this.subscriptions.values()],
      inbound: [...this.inbound],
    };
  }

  counters(): readonly [number, number] {
    return [this.nextPacketId, this.nextSequence];
  }

  private setFields(change: SessionFields): void {
    this.protocolVersion = change.protocolVersion;
    this.sessionExpiryInterval = change.sessionExpiryInterval;
    this.established = true;
    this.will = change.will;
    this.willAt = change.willAt;
    this.expiresAt = change.expiresAt;
  }
}

function following(packetId: number): number {
  return packetId === maximumPacketId ? 1 : packetId + 1;
}

/** Copies the record and its arrays without `undefined` fields; the message stays shared. */
export function copyRecord(record: StoredOutboundRecord): StoredOutboundRecord {
  const copy: StoredOutboundRecord = {
    sequence: record.sequence,
    message: record.message,
    qos: record.qos,
    retain: record.retain,
    bytes: record.bytes,
    phase: record.phase,
  };
  if (record.packetId !== undefined) copy.packetId = record.packetId;
  if (record.subscriptionIdentifiers !== undefined)
    copy.subscriptionIdentifiers = [...record.subscriptionIdentifiers];
  return copy;
}

/** The message without `undefined` fields, as it is written to disk. */
export function diskMessage(message: StoredMessage): StoredMessage {
  return {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    ...(message.properties === undefined ? {} : { properties: message.properties }),
    ...(message.expiresAt === undefined ? {} : { expiresAt: message.expiresAt }),
  };
}
