import { encodedLength, MqttError, ReasonCode } from '@mqttkit/codec';
import type {
  Connack,
  ConnackProperties,
  Connect,
  Packet,
  ProtocolVersion,
  Publish,
  PublishProperties,
  Subscribe,
  Unsubscribe,
  Will,
} from '@mqttkit/codec';
import { parseSharedSubscription, validateTopicFilter, validateTopicName } from '@mqttkit/topics';
import type { ApplicationMessage, Delivery, MessageProperties } from './application-message.js';
import type { OutboundRecord } from './outbound-record.js';
import { rejectConnect } from './reject-connect.js';
import { connectProblem } from './screen-connect.js';
import type { DropReason, SessionAction } from './session-action.js';
import {
  defaultSessionCapabilities,
  protocolMaximumPacketSize,
  sessionNeverExpires,
} from './session-capabilities.js';
import type { SessionCapabilities } from './session-capabilities.js';
import type { SessionChange } from './session-change.js';
import type { ConnectionState, SessionState } from './session-state.js';
import type { SessionSubscription } from './session-subscription.js';

/** The options of `new Session`. */
export interface SessionOptions {
  /** The client identifier; for an empty CONNECT client id, the identifier the broker assigned. */
  readonly clientId: string;
  /** From `createSessionCapabilities`; the defaults when absent. */
  readonly capabilities?: SessionCapabilities;
}

/** The outcome of the broker's authorization hooks for one inbound packet. */
export interface ReceiveDecision {
  /**
   * PUBLISH: refuse it with this reason code (0x80 or above, usually 0x87). MQTT 5 answers it in
   * PUBACK or PUBREC; 3.1.1 acknowledges as usual and drops the message [MQTT-3.3.5-2].
   */
  readonly deny?: number;
  /**
   * SUBSCRIBE: one entry per subscription, in order. Below 0x80 the highest QoS allowed; 0x80 or
   * above a failure reason code. Absent entries allow the requested QoS.
   */
  readonly subscriptions?: readonly (number | undefined)[];
}

interface Connection extends Omit<ConnectionState, 'inboundAliases' | 'outboundAliases'> {
  inboundAliases: Map<number, string>;
  outboundAliases: Map<string, number>;
}

const maximumPacketId = 65_535;

/**
 * The tables of a session stay these shared empty instances until their first entry: an idle
 * connection (no subscription, nothing inflight, no topic alias) then holds no table of its own,
 * about 170 bytes per empty Map or Set. Writing to them is a bug, so they throw.
 */
class EmptyMap<K, V> extends Map<K, V> {
  override set(): this {
    throw new Error('a shared empty session table was written to');
  }
}
class EmptySet<T> extends Set<T> {
  override add(): this {
    throw new Error('a shared empty session table was written to');
  }
}
const noSubscriptions: Map<string, SessionSubscription> = new EmptyMap();
const noRecords: Map<number, OutboundRecord> = new EmptyMap();
const noPacketIds: Set<number> = new EmptySet();
const noInboundAliases: Map<number, string> = new EmptyMap();
/**
 * The queue of every session that has queued nothing yet, replaced before the first push; frozen,
 * so a push that forgot to replace it throws instead of sharing records between sessions.
 */
const noQueue = Object.freeze([]) as unknown as OutboundRecord[];
const noOutboundAliases: Map<string, number> = new EmptyMap();

/**
 * One client's session and its QoS 0, 1 and 2 flows as a state machine (STYLE HS-15). It outlives
 * connections; every input returns the actions for the broker to carry out in order, and time
 * comes in as `now` (milliseconds). It never reads a clock or touches a socket.
 */
export class Session {
  readonly clientId: string;
  readonly capabilities: SessionCapabilities;
  private protocolVersion: ProtocolVersion = 5;
  private established = false;
  private sessionExpiryInterval = 0;
  private will: Will | undefined;
  private willAt: number | undefined;
  private expiresAt: number | undefined;
  // The tables below start as shared empty instances; add to them through `own*()`.
  private subscriptions = noSubscriptions;
  private inbound = noPacketIds;
  /** By packet id; a Map keeps insertion order, which is the original send order [MQTT-4.4.0-1]. */
  private inflight = noRecords;
  private inflightBytes = 0;
  private queue: OutboundRecord[] = noQueue;
  private queuedBytes = 0;
  private queueExpiry: number | undefined;
  private nextPacketId = 1;
  private nextSequence = 1;
  private connection: Connection | undefined;
  /** Whether the store holds this session: set by the first change reported, cleared by `end`. */
  private stored = false;

  constructor(options: SessionOptions) {
    this.clientId = options.clientId;
    this.capabilities = options.capabilities ?? defaultSessionCapabilities;
  }

  /** Resumes a session from `toState()` output, on this node or another. */
  static fromState(
    state: SessionState,
    capabilities: SessionCapabilities = defaultSessionCapabilities,
  ): Session {
    if (state.version !== 1) {
      throw invalidArgument(`Unknown session state version ${String(state.version)}`);
    }
    const session = new Session({ clientId: state.clientId, capabilities });
    session.protocolVersion = state.protocolVersion;
    session.established = state.established;
    session.sessionExpiryInterval = state.sessionExpiryInterval;
    session.will = state.will;
    session.willAt = state.willAt;
    session.expiresAt = state.expiresAt;
    for (const subscription of state.subscriptions) {
      session.ownSubscriptions().set(subscription.topicFilter, subscription);
    }
    for (const packetId of state.inbound) {
      session.ownInbound().add(packetId);
    }
    for (const stored of state.outbound) {
      const record = { ...stored };
      if (record.phase === 'queued' || record.packetId === undefined) {
        record.phase = 'queued';
        if (session.queue === noQueue) session.queue = [];
        session.queue.push(record);
        session.queuedBytes += record.bytes;
        session.noteQueueExpiry(record);
      } else {
        session.ownInflight().set(record.packetId, record);
        session.inflightBytes += record.bytes;
      }
    }
    session.stored = state.sessionExpiryInterval > 0;
    session.nextPacketId = state.nextPacketId;
    session.nextSequence = state.nextSequence;
    if (state.connection !== undefined) {
      const { inboundAliases, outboundAliases, ...connection } = state.connection;
      session.connection = {
        ...connection,
        inboundAliases: inboundAliases.length === 0 ? noInboundAliases : new Map(inboundAliases),
        outboundAliases: outboundAliases.length === 0 ? noOutboundAliases : new Map(outboundAliases),
      };
    }
    return session;
  }

  private ownSubscriptions(): Map<string, SessionSubscription> {
    if (this.subscriptions === noSubscriptions) this.subscriptions = new Map();
    return this.subscriptions;
  }

  private ownInbound(): Set<number> {
    if (this.inbound === noPacketIds) this.inbound = new Set();
    return this.inbound;
  }

  private ownInflight(): Map<number, OutboundRecord> {
    if (this.inflight === noRecords) this.inflight = new Map();
    return this.inflight;
  }

  /** Whether a network connection is attached. */
  get connected(): boolean {
    return this.connection !== undefined;
  }

  /** Outbound QoS 1 and 2 messages sent and not yet fully acknowledged. */
  get inflightCount(): number {
    return this.inflight.size;
  }

  /** Outbound messages waiting for the window or for the client. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** The subscriptions the session holds, in the order they were made. */
  getSubscriptions(): SessionSubscription[] {
    return [...this.subscriptions.values()];
  }

  /**
   * The topic of an inbound PUBLISH once its topic alias is resolved, so the broker can authorize
   * it before `receive`. Undefined for an alias with no mapping (which `receive` refuses).
   */
  topicOf(packet: Publish): string | undefined {
    if (packet.topic.length > 0) {
      return packet.topic;
    }
    const alias = packet.properties?.topicAlias;
    return alias === undefined ? undefined : this.connection?.inboundAliases.get(alias);
  }

  /**
   * Attaches a new connection after the broker authenticated its CONNECT. The previous connection
   * must be closed first (`close(ReasonCode.SessionTakenOver, now)` for a takeover [MQTT-3.1.4-3]).
   */
  connect(packet: Connect, now: number): SessionAction[] {
    if (this.connection !== undefined) {
      throw invalidArgument('The session already has a connection: close() it before connect()');
    }
    const problem = connectProblem(packet, this.capabilities);
    if (problem !== undefined) {
      return rejectConnect(packet, problem.reasonCode);
    }
    const actions: SessionAction[] = [];
    // Deadlines the broker's timer has not served yet still count.
    if (this.expiresAt !== undefined && now >= this.expiresAt) {
      this.endSession(actions, { now, reportEnd: false });
    } else if (this.willAt !== undefined && now >= this.willAt) {
      this.publishWill(actions, now);
    }
    const version = packet.protocolVersion;
    // [MQTT-3.1.2-4] clean start discards the session; [MQTT-3.1.2-5] otherwise it resumes.
    const sessionPresent = !packet.clean && this.established;
    if (!sessionPresent) {
      this.discard(actions);
    }
    this.protocolVersion = version;
    this.established = true;
    // [MQTT-3.1.3-9] a reconnect before the will delay ran out cancels the old will.
    this.will = packet.will;
    this.willAt = undefined;
    this.expiresAt = undefined;
    const properties = packet.properties;
    const requestedExpiry =
      version === 5 ? (properties?.sessionExpiryInterval ?? 0) : packet.clean ? 0 : sessionNeverExpires;
    this.sessionExpiryInterval = Math.min(requestedExpiry, this.capabilities.maximumSessionExpiryInterval);
    const serverKeepAlive = version === 5 ? this.capabilities.serverKeepAlive : undefined;
    const clientReceiveMaximum = version === 5 ? (properties?.receiveMaximum ?? 65_535) : 65_535;
    this.connection = {
      keepAlive: serverKeepAlive ?? packet.keepAlive,
      lastPacketAt: now,
      sendWindow: Math.min(clientReceiveMaximum, this.capabilities.maximumInflightMessages),
      maximumPacketSize: properties?.maximumPacketSize ?? protocolMaximumPacketSize,
      topicAliasMaximum:
        version === 5 && this.capabilities.outboundTopicAliases ? (properties?.topicAliasMaximum ?? 0) : 0,
      ...(properties?.authenticationMethod === undefined
        ? {}
        : { authenticationMethod: properties.authenticationMethod }),
      inboundAliases: noInboundAliases,
      outboundAliases: noOutboundAliases,
    };
    actions.push({ type: 'send', packet: this.connack(packet, sessionPresent, requestedExpiry) });
    this.persistSession(actions);
    if (sessionPresent) {
      this.resendInflight(actions, now);
    }
    this.drain(actions, now);
    return actions;
  }

  /**
   * Handles one packet from the client. `decision` carries the outcome of the broker's
   * authorization hooks for a PUBLISH or SUBSCRIBE.
   */
  receive(packet: Packet, now: number, decision?: ReceiveDecision): SessionAction[] {
    const connection = this.connection;
    if (connection === undefined) {
      return [
        {
          type: 'disconnect',
          reasonCode: ReasonCode.ProtocolError,
          sendDisconnect: false,
          message: `${packet.type.toUpperCase()} arrived on a connection without an accepted CONNECT`,
          statement: 'MQTT-3.1.0-1',
        },
      ];
    }
    connection.lastPacketAt = now;
    switch (packet.type) {
      case 'publish':
        return this.receivePublish(packet, now, decision?.deny);
      case 'puback':
        return this.receivePuback(packet.packetId, packet.reasonCode ?? 0, now);
      case 'pubrec':
        return this.receivePubrec(packet.packetId, packet.reasonCode ?? 0, now);
      case 'pubrel':
        return this.receivePubrel(packet.packetId);
      case 'pubcomp':
        return this.receivePubcomp(packet.packetId, now);
      case 'subscribe':
        return this.receiveSubscribe(packet, now, decision?.subscriptions);
      case 'unsubscribe':
        return this.receiveUnsubscribe(packet);
      case 'pingreq':
        // [MQTT-3.12.4-1]
        return [{ type: 'send', packet: { type: 'pingresp' } }];
      case 'disconnect':
        return this.receiveDisconnect(packet.reasonCode ?? 0, packet.properties?.sessionExpiryInterval, now);
      case 'auth':
        if (connection.authenticationMethod === undefined) {
          return this.violation(now, {
            reasonCode: ReasonCode.ProtocolError,
            message: 'AUTH without an Authentication Method in CONNECT',
            statement: 'MQTT-4.12.0-7',
          });
        }
        return [{ type: 'auth', packet }];
      case 'connect':
        return this.violation(now, {
          reasonCode: ReasonCode.ProtocolError,
          message: 'A second CONNECT on the same connection',
          statement: 'MQTT-3.1.0-2',
        });
      default:
        return this.violation(now, {
          reasonCode: ReasonCode.ProtocolError,
          message: `A client may not send ${packet.type.toUpperCase()}`,
        });
    }
  }

  /**
   * Takes one message for this subscriber from the router: sends it now, or queues it for the
   * inflight window or for the client to come back.
   */
  publish(delivery: Delivery, now: number): SessionAction[] {
    const message = delivery.message;
    if (!this.established) {
      return [{ type: 'drop', message, reason: 'session-ended' }];
    }
    // [MQTT-3.3.2-5] an expired message is never sent.
    if (message.expiresAt !== undefined && now >= message.expiresAt) {
      return [{ type: 'drop', message, reason: 'expired' }];
    }
    // A QoS 0 message for a connected client with nothing queued goes straight out: it needs no
    // record, and the one-element action list is all this call allocates besides the packet.
    if (delivery.qos === 0 && this.connection !== undefined && this.queue.length === 0) {
      this.nextSequence += 1;
      const packet = this.buildPublish(delivery, now, undefined);
      // [MQTT-3.1.2-25] dropped unsent, and treated as if it had been sent.
      return packet === undefined
        ? [{ type: 'drop', message, reason: 'packet-too-large' }]
        : [{ type: 'send', packet }];
    }
    const actions: SessionAction[] = [];
    const record: OutboundRecord = {
      sequence: this.nextSequence++,
      message,
      qos: delivery.qos,
      retain: delivery.retain,
      bytes: message.payload.byteLength + message.topic.length,
      phase: 'queued',
    };
    const identifiers = delivery.subscriptionIdentifiers;
    if (identifiers !== undefined && identifiers.length > 0) {
      record.subscriptionIdentifiers = identifiers;
    }
    if (this.connection !== undefined && this.queue.length === 0 && this.hasRoomFor(record)) {
      this.transmit(actions, record, { now, fromQueue: false });
    } else {
      this.enqueue(actions, record);
    }
    return actions;
  }

  /** The connection dropped without a DISCONNECT: the will is due and session expiry starts. */
  connectionLost(now: number): SessionAction[] {
    const actions: SessionAction[] = [];
    if (this.connection !== undefined) {
      this.closeConnection(actions, now);
    }
    return actions;
  }

  /**
   * The server closes the connection with `reasonCode`, such as 0x8E on takeover or 0x8B on
   * shutdown; MQTT 5 clients get a DISCONNECT first.
   */
  close(reasonCode: number, now: number): SessionAction[] {
    if (this.connection === undefined) {
      return [];
    }
    return this.violation(now, {
      reasonCode,
      message: `The server closed the connection with reason code 0x${reasonCode.toString(16)}`,
    });
  }

  /**
   * The broker restarted with this session read back from a store. A session stored while its
   * client was connected lost that connection at `now`: its expiry starts and its will becomes due
   * as for any lost connection [MQTT-3.1.2-8]. A session stored after its client left keeps the
   * timers it had.
   */
  restored(now: number): SessionAction[] {
    const actions: SessionAction[] = [];
    if (this.connection !== undefined) {
      this.closeConnection(actions, now);
    } else if (this.established && this.expiresAt === undefined && this.willAt === undefined) {
      this.disconnected(actions, now);
    }
    return actions;
  }

  /** Lets time pass: keep alive, will delay, session expiry and message expiry. */
  tick(now: number): SessionAction[] {
    const actions: SessionAction[] = [];
    const connection = this.connection;
    // [MQTT-3.1.2-24] one and a half keep-alive periods without a packet close the connection.
    if (connection !== undefined && connection.keepAlive > 0 && now >= this.keepAliveDeadline(connection)) {
      actions.push(
        this.disconnectAction(
          ReasonCode.KeepAliveTimeout,
          'Keep alive timed out',
          this.protocolVersion === 5 ? 'MQTT-3.1.2-22' : 'MQTT-3.1.2-24',
        ),
      );
      this.closeConnection(actions, now);
    }
    if (this.connection === undefined) {
      if (this.expiresAt !== undefined && now >= this.expiresAt) {
        this.endSession(actions, { now, reportEnd: true });
        return actions;
      }
      if (this.willAt !== undefined && now >= this.willAt) {
        this.publishWill(actions, now);
        this.persistSession(actions);
      }
    }
    if (this.queueExpiry !== undefined && now >= this.queueExpiry) {
      this.dropExpired(actions, now);
    }
    return actions;
  }

  /** The earliest time `tick` has work to do, for the broker's single timer. */
  nextDeadline(): number | undefined {
    let deadline = this.queueExpiry;
    const connection = this.connection;
    if (connection !== undefined) {
      if (connection.keepAlive > 0) {
        deadline = earliest(deadline, this.keepAliveDeadline(connection));
      }
      return deadline;
    }
    return earliest(earliest(deadline, this.willAt), this.expiresAt);
  }

  /** The whole session as plain data; `Session.fromState` resumes it exactly. */
  toState(): SessionState {
    const connection = this.connection;
    const state: SessionState = {
      version: 1,
      clientId: this.clientId,
      protocolVersion: this.protocolVersion,
      established: this.established,
      sessionExpiryInterval: this.sessionExpiryInterval,
      subscriptions: [...this.subscriptions.values()],
      inbound: [...this.inbound],
      outbound: [...this.inflight.values(), ...this.queue].map((record) => ({ ...record })),
      nextPacketId: this.nextPacketId,
      nextSequence: this.nextSequence,
    };
    if (this.will !== undefined) state.will = this.will;
    if (this.willAt !== undefined) state.willAt = this.willAt;
    if (this.expiresAt !== undefined) state.expiresAt = this.expiresAt;
    if (connection !== undefined) {
      const { inboundAliases, outboundAliases, ...rest } = connection;
      state.connection = {
        ...rest,
        inboundAliases: [...inboundAliases],
        outboundAliases: [...outboundAliases],
      };
    }
    return state;
  }

  private receivePublish(packet: Publish, now: number, deny: number | undefined): SessionAction[] {
    const connection = this.connection as Connection;
    let topic = packet.topic;
    let properties: MessageProperties | undefined = packet.properties;
    const alias = packet.properties?.topicAlias;
    if (alias !== undefined) {
      if (alias === 0 || alias > this.capabilities.topicAliasMaximum) {
        return this.violation(now, {
          reasonCode: ReasonCode.TopicAliasInvalid,
          message: `Topic alias ${alias} is outside 1..${this.capabilities.topicAliasMaximum}`,
          statement: alias === 0 ? 'MQTT-3.3.2-8' : 'MQTT-3.3.2-9',
        });
      }
      if (topic.length > 0) {
        if (connection.inboundAliases === noInboundAliases) connection.inboundAliases = new Map();
        connection.inboundAliases.set(alias, topic);
      } else {
        const mapped = connection.inboundAliases.get(alias);
        if (mapped === undefined) {
          return this.violation(now, {
            reasonCode: ReasonCode.ProtocolError,
            message: `Topic alias ${alias} has no mapping on this connection`,
          });
        }
        topic = mapped;
      }
      const { topicAlias: _alias, ...rest } = packet.properties as PublishProperties;
      properties = rest;
    }
    const topicProblem = validateTopicName(topic);
    if (topicProblem !== undefined) {
      return this.violation(now, {
        reasonCode: topicProblem.reasonCode,
        message: topicProblem.message,
        ...(topicProblem.statement === undefined ? {} : { statement: topicProblem.statement }),
      });
    }
    if (packet.qos > this.capabilities.maximumQoS) {
      return this.violation(now, {
        reasonCode: ReasonCode.QoSNotSupported,
        message: `PUBLISH QoS ${packet.qos} is above the server's maximum QoS ${this.capabilities.maximumQoS}`,
        statement: 'MQTT-3.2.2-11',
      });
    }
    if (packet.retain && !this.capabilities.retainAvailable) {
      return this.violation(now, {
        reasonCode: ReasonCode.RetainNotSupported,
        message: 'Retained messages are not supported',
        statement: 'MQTT-3.2.2-14',
      });
    }
    if (packet.properties?.subscriptionIdentifiers !== undefined) {
      return this.violation(now, {
        reasonCode: ReasonCode.ProtocolError,
        message: 'A PUBLISH from a client carries a Subscription Identifier',
        statement: 'MQTT-3.3.4-6',
      });
    }
    const packetId = packet.packetId ?? 0;
    if (packet.qos > 0) {
      if (packetId === 0) {
        return this.violation(now, {
          reasonCode: ReasonCode.MalformedPacket,
          message: 'A QoS 1 or 2 PUBLISH needs a non-zero packet identifier',
          statement: 'MQTT-2.2.1-3',
        });
      }
      if (this.inbound.has(packetId)) {
        return this.receiveRepeatedPublish(packet.qos, packetId, now);
      }
      // [MQTT-3.3.4-7] the client keeps at most our Receive Maximum unacknowledged.
      if (this.inbound.size >= this.capabilities.receiveMaximum) {
        return this.violation(now, {
          reasonCode: ReasonCode.ReceiveMaximumExceeded,
          message: `More than ${this.capabilities.receiveMaximum} QoS 1 and 2 messages unacknowledged`,
          statement: 'MQTT-3.3.4-7',
        });
      }
    }
    const message: Writable<ApplicationMessage> = {
      topic,
      payload: packet.payload,
      qos: packet.qos,
      retain: packet.retain,
    };
    if (properties !== undefined) {
      message.properties = properties;
      if (properties.messageExpiryInterval !== undefined) {
        message.expiresAt = now + properties.messageExpiryInterval * 1000;
      }
    }
    // The action lists are literals of their final length: an empty list grown by push() would
    // allocate room for 17 actions, on the path every PUBLISH takes.
    const first: SessionAction =
      deny === undefined
        ? { type: 'deliver', message, clientId: this.clientId }
        : { type: 'drop', message, reason: 'not-authorized', reasonCode: deny };
    if (packet.qos === 0) {
      return [first];
    }
    const v5 = this.protocolVersion === 5;
    if (packet.qos === 1) {
      // [MQTT-4.3.2-4] PUBACK once the router owns the message.
      return [
        first,
        {
          type: 'send',
          packet:
            deny !== undefined && v5
              ? { type: 'puback', packetId, reasonCode: deny }
              : { type: 'puback', packetId },
        },
      ];
    }
    if (deny !== undefined && v5) {
      // [MQTT-4.3.3-9] after a failing PUBREC the id is free again.
      return [first, { type: 'send', packet: { type: 'pubrec', packetId, reasonCode: deny } }];
    }
    // [MQTT-4.3.3-8] PUBREC once the router owns the message; the id stays until PUBREL.
    this.ownInbound().add(packetId);
    const pubrec: SessionAction = { type: 'send', packet: { type: 'pubrec', packetId } };
    return this.shouldPersist()
      ? [first, { type: 'persist', change: { kind: 'inbound-added', packetId } }, pubrec]
      : [first, pubrec];
  }

  private receiveRepeatedPublish(qos: number, packetId: number, now: number): SessionAction[] {
    if (qos === 2) {
      // [MQTT-4.3.3-10] a repeat before PUBREL is acknowledged again and not delivered twice.
      return [{ type: 'send', packet: { type: 'pubrec', packetId } }];
    }
    if (this.protocolVersion === 5) {
      return [
        { type: 'send', packet: { type: 'puback', packetId, reasonCode: ReasonCode.PacketIdentifierInUse } },
      ];
    }
    return this.violation(now, {
      reasonCode: ReasonCode.PacketIdentifierInUse,
      message: `QoS 1 PUBLISH reuses packet identifier ${packetId} of an unfinished QoS 2 flow`,
      statement: 'MQTT-2.3.1-2',
    });
  }

  private receivePuback(packetId: number, reasonCode: number, now: number): SessionAction[] {
    const record = this.inflight.get(packetId);
    const actions: SessionAction[] = [];
    if (record === undefined || record.qos !== 1) {
      return actions;
    }
    // [MQTT-4.3.2-3] acknowledged: the id is free again.
    this.removeInflight(actions, record);
    if (reasonCode >= 0x80) {
      actions.push({ type: 'drop', message: record.message, reason: 'refused', reasonCode });
    }
    this.drain(actions, now);
    return actions;
  }

  private receivePubrec(packetId: number, reasonCode: number, now: number): SessionAction[] {
    const record = this.inflight.get(packetId);
    const actions: SessionAction[] = [];
    if (record === undefined || record.qos !== 2) {
      actions.push({
        type: 'send',
        packet:
          this.protocolVersion === 5
            ? { type: 'pubrel', packetId, reasonCode: ReasonCode.PacketIdentifierNotFound }
            : { type: 'pubrel', packetId },
      });
      return actions;
    }
    if (reasonCode >= 0x80) {
      // [MQTT-4.4.0-2] a failing PUBREC ends the flow; nothing is re-sent.
      this.removeInflight(actions, record);
      actions.push({ type: 'drop', message: record.message, reason: 'refused', reasonCode });
      this.drain(actions, now);
      return actions;
    }
    if (record.phase !== 'pubrel') {
      record.phase = 'pubrel';
      this.persist(actions, {
        kind: 'outbound-updated',
        sequence: record.sequence,
        phase: 'pubrel',
        packetId,
      });
    }
    // [MQTT-4.3.3-4]
    actions.push({ type: 'send', packet: { type: 'pubrel', packetId } });
    return actions;
  }

  private receivePubrel(packetId: number): SessionAction[] {
    const actions: SessionAction[] = [];
    if (this.inbound.delete(packetId)) {
      this.persist(actions, { kind: 'inbound-removed', packetId });
      // [MQTT-4.3.3-11]
      actions.push({ type: 'send', packet: { type: 'pubcomp', packetId } });
    } else {
      actions.push({
        type: 'send',
        packet:
          this.protocolVersion === 5
            ? { type: 'pubcomp', packetId, reasonCode: ReasonCode.PacketIdentifierNotFound }
            : { type: 'pubcomp', packetId },
      });
    }
    return actions;
  }

  private receivePubcomp(packetId: number, now: number): SessionAction[] {
    const record = this.inflight.get(packetId);
    const actions: SessionAction[] = [];
    if (record === undefined || record.phase !== 'pubrel') {
      return actions;
    }
    // [MQTT-4.3.3-5]
    this.removeInflight(actions, record);
    this.drain(actions, now);
    return actions;
  }

  private receiveSubscribe(
    packet: Subscribe,
    now: number,
    decisions: readonly (number | undefined)[] | undefined,
  ): SessionAction[] {
    const v5 = this.protocolVersion === 5;
    const identifier = packet.properties?.subscriptionIdentifiers?.[0];
    if (identifier !== undefined && !this.capabilities.subscriptionIdentifiersAvailable) {
      return this.violation(now, {
        reasonCode: ReasonCode.SubscriptionIdentifiersNotSupported,
        message: 'Subscription identifiers are not supported',
      });
    }
    const actions: SessionAction[] = [];
    const reasonCodes: number[] = [];
    for (const [index, requested] of packet.subscriptions.entries()) {
      const shared = parseSharedSubscription(requested.topicFilter) !== undefined;
      if (shared && requested.noLocal) {
        return this.violation(now, {
          reasonCode: ReasonCode.ProtocolError,
          message: 'No Local on a shared subscription',
          statement: 'MQTT-3.8.3-4',
        });
      }
      const failure = this.subscriptionFailure(requested.topicFilter, shared, decisions?.[index]);
      if (failure !== undefined) {
        // [MQTT-3.9.3-2] 3.1.1 knows one failure code.
        reasonCodes.push(v5 ? failure : ReasonCode.UnspecifiedError);
        continue;
      }
      const allowed = decisions?.[index] ?? 2;
      // [MQTT-3.2.2-10] a lower Maximum QoS still accepts the SUBSCRIBE, granting less.
      const qos = Math.min(requested.qos, allowed, this.capabilities.maximumQoS) as 0 | 1 | 2;
      const subscription: SessionSubscription = {
        ...requested,
        qos,
        ...(identifier === undefined ? {} : { subscriptionIdentifier: identifier }),
      };
      const isNew = !this.subscriptions.has(subscription.topicFilter);
      // [MQTT-3.8.4-3] an identical filter replaces the existing subscription.
      this.ownSubscriptions().set(subscription.topicFilter, subscription);
      actions.push({
        type: 'subscribe',
        subscription,
        isNew,
        sendRetained: !shared && retainedOnSubscribe(subscription.retainHandling, isNew),
      });
      this.persist(actions, { kind: 'subscription-added', subscription });
      reasonCodes.push(qos);
    }
    // [MQTT-3.8.4-1] [MQTT-3.8.4-2] one SUBACK, same packet id, one code per filter in order.
    actions.push({ type: 'send', packet: { type: 'suback', packetId: packet.packetId, reasonCodes } });
    return actions;
  }

  private subscriptionFailure(
    topicFilter: string,
    shared: boolean,
    decision: number | undefined,
  ): number | undefined {
    const problem = validateTopicFilter(topicFilter);
    if (problem !== undefined) {
      return problem.reasonCode;
    }
    if (shared && !this.capabilities.sharedSubscriptionAvailable) {
      return ReasonCode.SharedSubscriptionsNotSupported;
    }
    if (!this.capabilities.wildcardSubscriptionAvailable && /[+#]/.test(topicFilter)) {
      return ReasonCode.WildcardSubscriptionsNotSupported;
    }
    if (decision !== undefined && decision >= 0x80) {
      return decision;
    }
    return undefined;
  }

  private receiveUnsubscribe(packet: Unsubscribe): SessionAction[] {
    const actions: SessionAction[] = [];
    const reasonCodes: number[] = [];
    for (const topicFilter of packet.topicFilters) {
      // [MQTT-3.10.4-1] filters compare character by character.
      if (this.subscriptions.delete(topicFilter)) {
        actions.push({ type: 'unsubscribe', topicFilter });
        this.persist(actions, { kind: 'subscription-removed', topicFilter });
        reasonCodes.push(ReasonCode.Success);
      } else {
        reasonCodes.push(ReasonCode.NoSubscriptionExisted);
      }
    }
    // [MQTT-3.10.4-4] [MQTT-3.10.4-5] always answered, even when nothing was removed.
    actions.push({
      type: 'send',
      packet: {
        type: 'unsuback',
        packetId: packet.packetId,
        reasonCodes: this.protocolVersion === 5 ? reasonCodes : [],
      },
    });
    return actions;
  }

  private receiveDisconnect(
    reasonCode: number,
    sessionExpiryInterval: number | undefined,
    now: number,
  ): SessionAction[] {
    if (sessionExpiryInterval !== undefined) {
      if (this.sessionExpiryInterval === 0 && sessionExpiryInterval !== 0) {
        return this.violation(now, {
          reasonCode: ReasonCode.ProtocolError,
          message: 'DISCONNECT sets a Session Expiry Interval after CONNECT set 0',
        });
      }
      this.sessionExpiryInterval = Math.min(
        sessionExpiryInterval,
        this.capabilities.maximumSessionExpiryInterval,
      );
    }
    const actions: SessionAction[] = [
      { type: 'disconnect', reasonCode, sendDisconnect: false, message: 'The client sent DISCONNECT' },
    ];
    // [MQTT-3.14.4-3] a normal DISCONNECT discards the will; 0x04 asks for it (MQTT 5).
    if (this.protocolVersion < 5 || reasonCode !== ReasonCode.DisconnectWithWillMessage) {
      this.will = undefined;
    }
    this.closeConnection(actions, now);
    return actions;
  }

  private violation(
    now: number,
    problem: { reasonCode: number; message: string; statement?: string },
  ): SessionAction[] {
    const actions: SessionAction[] = [
      this.disconnectAction(problem.reasonCode, problem.message, problem.statement),
    ];
    this.closeConnection(actions, now);
    return actions;
  }

  private disconnectAction(
    reasonCode: number,
    message: string,
    statement: string | undefined,
  ): SessionAction {
    return {
      type: 'disconnect',
      reasonCode,
      sendDisconnect: this.protocolVersion === 5,
      message,
      ...(statement === undefined ? {} : { statement }),
    };
  }

  private closeConnection(actions: SessionAction[], now: number): void {
    this.connection = undefined;
    this.disconnected(actions, now);
  }

  /** The connection ended at `now`: the session ends, or its expiry and will delay start. */
  private disconnected(actions: SessionAction[], now: number): void {
    // [MQTT-3.1.2-23] state outlives the connection only for a Session Expiry Interval above 0.
    if (this.sessionExpiryInterval === 0) {
      this.endSession(actions, { now, reportEnd: true });
      return;
    }
    if (this.sessionExpiryInterval !== sessionNeverExpires) {
      this.expiresAt = now + this.sessionExpiryInterval * 1000;
    }
    if (this.will !== undefined) {
      // [MQTT-3.1.2-8] after the will delay or at session end, whichever comes first.
      const delay = this.protocolVersion === 5 ? (this.will.properties?.willDelayInterval ?? 0) : 0;
      const willAt = now + delay * 1000;
      if (delay === 0) {
        this.publishWill(actions, now);
      } else {
        this.willAt = this.expiresAt === undefined ? willAt : Math.min(willAt, this.expiresAt);
      }
    }
    this.persistSession(actions);
  }

  private publishWill(actions: SessionAction[], now: number): void {
    const will = this.will;
    this.will = undefined;
    this.willAt = undefined;
    if (will === undefined) {
      return;
    }
    let properties: MessageProperties | undefined;
    if (will.properties !== undefined) {
      const { willDelayInterval: _delay, ...rest } = will.properties;
      properties = rest;
    }
    const expiry = properties?.messageExpiryInterval;
    actions.push({
      type: 'publish-will',
      clientId: this.clientId,
      message: {
        topic: will.topic,
        payload: will.payload,
        qos: will.qos,
        // [MQTT-3.1.2-14] [MQTT-3.1.2-15] the will keeps its RETAIN flag.
        retain: will.retain,
        ...(properties === undefined ? {} : { properties }),
        ...(expiry === undefined ? {} : { expiresAt: now + expiry * 1000 }),
      },
    });
  }

  private endSession(actions: SessionAction[], options: { now: number; reportEnd: boolean }): void {
    this.publishWill(actions, options.now);
    this.discard(actions);
    this.established = false;
    this.expiresAt = undefined;
    if (options.reportEnd) {
      this.stored = false;
      actions.push({ type: 'end', clientId: this.clientId });
    }
  }

  /** Forgets everything but the client id, reporting every message it drops. */
  private discard(actions: SessionAction[]): void {
    const hadState = this.subscriptions.size + this.inflight.size + this.queue.length + this.inbound.size > 0;
    for (const record of this.inflight.values()) {
      actions.push({ type: 'drop', message: record.message, reason: 'session-ended' });
    }
    for (const record of this.queue) {
      actions.push({ type: 'drop', message: record.message, reason: 'session-ended' });
    }
    for (const topicFilter of this.subscriptions.keys()) {
      actions.push({ type: 'unsubscribe', topicFilter });
    }
    this.subscriptions = noSubscriptions;
    this.inbound = noPacketIds;
    this.inflight = noRecords;
    this.inflightBytes = 0;
    if (this.queue.length > 0) this.queue = noQueue;
    this.queuedBytes = 0;
    this.queueExpiry = undefined;
    if (hadState) {
      this.persist(actions, { kind: 'cleared' });
    }
  }

  private connack(packet: Connect, sessionPresent: boolean, requestedExpiry: number): Connack {
    if (packet.protocolVersion < 5) {
      return { type: 'connack', sessionPresent, reasonCode: ReasonCode.Success };
    }
    const capabilities = this.capabilities;
    const properties: ConnackProperties = {};
    if (this.sessionExpiryInterval !== requestedExpiry) {
      properties.sessionExpiryInterval = this.sessionExpiryInterval;
    }
    if (capabilities.receiveMaximum !== 65_535) properties.receiveMaximum = capabilities.receiveMaximum;
    if (capabilities.maximumQoS < 2) properties.maximumQoS = capabilities.maximumQoS as 0 | 1;
    if (!capabilities.retainAvailable) properties.retainAvailable = false;
    if (capabilities.maximumPacketSize < protocolMaximumPacketSize) {
      properties.maximumPacketSize = capabilities.maximumPacketSize;
    }
    // [MQTT-3.1.3-7] [MQTT-3.2.2-16]
    if (packet.clientId === '') properties.assignedClientIdentifier = this.clientId;
    if (capabilities.topicAliasMaximum > 0) properties.topicAliasMaximum = capabilities.topicAliasMaximum;
    if (!capabilities.wildcardSubscriptionAvailable) properties.wildcardSubscriptionAvailable = false;
    if (!capabilities.subscriptionIdentifiersAvailable) properties.subscriptionIdentifiersAvailable = false;
    if (!capabilities.sharedSubscriptionAvailable) properties.sharedSubscriptionAvailable = false;
    if (capabilities.serverKeepAlive !== undefined && capabilities.serverKeepAlive !== packet.keepAlive) {
      properties.serverKeepAlive = capabilities.serverKeepAlive;
    }
    // [MQTT-4.12.0-5] a successful CONNACK repeats the authentication method.
    const method = packet.properties?.authenticationMethod;
    if (method !== undefined) properties.authenticationMethod = method;
    const connack: Connack = { type: 'connack', sessionPresent, reasonCode: ReasonCode.Success };
    if (Object.keys(properties).length > 0) connack.properties = properties;
    return connack;
  }

  private keepAliveDeadline(connection: Connection): number {
    return connection.lastPacketAt + connection.keepAlive * 1500;
  }

  private hasRoomFor(record: OutboundRecord): boolean {
    if (record.qos === 0) {
      return true;
    }
    const connection = this.connection as Connection;
    // [MQTT-3.3.4-9] [MQTT-4.9.0-2] no more than the client's Receive Maximum in flight.
    if (this.inflight.size >= connection.sendWindow) {
      return false;
    }
    return (
      this.inflight.size === 0 || this.inflightBytes + record.bytes <= this.capabilities.maximumInflightBytes
    );
  }

  /** Sends a message for the first time: assigns its packet id and enters the window. */
  private transmit(
    actions: SessionAction[],
    record: OutboundRecord,
    options: { now: number; fromQueue: boolean },
  ): void {
    const packetId = record.qos === 0 ? undefined : this.peekPacketId();
    const packet = this.buildPublish(record, options.now, packetId);
    if (packet === undefined) {
      // [MQTT-3.1.2-25] dropped unsent, and treated as if it had been sent.
      actions.push({ type: 'drop', message: record.message, reason: 'packet-too-large' });
      if (options.fromQueue && this.shouldPersist()) {
        actions.push({ type: 'persist', change: { kind: 'outbound-removed', sequence: record.sequence } });
      }
      return;
    }
    if (packetId !== undefined) {
      this.nextPacketId = packetId === maximumPacketId ? 1 : packetId + 1;
      record.packetId = packetId;
      record.phase = 'publish';
      this.ownInflight().set(packetId, record);
      this.inflightBytes += record.bytes;
      if (this.shouldPersist()) {
        actions.push({
          type: 'persist',
          change: options.fromQueue
            ? { kind: 'outbound-updated', sequence: record.sequence, phase: 'publish', packetId }
            : { kind: 'outbound-added', record: { ...record } },
        });
      }
    } else if (options.fromQueue && this.shouldPersist()) {
      actions.push({ type: 'persist', change: { kind: 'outbound-removed', sequence: record.sequence } });
    }
    actions.push({ type: 'send', packet });
  }

  /** [MQTT-2.2.1-4] the next id not in flight; ids are only taken when the PUBLISH is sent. */
  private peekPacketId(): number {
    let packetId = this.nextPacketId;
    while (this.inflight.has(packetId)) {
      packetId = packetId === maximumPacketId ? 1 : packetId + 1;
    }
    return packetId;
  }

  /**
   * The PUBLISH for one record on the current connection, or undefined when it would exceed the
   * client's Maximum Packet Size [MQTT-3.1.2-25]. Commits a new outbound topic alias only when
   * the packet is sent.
   */
  /**
   * The PUBLISH for one message on the current connection, or undefined when it would exceed the
   * client's Maximum Packet Size [MQTT-3.1.2-25]. Commits a new outbound topic alias only when
   * the packet is sent.
   */
  private buildPublish(
    source: Pick<OutboundRecord, 'message' | 'qos' | 'retain' | 'subscriptionIdentifiers'>,
    now: number,
    packetId: number | undefined,
  ): Publish | undefined {
    const { message, qos, retain } = source;
    const given = source.subscriptionIdentifiers;
    const identifiers = given !== undefined && given.length > 0 ? given : undefined;
    const connection = this.connection as Connection;
    let topic = message.topic;
    let properties: PublishProperties | undefined;
    let newAlias: number | undefined;
    if (this.protocolVersion === 5) {
      let alias: number | undefined;
      if (connection.topicAliasMaximum > 0) {
        alias = connection.outboundAliases.get(topic);
        if (alias !== undefined) {
          topic = '';
        } else if (connection.outboundAliases.size < connection.topicAliasMaximum) {
          // [MQTT-3.1.2-26] never above the client's Topic Alias Maximum.
          newAlias = connection.outboundAliases.size + 1;
          alias = newAlias;
        }
      }
      if (
        message.properties !== undefined ||
        message.expiresAt !== undefined ||
        identifiers !== undefined ||
        alias !== undefined
      ) {
        properties = { ...message.properties };
        if (message.expiresAt !== undefined) {
          // [MQTT-3.3.2-6] the interval left after waiting in the server.
          properties.messageExpiryInterval = Math.max(0, Math.ceil((message.expiresAt - now) / 1000));
        }
        if (identifiers !== undefined) properties.subscriptionIdentifiers = identifiers as number[];
        if (alias !== undefined) properties.topicAlias = alias;
      }
    }
    const packet: Publish = {
      type: 'publish',
      topic,
      payload: message.payload,
      qos,
      retain,
      // [MQTT-3.3.1-1] [MQTT-3.3.1-3] DUP marks only our own re-sends, which set it afterwards.
      dup: false,
    };
    if (packetId !== undefined) packet.packetId = packetId;
    if (properties !== undefined) packet.properties = properties;
    if (
      connection.maximumPacketSize < protocolMaximumPacketSize &&
      encodedLength(packet, this.protocolVersion) > connection.maximumPacketSize
    ) {
      return undefined;
    }
    if (newAlias !== undefined) {
      if (connection.outboundAliases === noOutboundAliases) connection.outboundAliases = new Map();
      connection.outboundAliases.set(message.topic, newAlias);
    }
    return packet;
  }

  private resendInflight(actions: SessionAction[], now: number): void {
    for (const record of [...this.inflight.values()]) {
      const packetId = record.packetId as number;
      if (record.phase === 'pubrel') {
        actions.push({ type: 'send', packet: { type: 'pubrel', packetId } });
        continue;
      }
      // [MQTT-4.4.0-1] unacknowledged PUBLISH packets again, original ids, DUP set, original order.
      const packet = this.buildPublish(record, now, packetId);
      if (packet === undefined) {
        this.removeInflight(actions, record);
        actions.push({ type: 'drop', message: record.message, reason: 'packet-too-large' });
      } else {
        packet.dup = true;
        actions.push({ type: 'send', packet });
      }
    }
  }

  private removeInflight(actions: SessionAction[], record: OutboundRecord): void {
    this.inflight.delete(record.packetId as number);
    this.inflightBytes -= record.bytes;
    this.persist(actions, { kind: 'outbound-removed', sequence: record.sequence });
  }

  /** Moves waiting messages into the window while there is room, skipping expired ones. */
  private drain(actions: SessionAction[], now: number): void {
    while (this.connection !== undefined && this.queue.length > 0) {
      const head = this.queue[0] as OutboundRecord;
      const expiresAt = head.message.expiresAt;
      if (expiresAt !== undefined && now >= expiresAt) {
        this.dequeue(actions, 'expired');
        continue;
      }
      if (!this.hasRoomFor(head)) {
        return;
      }
      this.queue.shift();
      this.queuedBytes -= head.bytes;
      this.transmit(actions, head, { now, fromQueue: true });
    }
  }

  private dequeue(actions: SessionAction[], reason: DropReason): void {
    const head = this.queue.shift() as OutboundRecord;
    this.queuedBytes -= head.bytes;
    actions.push({ type: 'drop', message: head.message, reason });
    this.persist(actions, { kind: 'outbound-removed', sequence: head.sequence });
  }

  /**
   * Queues a record within the count and byte bounds. When full, a queued QoS 0 message goes
   * first (the oldest), then an arriving QoS 0 message, then the oldest message.
   */
  private enqueue(actions: SessionAction[], record: OutboundRecord): void {
    const { maximumQueuedMessages, maximumQueuedBytes } = this.capabilities;
    if (maximumQueuedMessages === 0 || record.bytes > maximumQueuedBytes) {
      actions.push({ type: 'drop', message: record.message, reason: 'queue-full' });
      return;
    }
    while (
      this.queue.length >= maximumQueuedMessages ||
      this.queuedBytes + record.bytes > maximumQueuedBytes
    ) {
      let victim = this.queue.findIndex((queued) => queued.qos === 0);
      if (victim === -1) {
        if (record.qos === 0) {
          actions.push({ type: 'drop', message: record.message, reason: 'queue-full' });
          return;
        }
        victim = 0;
      }
      const [removed] = this.queue.splice(victim, 1) as [OutboundRecord];
      this.queuedBytes -= removed.bytes;
      actions.push({ type: 'drop', message: removed.message, reason: 'queue-full' });
      this.persist(actions, { kind: 'outbound-removed', sequence: removed.sequence });
    }
    if (this.queue === noQueue) this.queue = [];
    this.queue.push(record);
    this.queuedBytes += record.bytes;
    this.noteQueueExpiry(record);
    if (this.shouldPersist()) {
      actions.push({ type: 'persist', change: { kind: 'outbound-added', record: { ...record } } });
    }
  }

  private noteQueueExpiry(record: OutboundRecord): void {
    const expiresAt = record.message.expiresAt;
    if (expiresAt !== undefined) {
      this.queueExpiry = earliest(this.queueExpiry, expiresAt);
    }
  }

  private dropExpired(actions: SessionAction[], now: number): void {
    const kept: OutboundRecord[] = [];
    this.queueExpiry = undefined;
    for (const record of this.queue) {
      const expiresAt = record.message.expiresAt;
      if (expiresAt !== undefined && now >= expiresAt) {
        this.queuedBytes -= record.bytes;
        actions.push({ type: 'drop', message: record.message, reason: 'expired' });
        this.persist(actions, { kind: 'outbound-removed', sequence: record.sequence });
      } else {
        kept.push(record);
        this.noteQueueExpiry(record);
      }
    }
    this.queue = kept;
  }

  /** Changes are reported while the session outlives its connection, or once the store holds it. */
  private shouldPersist(): boolean {
    if (!this.stored && this.sessionExpiryInterval > 0) {
      this.stored = true;
    }
    return this.stored;
  }

  private persist(actions: SessionAction[], change: SessionChange): void {
    if (this.shouldPersist()) {
      actions.push({ type: 'persist', change });
    }
  }

  private persistSession(actions: SessionAction[]): void {
    this.persist(actions, {
      kind: 'session',
      clientId: this.clientId,
      protocolVersion: this.protocolVersion,
      sessionExpiryInterval: this.sessionExpiryInterval,
      ...(this.will === undefined ? {} : { will: this.will }),
      ...(this.willAt === undefined ? {} : { willAt: this.willAt }),
      ...(this.expiresAt === undefined ? {} : { expiresAt: this.expiresAt }),
    });
  }
}

type Writable<T> = { -readonly [Key in keyof T]: T[Key] };

function retainedOnSubscribe(retainHandling: 0 | 1 | 2, isNew: boolean): boolean {
  // [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11]
  return retainHandling === 0 || (retainHandling === 1 && isNew);
}

function earliest(first: number | undefined, second: number | undefined): number | undefined {
  if (first === undefined) return second;
  if (second === undefined) return first;
  return Math.min(first, second);
}

function invalidArgument(message: string): MqttError {
  return new MqttError(message, {
    code: 'MQTT_INVALID_ARGUMENT',
    reasonCode: ReasonCode.ImplementationSpecificError,
  });
}
