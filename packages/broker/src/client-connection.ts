import type { Duplex } from 'node:stream';
import { createDecoder, encode, ReasonCode, UnsupportedProtocolVersionError } from '@mqttkit/codec';
import type { MqttError } from '@mqttkit/codec';
import type {
  Auth,
  Connect,
  Decoder,
  Packet,
  ProtocolVersion,
  Publish,
  Subscribe,
  UserProperty,
} from '@mqttkit/codec';
import type {
  AuthenticationAllowDecision,
  ClientCertificate,
  ClientInfo,
  ConnectionInfo,
  NormalizedDecision,
} from '@mqttkit/contracts';
import { parseSharedSubscription, validateTopicFilter } from '@mqttkit/topics';
import { rejectConnect, screenConnect } from '@mqttkit/session';
import type { SessionAction } from '@mqttkit/session';
import type { BrokerCore } from './broker-core.js';
import { disconnectDenyCode, publishDenyCode, subscribeDenyCode } from './deny-codes.js';
import type { AuthenticationResult } from './hook-runner.js';
import type { SessionEntry } from './session-entry.js';

/** An enhanced authentication exchange waiting for the client's next AUTH packet. */
interface Exchange {
  readonly kind: 'connect' | 'reauthenticate';
  readonly method: string;
  readonly hookIndex: number;
  readonly state: Record<string, unknown>;
  round: number;
}

/** Packets at least this large are written as they are rather than copied into a batch. */
const largeWrite = 4096;

/** Shared by every client until an authentication hook gives it roles or attributes of its own. */
const noRoles: readonly string[] = Object.freeze([]);
const noAttributes: Readonly<Record<string, unknown>> = Object.freeze({});

// Module-level callbacks rather than closures per connection (an idle connection costs less): the
// stream's listeners find their connection under a symbol on the stream, as ws does for its socket.
const connectionKey = Symbol('mqttkit.connection');

interface ConnectedStream extends Duplex {
  [connectionKey]: ClientConnection;
}

// The lists of packets written during one tick, recycled: a list lives from a connection's first
// write of a tick to its flush, so a few serve every connection, and a busy connection's list does
// not grow its storage again on every tick. An idle connection holds none.
const chunkLists: Uint8Array[][] = [];
const keptChunkLists = 64;

function takeChunkList(first: Uint8Array): Uint8Array[] {
  const list = chunkLists.pop();
  if (list === undefined) return [first];
  list.push(first);
  return list;
}

function releaseChunkList(list: Uint8Array[]): void {
  if (chunkLists.length >= keptChunkLists || list.length > 4096) return;
  // Popping keeps the storage (`length = 0` would drop it).
  while (list.length > 0) list.pop();
  chunkLists.push(list);
}

/** Copies `chunks[start..end)` into one buffer. */
function joinChunks(chunks: readonly Uint8Array[], start: number, end: number): Buffer {
  let bytes = 0;
  for (let index = start; index < end; index += 1) bytes += chunks[index]!.byteLength;
  const joined = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (let index = start; index < end; index += 1) {
    const chunk = chunks[index]!;
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}

function flushConnection(connection: ClientConnection): void {
  connection.flush();
}

function onStreamData(this: ConnectedStream, chunk: Uint8Array): void {
  this[connectionKey].received(chunk);
}

// One listener for the three ways a stream ends ('close' passes a boolean, 'end' nothing).
function onStreamLost(this: ConnectedStream, error?: unknown): void {
  this[connectionKey].lost(error instanceof Error ? error : undefined);
}

function onConnectTimeout(connection: ClientConnection): void {
  connection.connectTimedOut();
}

type ClientFields = Omit<ClientInfo, 'username' | 'certificate'>;

/**
 * One object literal with the fields every client has, `username` and `certificate` added only
 * where present: a compact object (spreads of optional fields build larger ones), held for as long
 * as the client is connected.
 */
function clientInfo(
  fields: ClientFields,
  username: string | undefined,
  certificate: ClientCertificate | undefined,
): ClientInfo {
  const client: { -readonly [Key in keyof ClientInfo]: ClientInfo[Key] } = {
    clientId: fields.clientId,
    roles: fields.roles,
    attributes: fields.attributes,
    protocolVersion: fields.protocolVersion,
    remoteAddress: fields.remoteAddress,
    remotePort: fields.remotePort,
    transport: fields.transport,
    listener: fields.listener,
  };
  if (username !== undefined) client.username = username;
  if (certificate !== undefined) client.certificate = certificate;
  return client;
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * One client connection: reads and decodes packets, runs the asynchronous hook steps in order,
 * hands packets to the session and writes what the session sends. Reading pauses while a hook is
 * pending and the decoder holds more than a few packets' worth of bytes (STYLE HS-21); writes are
 * gathered and flushed once per tick, small packets copied into one buffer.
 */
export class ClientConnection {
  /** Set once CONNECT was accepted. */
  entry: SessionEntry | undefined;
  client: ClientInfo | undefined;
  protocolVersion: ProtocolVersion = 4;
  /** The reason code of the client's DISCONNECT, once it sent one. */
  clientDisconnect: number | undefined;
  private readonly decoder: Decoder;
  private connect: Connect | undefined;
  /** The CONNECT's Maximum Packet Size: nothing larger is ever sent [MQTT-3.1.2-24]. */
  private maximumPacketSize: number | undefined;
  private exchange: Exchange | undefined;
  private busy = false;
  private paused = false;
  /** The last step of the ordered gate: earlier packets' work waiting for store writes. */
  private ordered: Promise<void> | undefined;
  private orderedCount = 0;
  /** Packets written since the last flush; undefined while there are none. */
  private outgoing: Uint8Array[] | undefined;
  private outgoingBytes = 0;
  private closed = false;
  private congestedSince: number | undefined;
  /** Where the connection came from; dropped once `client` holds what the broker still needs of it. */
  private info: ConnectionInfo | undefined;
  /** The deadline for CONNECT and authentication; dropped once the connection is accepted or refused. */
  private connectTimer: NodeJS.Timeout | undefined;

  /** Writes what was gathered since the last flush. */
  flush(): void {
    const chunks = this.outgoing;
    if (chunks === undefined) return;
    this.outgoing = undefined;
    this.outgoingBytes = 0;
    if (!this.closed) {
      if (chunks.length === 1) this.stream.write(chunks[0]!);
      else this.writeChunks(chunks);
    }
    releaseChunkList(chunks);
  }

  private writeChunks(chunks: readonly Uint8Array[]): void {
    // libuv writes at most 1,024 buffers per system call and event-loop turn, so thousands of
    // small packets written one by one drain slowly while the loop is busy reading: runs of small
    // packets go out as one copied buffer, and large payloads keep their shared bytes.
    this.stream.cork();
    let runStart = 0;
    for (let index = 0; index <= chunks.length; index += 1) {
      const chunk = chunks[index];
      if (chunk !== undefined && chunk.byteLength < largeWrite) continue;
      if (index - runStart === 1) this.stream.write(chunks[runStart]!);
      else if (index > runStart) this.stream.write(joinChunks(chunks, runStart, index));
      if (chunk !== undefined) this.stream.write(chunk);
      runStart = index + 1;
    }
    this.stream.uncork();
  }

  constructor(
    private readonly core: BrokerCore,
    readonly stream: Duplex,
    info: ConnectionInfo,
  ) {
    this.info = info;
    this.decoder = createDecoder({ maximumPacketSize: core.capabilities.maximumPacketSize });
    this.connectTimer = setTimeout(onConnectTimeout, core.capabilities.connectTimeout, this);
    this.connectTimer.unref();
    (stream as ConnectedStream)[connectionKey] = this;
    stream.on('data', onStreamData);
    stream.on('error', onStreamLost);
    stream.on('close', onStreamLost);
    stream.on('end', onStreamLost);
  }

  /** The connect timer fired: no CONNECT, or no answer to it, in time. */
  connectTimedOut(): void {
    this.abort('no CONNECT within the connect timeout');
  }

  /** The peer's address, for logs: from the connection info until the client info holds it. */
  private get remoteAddress(): string {
    return this.client?.remoteAddress ?? this.info?.remoteAddress ?? '';
  }

  /** Whether the socket has more buffered than the capabilities allow; QoS 0 deliveries are dropped then. */
  get congested(): boolean {
    const buffered = this.stream.writableLength + this.outgoingBytes;
    if (buffered < this.core.capabilities.maximumWriteBuffer) return false;
    const now = this.core.now();
    if (this.congestedSince === undefined) {
      this.congestedSince = now;
      // Listened for only while congested: most connections never are.
      this.stream.once('drain', () => (this.congestedSince = undefined));
    }
    if (now - this.congestedSince > this.core.capabilities.drainTimeout) {
      this.closeAsServer(ReasonCode.QuotaExceeded, 'slow consumer: the socket did not drain in time');
    }
    return true;
  }

  /** Bytes waiting in the socket, for the memory budget. */
  get bufferedBytes(): number {
    return this.stream.writableLength + this.outgoingBytes;
  }

  /** Whether earlier packets' acknowledgements still wait for store writes. */
  get gated(): boolean {
    return this.orderedCount > 0;
  }

  /**
   * The ordered gate: runs `then` once every write of `writes` resolved and every earlier step
   * ran, so answers leave in packet order, each only after the writes it depends on are durable.
   * A failed write closes the connection without its answer (nothing unstored is acknowledged).
   */
  order(
    writes: readonly Promise<unknown>[] | undefined,
    then: (() => Promise<void> | undefined) | undefined,
  ): void {
    const waits = this.ordered === undefined ? (writes ?? []) : [this.ordered, ...(writes ?? [])];
    const after = waits.length === 1 ? waits[0]! : Promise.all(waits);
    const step = then === undefined ? after.then(() => undefined) : after.then(then);
    this.ordered = step;
    this.orderedCount += 1;
    step.then(
      () => this.ordering(),
      (error: unknown) => {
        this.ordering();
        if (!this.closed) this.internalError(error);
      },
    );
  }

  /** Resolves once every step of the ordered gate has run (or failed). */
  drained(): Promise<void> {
    return (
      this.ordered?.then(
        () => undefined,
        () => undefined,
      ) ?? Promise.resolve()
    );
  }

  private ordering(): void {
    this.orderedCount -= 1;
    if (this.orderedCount === 0) this.ordered = undefined;
    if (
      this.paused &&
      !this.busy &&
      !this.closed &&
      this.orderedCount < this.core.capabilities.receiveMaximum
    ) {
      this.paused = false;
      this.stream.resume();
      this.pump();
    }
  }

  /** Writes a packet; writes of one tick go out together. */
  send(packet: Packet): void {
    const bytes = encode(packet, this.protocolVersion);
    // Nothing larger than the client's Maximum Packet Size goes out [MQTT-3.1.2-24]. PUBLISH packets
    // are screened by the session; any other packet that does not fit (a CONNACK or DISCONNECT for a
    // client announcing a few bytes) leaves the connection nothing to say, so it closes [MQTT-4.13.2-1].
    if (this.maximumPacketSize !== undefined && bytes.byteLength > this.maximumPacketSize) {
      this.abort(`a ${packet.type} packet exceeds the client's Maximum Packet Size`);
      return;
    }
    this.write(bytes);
  }

  /** Writes bytes already encoded for this connection's protocol version. */
  write(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.outgoing === undefined) {
      this.outgoing = takeChunkList(bytes);
      process.nextTick(flushConnection, this);
    } else {
      this.outgoing.push(bytes);
    }
    this.outgoingBytes += bytes.byteLength;
    this.core.statistics.messagesSent += 1;
    this.core.statistics.bytesSent += bytes.byteLength;
  }

  /** Carries out a session's `disconnect` action: DISCONNECT first where allowed, then close. */
  disconnect(action: Extract<SessionAction, { type: 'disconnect' }>): void {
    if (this.closed) return;
    if (action.sendDisconnect && this.protocolVersion === 5) {
      this.send({ type: 'disconnect', reasonCode: action.reasonCode });
    }
    this.core.logger.debug('closing connection', {
      clientId: this.client?.clientId,
      reasonCode: action.reasonCode,
      reason: action.message,
      ...(action.statement ? { statement: action.statement } : {}),
    });
    this.end();
  }

  /** Closes from the server side with `reasonCode` (takeover, shutdown, slow consumer). */
  closeAsServer(reasonCode: number, reason: string): void {
    if (this.closed) return;
    const entry = this.entry;
    if (entry && entry.connection === this) {
      const actions = entry.session.close(reasonCode, this.core.now());
      this.core.logger.info('closing client', { clientId: entry.clientId, reasonCode, reason });
      void this.core.runActions(entry, actions);
    }
    if (!this.closed) {
      if (this.protocolVersion === 5 && this.entry) this.send({ type: 'disconnect', reasonCode });
      this.end();
    }
  }

  /** Bytes from the stream. */
  received(chunk: Uint8Array): void {
    if (this.closed) return;
    this.core.statistics.bytesReceived += chunk.byteLength;
    this.decoder.push(chunk);
    this.pump();
  }

  /**
   * Decodes and handles packets until none is whole, a hook step is pending, or the ordered gate
   * holds `receiveMaximum` packets' answers (reading pauses until it drains).
   */
  private pump(): void {
    const bound = this.core.capabilities.receiveMaximum;
    while (!this.busy && !this.closed && this.orderedCount < bound) {
      let packet: Packet | undefined;
      try {
        packet = this.decoder.next();
      } catch (error) {
        this.failed(error as MqttError);
        return;
      }
      if (packet === undefined) break;
      this.core.statistics.messagesReceived += 1;
      this.core.received(this.client, packet);
      let pending: Promise<unknown> | undefined;
      try {
        pending = this.handle(packet);
      } catch (error) {
        this.internalError(error);
        return;
      }
      if (pending !== undefined) {
        this.busy = true;
        pending.then(
          () => {
            this.busy = false;
            if (this.paused && !this.closed && this.orderedCount < bound) {
              this.paused = false;
              this.stream.resume();
            }
            this.pump();
          },
          (error: unknown) => this.internalError(error),
        );
      }
    }
    if (
      !this.paused &&
      !this.closed &&
      (this.orderedCount >= bound ||
        (this.busy && this.decoder.bufferedBytes >= this.core.capabilities.maximumInboundBuffer))
    ) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private handle(packet: Packet): Promise<unknown> | undefined {
    const entry = this.entry;
    if (entry === undefined) {
      if (this.exchange !== undefined) return this.continueExchange(packet);
      if (this.connect !== undefined) {
        return this.abort(`${packet.type.toUpperCase()} before the CONNECT was answered`);
      }
      return this.handleConnect(packet);
    }
    switch (packet.type) {
      case 'disconnect':
        this.clientDisconnect = packet.reasonCode ?? ReasonCode.NormalDisconnection;
        break;
      case 'publish':
        return this.handlePublish(entry, packet);
      case 'subscribe':
        return this.handleSubscribe(entry, packet);
      case 'unsubscribe': {
        const pending = this.core.runReceived(this, entry, entry.session.receive(packet, this.core.now()));
        this.core.hooks.notify('onUnsubscribed', { client: this.client!, topicFilters: packet.topicFilters });
        return pending;
      }
      case 'auth':
        if (this.exchange !== undefined) return this.continueExchange(packet);
        break;
      default:
        break;
    }
    return this.core.runReceived(this, entry, entry.session.receive(packet, this.core.now()));
  }

  private handleConnect(packet: Packet): Promise<unknown> | undefined {
    const screening = screenConnect(packet, this.core.capabilities);
    if (packet.type === 'connect') this.protocolVersion = packet.protocolVersion;
    if (!screening.accepted) return this.refuse(screening.actions);
    const connect = screening.connect;
    this.connect = connect;
    this.maximumPacketSize = connect.properties?.maximumPacketSize;
    const clientId = connect.clientId === '' ? this.core.assignClientId() : connect.clientId;
    const info = this.info!;
    this.client = clientInfo(
      {
        clientId,
        roles: noRoles,
        attributes: noAttributes,
        protocolVersion: connect.protocolVersion,
        remoteAddress: info.remoteAddress,
        remotePort: info.remotePort,
        transport: info.transport,
        listener: info.listener,
      },
      connect.username,
      info.certificate,
    );
    this.info = undefined;
    const problem = this.core.admissionProblem();
    if (problem !== undefined) return this.refuse(rejectConnect(connect, problem));
    const method = connect.properties?.authenticationMethod;
    return this.authenticate(
      { kind: 'connect', round: 0, state: {}, ...(method === undefined ? {} : { method }) },
      {
        ...(connect.properties?.authenticationData
          ? { authenticationData: connect.properties.authenticationData }
          : {}),
        ...(connect.properties?.userProperties ? { userProperties: connect.properties.userProperties } : {}),
      },
    );
  }

  /** Runs one round of authentication and acts on its outcome. */
  private async authenticate(
    round: {
      kind: 'connect' | 'reauthenticate';
      round: number;
      state: Record<string, unknown>;
      method?: string;
      hookIndex?: number;
    },
    data: { authenticationData?: Uint8Array; userProperties?: UserProperty[] },
  ): Promise<void> {
    const connect = this.connect!;
    // Not AbortSignal.timeout(): its timer cannot be cancelled and would outlive a quick answer.
    const controller = new AbortController();
    const signal = controller.signal;
    const timer = setTimeout(
      () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      this.core.capabilities.authenticationTimeout,
    );
    timer.unref();
    const attempt = this.core.hooks.authenticate(
      {
        client: this.client!,
        ...(connect.password === undefined ? {} : { password: connect.password }),
        ...(round.method === undefined ? {} : { authenticationMethod: round.method }),
        ...(data.authenticationData === undefined ? {} : { authenticationData: data.authenticationData }),
        ...(data.userProperties === undefined ? {} : { userProperties: data.userProperties }),
        exchange: round.kind,
        round: round.round,
        state: round.state,
        connect,
        signal,
      },
      round.hookIndex,
    );
    const timeout = new Promise<AuthenticationResult>((resolve) =>
      signal.addEventListener('abort', () =>
        resolve({
          decision: {
            outcome: 'deny',
            reasonCode: ReasonCode.ServerUnavailable,
            decidedBy: 'broker',
            reason: 'authentication timed out',
          },
          answer: undefined,
          hookIndex: -1,
        }),
      ),
    );
    const result = await Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
    if (this.closed) return;
    // Packets the client sent behind CONNECT wait until the connection is accepted or refused.
    await this.concludeRound(round, result);
  }

  private concludeRound(
    round: {
      kind: 'connect' | 'reauthenticate';
      round: number;
      state: Record<string, unknown>;
      method?: string;
    },
    result: AuthenticationResult,
  ): Promise<void> | undefined {
    const { decision, answer } = result;
    const logged = {
      clientId: this.client?.clientId,
      decidedBy: decision.decidedBy,
      ...(decision.reason ? { reason: decision.reason } : {}),
    };
    if (
      decision.outcome === 'continue' &&
      round.method !== undefined &&
      answer &&
      typeof answer === 'object' &&
      'continue' in answer
    ) {
      this.exchange = {
        kind: round.kind,
        method: round.method,
        hookIndex: result.hookIndex,
        state: round.state,
        round: round.round + 1,
      };
      this.send({
        type: 'auth',
        reasonCode: ReasonCode.ContinueAuthentication,
        properties: { authenticationMethod: round.method, authenticationData: answer.authenticationData },
      });
      return;
    }
    this.exchange = undefined;
    const allow =
      decision.outcome === 'allow'
        ? typeof answer === 'object'
          ? (answer as AuthenticationAllowDecision)
          : undefined
        : undefined;
    if (decision.outcome !== 'allow') {
      const reasonCode =
        decision.outcome === 'deny'
          ? (decision.reasonCode ?? ReasonCode.NotAuthorized)
          : ReasonCode.ProtocolError;
      this.core.logger.info(round.kind === 'connect' ? 'client refused' : 're-authentication refused', {
        ...logged,
        reasonCode,
      });
      if (round.kind === 'connect') {
        void this.refuse(rejectConnect(this.connect!, reasonCode));
      } else {
        this.closeAsServer(disconnectDenyCode(reasonCode), 're-authentication refused');
      }
      return;
    }
    if (round.kind === 'reauthenticate') {
      this.send({
        type: 'auth',
        reasonCode: ReasonCode.Success,
        properties: {
          authenticationMethod: round.method!,
          ...(allow?.authenticationData ? { authenticationData: allow.authenticationData } : {}),
        },
      });
      return;
    }
    const client = this.client!;
    this.client = clientInfo(
      { ...client, roles: allow?.roles ?? noRoles, attributes: allow?.attributes ?? noAttributes },
      allow?.username ?? client.username,
      client.certificate,
    );
    return this.accept(allow);
  }

  private async accept(allow: AuthenticationAllowDecision | undefined): Promise<void> {
    const connect = this.connect!;
    const will = connect.will;
    if (will !== undefined) {
      // The will is a message the client will publish: it needs the same permission [MQTT-3.1.2-8].
      const packet: Publish = {
        type: 'publish',
        topic: will.topic,
        payload: will.payload,
        qos: will.qos,
        retain: will.retain,
        dup: false,
      };
      const decision: NormalizedDecision = await this.core.hooks.authorizePublish({
        client: this.client!,
        topic: will.topic,
        qos: will.qos,
        retain: will.retain,
        payload: will.payload,
        will: true,
        packet,
      });
      if (this.closed) return;
      if (decision.outcome !== 'allow') {
        this.core.logger.info('client refused: its will may not be published', {
          clientId: this.client!.clientId,
          decidedBy: decision.decidedBy,
        });
        await this.refuse(rejectConnect(connect, decision.reasonCode ?? ReasonCode.NotAuthorized));
        return;
      }
    }
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    const entry = this.core.attach(this);
    this.entry = entry;
    const actions = entry.session.connect(connect, this.core.now());
    // The CONNECT (and the read buffer its fields point into) is kept only for re-authentication,
    // which needs its authentication method [MQTT-4.12.1-1].
    if (connect.properties?.authenticationMethod === undefined) this.connect = undefined;
    if (allow?.authenticationData !== undefined) {
      for (const action of actions) {
        if (action.type === 'send' && action.packet.type === 'connack') {
          action.packet.properties = {
            ...action.packet.properties,
            authenticationData: allow.authenticationData,
          };
        }
      }
    }
    // The CONNACK goes out at once; messages resent or drained from the queue do not wait for
    // one store commit each (their writes pass the ordered gate).
    await this.core.runReceived(this, entry, actions);
    if (!this.closed) {
      const sessionPresent = actions.some(
        (action) =>
          action.type === 'send' && action.packet.type === 'connack' && action.packet.sessionPresent,
      );
      this.core.connected(this, sessionPresent);
    }
  }

  /** Sends the refusal (CONNACK with a failure code) and closes. */
  private refuse(actions: readonly SessionAction[]): undefined {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    for (const action of actions) {
      if (action.type === 'send') this.send(action.packet);
      else if (action.type === 'disconnect') {
        this.core.logger.info('connection refused', {
          remoteAddress: this.remoteAddress,
          reasonCode: action.reasonCode,
          reason: action.message,
        });
        this.end();
      }
    }
    return undefined;
  }

  private continueExchange(packet: Packet): Promise<unknown> | undefined {
    const exchange = this.exchange!;
    if (packet.type !== 'auth' || packet.reasonCode !== ReasonCode.ContinueAuthentication) {
      return this.abortExchange(`${packet.type.toUpperCase()} during enhanced authentication`);
    }
    if (packet.properties?.authenticationMethod !== exchange.method) {
      return this.abortExchange('AUTH with a different authentication method');
    }
    return this.authenticate(
      {
        kind: exchange.kind,
        round: exchange.round,
        state: exchange.state,
        method: exchange.method,
        hookIndex: exchange.hookIndex,
      },
      {
        ...(packet.properties.authenticationData
          ? { authenticationData: packet.properties.authenticationData }
          : {}),
        ...(packet.properties.userProperties ? { userProperties: packet.properties.userProperties } : {}),
      },
    );
  }

  private abortExchange(reason: string): undefined {
    this.exchange = undefined;
    if (this.entry === undefined) {
      void this.refuse(rejectConnect(this.connect!, ReasonCode.ProtocolError));
    } else {
      this.closeAsServer(ReasonCode.ProtocolError, reason);
    }
    return undefined;
  }

  /** A re-authentication request (AUTH 0x19) handed over by the session. */
  reauthenticate(packet: Auth): Promise<void> | undefined {
    const method = packet.properties?.authenticationMethod;
    if (
      packet.reasonCode !== ReasonCode.ReAuthenticate ||
      method === undefined ||
      method !== this.connect?.properties?.authenticationMethod
    ) {
      // [MQTT-4.12.1-1] re-authentication uses the method of CONNECT.
      this.closeAsServer(
        ReasonCode.ProtocolError,
        'AUTH that does not start re-authentication with the CONNECT method',
      );
      return undefined;
    }
    return this.authenticate(
      { kind: 'reauthenticate', round: 0, state: {}, method },
      {
        ...(packet.properties?.authenticationData
          ? { authenticationData: packet.properties.authenticationData }
          : {}),
        ...(packet.properties?.userProperties ? { userProperties: packet.properties.userProperties } : {}),
      },
    );
  }

  private handlePublish(entry: SessionEntry, packet: Publish): Promise<unknown> | undefined {
    const session = entry.session;
    const topic = session.topicOf(packet);
    if (topic === undefined)
      return this.core.runReceived(this, entry, session.receive(packet, this.core.now()));
    const decision = this.core.hooks.authorizePublish({
      client: this.client!,
      topic,
      qos: packet.qos,
      retain: packet.retain,
      payload: packet.payload,
      will: false,
      packet,
    });
    // A closure only for an asynchronous decision: the synchronous path allocates none per PUBLISH.
    return isPromise(decision)
      ? decision.then((outcome) => this.receivePublish(entry, packet, outcome))
      : this.receivePublish(entry, packet, decision);
  }

  private receivePublish(
    entry: SessionEntry,
    packet: Publish,
    outcome: NormalizedDecision,
  ): Promise<unknown> | undefined {
    return this.core.runReceived(
      this,
      entry,
      entry.session.receive(
        packet,
        this.core.now(),
        outcome.outcome === 'allow'
          ? undefined
          : { deny: publishDenyCode(outcome.reasonCode ?? ReasonCode.NotAuthorized) },
      ),
    );
  }

  private handleSubscribe(entry: SessionEntry, packet: Subscribe): Promise<unknown> | undefined {
    const decisions = packet.subscriptions.map((subscription) => {
      if (validateTopicFilter(subscription.topicFilter) !== undefined) return undefined;
      const shared = parseSharedSubscription(subscription.topicFilter);
      return this.core.hooks.authorizeSubscribe({
        client: this.client!,
        topicFilter: shared?.topicFilter ?? subscription.topicFilter,
        ...(shared ? { shareName: shared.shareName } : {}),
        subscription,
      });
    });
    const receive = (outcomes: readonly (NormalizedDecision | undefined)[]): Promise<unknown> | undefined => {
      const subscriptions = outcomes.map((outcome) =>
        outcome === undefined || outcome.outcome === 'allow'
          ? undefined
          : subscribeDenyCode(outcome.reasonCode ?? ReasonCode.NotAuthorized),
      );
      const actions = entry.session.receive(packet, this.core.now(), { subscriptions });
      const pending = this.core.runReceived(this, entry, actions);
      const suback = actions.find((action) => action.type === 'send' && action.packet.type === 'suback');
      if (suback?.type === 'send' && suback.packet.type === 'suback') {
        this.core.hooks.notify('onSubscribed', {
          client: this.client!,
          subscriptions: packet.subscriptions,
          reasonCodes: suback.packet.reasonCodes,
        });
      }
      return pending;
    };
    return decisions.some(isPromise)
      ? Promise.all(decisions).then(receive)
      : receive(decisions as (NormalizedDecision | undefined)[]);
  }

  /** A decoder or protocol failure: MQTT 5 clients get DISCONNECT with the reason code first [MQTT-4.13.1-1]. */
  private failed(error: MqttError): void {
    const reason = error.message;
    if (this.entry === undefined) {
      // A wrong protocol name is not MQTT at all: close without a CONNACK [MQTT-3.1.2-1] [MQTT-3.1.4-1].
      if (
        (error instanceof UnsupportedProtocolVersionError ||
          error.code === 'MQTT_UNSUPPORTED_PROTOCOL_VERSION') &&
        error.statement !== 'MQTT-3.1.2-1'
      ) {
        // [MQTT-3.1.2-2] CONNACK 0x01 (3.1.1 format: the client's own version is unknown to us).
        this.protocolVersion = 4;
        this.send({
          type: 'connack',
          sessionPresent: false,
          reasonCode: ReasonCode.UnsupportedProtocolVersion,
        });
      }
      this.core.logger.info('connection closed: bad first packet', {
        remoteAddress: this.remoteAddress,
        reason,
        code: error.code,
      });
      this.end();
      return;
    }
    this.core.logger.info('client closed for a protocol violation', {
      clientId: this.entry.clientId,
      reason,
      code: error.code,
      ...(error.statement ? { statement: error.statement } : {}),
    });
    this.closeAsServer(error.reasonCode, reason);
  }

  private internalError(error: unknown): void {
    this.core.logger.error('internal error while serving a client; closing it', {
      clientId: this.client?.clientId,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    if (this.entry) this.closeAsServer(ReasonCode.UnspecifiedError, 'internal error');
    else this.end();
  }

  private abort(reason: string): undefined {
    this.core.logger.info('connection closed', { remoteAddress: this.remoteAddress, reason });
    this.end();
    return undefined;
  }

  /** Flushes what was written and closes the socket. */
  private end(): void {
    if (this.closed) return;
    this.flush();
    this.stream.end();
    // A peer that never reads must not hold the socket open.
    setTimeout(() => this.stream.destroy(), 1000).unref();
    this.finish(undefined);
  }

  /** The peer closed, or the socket failed. */
  lost(error: Error | undefined): void {
    if (this.closed) return;
    this.stream.destroy();
    this.finish(error);
  }

  private finish(error: Error | undefined): void {
    this.closed = true;
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.core.detach(this, error);
  }
}
