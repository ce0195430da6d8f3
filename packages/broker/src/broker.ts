import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { MqttError, NotAuthorizedError, ReasonCode } from '@mqttkit/codec';
import type { Packet, Publish, PublishProperties, QoS } from '@mqttkit/codec';
import { DropReason as HookDropReason } from '@mqttkit/contracts';
import type {
  ClientInfo,
  ConnectionInfo,
  Hook,
  Logger,
  Store,
  Transport,
  TransportAddress,
} from '@mqttkit/contracts';
import { validateTopicFilter, validateTopicName } from '@mqttkit/topics';
import { Session } from '@mqttkit/session';
import type { ApplicationMessage, Delivery, DropReason, SessionAction, SessionState } from '@mqttkit/session';
import { createMemoryStore } from '@mqttkit/store-memory';
import { createBrokerCapabilities } from './broker-capabilities.js';
import type { BrokerCapabilities, BrokerCapabilitiesInput } from './broker-capabilities.js';
import type { BrokerCore } from './broker-core.js';
import { createStatistics } from './broker-statistics.js';
import type { BrokerStatisticsView } from './broker-statistics.js';
import { ClientConnection } from './client-connection.js';
import {
  clientConnectChannel,
  clientDisconnectChannel,
  errorChannel,
  publishDeliverChannel,
  publishReceiveChannel,
} from './diagnostics.js';
import { HookRunner } from './hook-runner.js';
import { PublishCache } from './publish-cache.js';
import { roundRobin, Router } from './router.js';
import type { SharedSubscriptionStrategy } from './router.js';
import { Scheduler } from './scheduler.js';
import type { SessionEntry } from './session-entry.js';
import { SysTopics } from './sys-topics.js';

/** The options of `createBroker`. */
export interface BrokerOptions {
  /** Limits; see `BrokerCapabilities` for each and its default. */
  readonly capabilities?: BrokerCapabilitiesInput;
  /**
   * Hooks in order (STYLE HS-17). Decisions deny when every hook defers, so a broker without an
   * authenticating hook accepts nobody: add `allowAll()` from `@mqttkit/auth` for development.
   */
  readonly hooks?: readonly Hook[];
  /** Where persistent sessions and retained messages live. Default: `createMemoryStore()`. */
  readonly store?: Store;
  /** Structured logger. Default: warnings and errors to the console. */
  readonly logger?: Logger;
  /** Picks the member of a shared subscription group for each message. Default: round robin. */
  readonly sharedSubscriptionStrategy?: SharedSubscriptionStrategy;
  /** Published in `$SYS/broker/version`. */
  readonly version?: string;
}

/** A message published from code running in the broker process. */
export interface InternalPublish {
  readonly topic: string;
  readonly payload: Uint8Array | string;
  readonly qos?: QoS;
  readonly retain?: boolean;
  readonly properties?: Omit<PublishProperties, 'topicAlias' | 'subscriptionIdentifiers'>;
}

/** A running broker. */
export interface Broker {
  /** The validated limits in force. */
  readonly capabilities: BrokerCapabilities;
  /** Counters and table sizes behind `$SYS` and metrics. */
  readonly statistics: BrokerStatisticsView;
  /** Serves one client connection; `info` describes it for hooks and logs. */
  handle(stream: Duplex, info?: Partial<ConnectionInfo>): void;
  /** Starts a transport and serves every connection it produces; resolves with its address. */
  listen(transport: Transport): Promise<TransportAddress>;
  /**
   * Publishes from the broker process, with the same authorization (as client `$internal`),
   * transforms and routing as a network client's message. Resolves once it is stored where needed.
   */
  publish(message: InternalPublish): Promise<void>;
  /**
   * Subscribes code in the broker process to a topic filter (as client `$internal`, authorized by
   * the hooks); the handler gets matching retained messages first. Resolves with an unsubscribe function.
   */
  subscribe(topicFilter: string, handler: (message: ApplicationMessage) => void): Promise<() => void>;
  /**
   * Stops accepting connections, disconnects every client (MQTT 5: DISCONNECT 0x8B), flushes and
   * closes the store and the hooks. Idempotent.
   */
  close(): Promise<void>;
}

const consoleLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (message, details) => console.warn(`mqttkit: ${message}`, details ?? ''),
  error: (message, details) => console.error(`mqttkit: ${message}`, details ?? ''),
};

const internalClient: ClientInfo = Object.freeze({
  clientId: '$internal',
  roles: [],
  attributes: {},
  protocolVersion: 5,
  remoteAddress: '',
  remotePort: 0,
  transport: 'tcp',
  listener: 'in-process',
});

const hookDropReasons: Record<DropReason, HookDropReason> = {
  'queue-full': HookDropReason.queueFull,
  expired: HookDropReason.expired,
  'packet-too-large': HookDropReason.tooLarge,
  'not-authorized': HookDropReason.notAuthorized,
  refused: HookDropReason.notAuthorized,
  'session-ended': HookDropReason.expired,
};

function toPublish(message: ApplicationMessage): Publish {
  return {
    type: 'publish',
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    dup: false,
    ...(message.properties ? { properties: message.properties } : {}),
  };
}

class MqttBroker implements Broker, BrokerCore {
  readonly capabilities: BrokerCapabilities;
  readonly statistics: ReturnType<typeof createStatistics> & BrokerStatisticsView;
  readonly hooks: HookRunner;
  readonly logger: Logger;
  private readonly store: Store;
  private readonly router: Router;
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly connections = new Set<ClientConnection>();
  private readonly transports: Transport[] = [];
  private readonly scheduler: Scheduler<SessionEntry>;
  private readonly publishCache = new PublishCache();
  private readonly routings: Routing[] = [];
  private routingDepth = 0;
  private readonly sys: SysTopics;
  private internalSubscriptions = 0;
  /** Ordered gates of closed connections whose store writes are still pending. */
  private readonly draining = new Set<Promise<void>>();
  private closing: Promise<void> | undefined;
  private housekeeping: NodeJS.Timeout | undefined;
  /** Set while the bytes waiting in sockets exceed the memory budget: QoS 0 deliveries are refused. */
  private overBudget = false;

  constructor(options: BrokerOptions, capabilities: BrokerCapabilities) {
    this.capabilities = capabilities;
    const sessions = (): IterableIterator<SessionEntry> => this.sessions.values();
    this.statistics = Object.defineProperties(createStatistics(), {
      sessions: { get: () => this.sessions.size, enumerable: true },
      subscriptions: { get: () => this.router.subscriptions.size, enumerable: true },
      retainedMessages: { get: () => this.router.retained.size, enumerable: true },
      inflightMessages: {
        get: () => [...sessions()].reduce((sum, entry) => sum + entry.session.inflightCount, 0),
        enumerable: true,
      },
      queuedMessages: {
        get: () => [...sessions()].reduce((sum, entry) => sum + entry.session.queuedCount, 0),
        enumerable: true,
      },
    }) as MqttBroker['statistics'];
    this.logger = options.logger ?? consoleLogger;
    this.hooks = new HookRunner(options.hooks ?? [], this.logger);
    this.store = options.store ?? createMemoryStore();
    this.router = new Router(options.sharedSubscriptionStrategy ?? roundRobin(), (clientId) => {
      return this.sessions.get(clientId)?.connection !== undefined;
    });
    this.scheduler = new Scheduler(
      () => this.now(),
      (entry, now) => this.tick(entry, now),
    );
    this.sys = new SysTopics({
      interval: capabilities.sysInterval,
      version: options.version ?? 'mqttkit',
      statistics: this.statistics,
      publish: (message) => this.routeMessage(message, undefined),
    });
  }

  async start(): Promise<void> {
    await this.store.open?.();
    await this.hooks.init();
    for await (const stored of this.store.loadSessions()) {
      const session = Session.fromState(stored as SessionState, this.capabilities);
      const entry: SessionEntry = {
        clientId: session.clientId,
        session,
        connection: undefined,
        scheduledAt: undefined,
      };
      this.sessions.set(entry.clientId, entry);
      for (const subscription of session.getSubscriptions()) {
        this.router.subscriptions.add(entry.clientId, subscription.topicFilter, subscription);
      }
    }
    for await (const message of this.store.loadRetained()) this.router.retained.set(message.topic, message);
    // Only once every subscription routes again: a session stored while its client was connected
    // lost that connection now, so its will may be due and its expiry starts.
    for (const entry of [...this.sessions.values()]) {
      this.runActions(entry, entry.session.restored(this.now()))?.catch((error: unknown) =>
        this.internalError(error, entry.clientId),
      );
      if (this.sessions.get(entry.clientId) === entry) this.schedule(entry);
    }
    this.sys.start();
    this.housekeeping = setInterval(() => this.enforceMemoryBudget(), 1000);
    this.housekeeping.unref();
  }

  /**
   * Keeps the bytes waiting in client sockets under `memoryBudget` (sessions bound their own
   * queues): over budget, QoS 0 deliveries are refused; still over at the next check, the
   * connection holding the most is closed as a slow consumer (0x97).
   */
  private enforceMemoryBudget(): void {
    let total = 0;
    let slowest: ClientConnection | undefined;
    for (const connection of this.connections) {
      const buffered = connection.bufferedBytes;
      total += buffered;
      if (buffered > (slowest?.bufferedBytes ?? 0)) slowest = connection;
    }
    const over = total > this.capabilities.memoryBudget;
    if (over && this.overBudget && slowest !== undefined) {
      this.logger.warn('memory budget exceeded; closing the slowest consumer', {
        clientId: slowest.client?.clientId,
        bufferedBytes: slowest.bufferedBytes,
        totalBytes: total,
      });
      slowest.closeAsServer(ReasonCode.QuotaExceeded, 'slow consumer: memory budget exceeded');
    }
    this.overBudget = over;
  }

  now(): number {
    return Date.now();
  }

  assignClientId(): string {
    return `mqttkit-${randomUUID()}`;
  }

  admissionProblem(): number | undefined {
    if (this.closing) return ReasonCode.ServerUnavailable;
    if (this.connections.size > this.capabilities.maximumConnections) return ReasonCode.QuotaExceeded;
    return undefined;
  }

  handle(stream: Duplex, info: Partial<ConnectionInfo> = {}): void {
    if (this.closing) {
      stream.destroy();
      return;
    }
    this.statistics.connectionsAccepted += 1;
    const connection = new ClientConnection(this, stream, {
      transport: 'tcp',
      listener: 'handle',
      remoteAddress: '',
      remotePort: 0,
      localAddress: '',
      localPort: 0,
      proxied: false,
      ...info,
    });
    this.connections.add(connection);
  }

  async listen(transport: Transport): Promise<TransportAddress> {
    if (this.closing) throw new Error('the broker is closed');
    const address = await transport.listen((stream, info) => this.handle(stream, info));
    this.transports.push(transport);
    this.logger.info('listening', { listener: transport.name, url: address.url });
    return address;
  }

  attach(connection: ClientConnection): SessionEntry {
    const clientId = connection.client!.clientId;
    const previous = this.sessions.get(clientId)?.connection;
    // [MQTT-3.1.4-3] the new connection takes the client id over; the old one gets 0x8E.
    if (previous !== undefined) previous.closeAsServer(ReasonCode.SessionTakenOver, 'session taken over');
    let entry = this.sessions.get(clientId);
    if (entry === undefined) {
      entry = {
        clientId,
        session: new Session({ clientId, capabilities: this.capabilities }),
        connection: undefined,
        scheduledAt: undefined,
      };
      this.sessions.set(clientId, entry);
    }
    entry.connection = connection;
    return entry;
  }

  connected(connection: ClientConnection, sessionPresent: boolean): void {
    const entry = connection.entry!;
    this.statistics.clientsConnected += 1;
    this.statistics.maximumClientsConnected = Math.max(
      this.statistics.maximumClientsConnected,
      this.statistics.clientsConnected,
    );
    this.schedule(entry);
    const client = connection.client!;
    this.hooks.notify('onClientConnected', { client, sessionPresent });
    if (clientConnectChannel.hasSubscribers) clientConnectChannel.publish({ client, sessionPresent });
  }

  detach(connection: ClientConnection, error: Error | undefined): void {
    this.connections.delete(connection);
    if (connection.gated) {
      const drained = connection.drained();
      this.draining.add(drained);
      void drained.then(() => this.draining.delete(drained));
    }
    const entry = connection.entry;
    if (entry === undefined || entry.connection !== connection) return;
    entry.connection = undefined;
    this.statistics.clientsConnected -= 1;
    const pending = this.runActions(entry, entry.session.connectionLost(this.now()));
    pending?.catch((failure: unknown) => this.internalError(failure, entry.clientId));
    this.schedule(entry);
    const client = connection.client!;
    this.hooks.notify('onClientDisconnected', {
      client,
      clean: connection.clientDisconnect !== undefined,
      ...(connection.clientDisconnect === undefined ? {} : { reasonCode: connection.clientDisconnect }),
      ...(error ? { error } : {}),
    });
    if (clientDisconnectChannel.hasSubscribers) clientDisconnectChannel.publish({ client, error });
  }

  received(_client: ClientInfo | undefined, packet: Packet): void {
    if (packet.type === 'publish') this.statistics.publishReceived += 1;
  }

  /**
   * Carries out a session's actions in order. Persistence is awaited before later actions (an
   * acknowledgement is sent only once what it acknowledges is stored), unless `writes` collects
   * the promises instead (fan-out to subscribers, awaited by the publisher's acknowledgement).
   */
  runActions(
    entry: SessionEntry,
    actions: readonly SessionAction[],
    writes?: Promise<void>[],
  ): Promise<void> | undefined {
    for (let index = 0; index < actions.length; index += 1) {
      const pending = this.runAction(entry, actions[index]!);
      if (pending !== undefined) {
        if (writes !== undefined) {
          writes.push(pending);
          continue;
        }
        const rest = actions.slice(index + 1);
        return pending.then(() => this.runActions(entry, rest));
      }
    }
    return undefined;
  }

  /**
   * Carries out the actions of a packet `connection` received without holding up its next packets
   * while the store writes (STYLE HS-21). Routing, store writes and deliveries to the client run
   * at once; an answer (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, DISCONNECT...) and whatever
   * follows it goes to the connection's ordered gate once a write of this or an earlier packet is
   * pending: the gate runs it after those writes are durable and earlier answers are sent, so
   * answers leave in packet order [MQTT-4.6.0-2] [MQTT-4.6.0-3] [MQTT-4.6.0-4]. Returns a promise
   * only for steps later packets must wait for: transform hooks, re-authentication, wills.
   */
  runReceived(
    connection: ClientConnection,
    entry: SessionEntry,
    actions: readonly SessionAction[],
  ): Promise<void> | undefined {
    return this.runPipelined({ connection, entry, inStep: false }, actions);
  }

  /**
   * `inStep`: running as a step of the gate, after every earlier step; what waits for this
   * step's own writes then extends the step instead of queuing behind later packets' steps.
   */
  private runPipelined(
    turn: { readonly connection: ClientConnection; readonly entry: SessionEntry; readonly inStep: boolean },
    actions: readonly SessionAction[],
  ): Promise<void> | undefined {
    const { connection, entry } = turn;
    let writes: Promise<void>[] | undefined;
    for (let index = 0; index < actions.length; index += 1) {
      const action = actions[index]!;
      if (this.runsAhead(action)) {
        const pending = this.runAction(entry, action);
        if (pending !== undefined) (writes ??= []).push(pending);
        continue;
      }
      if (writes !== undefined || (!turn.inStep && connection.gated)) {
        const rest = actions.slice(index);
        if (turn.inStep) return Promise.all(writes!).then(() => this.runPipelined(turn, rest));
        connection.order(writes, () => this.runGated(connection, entry, rest));
        return undefined;
      }
      const pending = this.runAction(entry, action);
      if (pending !== undefined) {
        const rest = actions.slice(index + 1);
        return pending.then(() => this.runPipelined(turn, rest));
      }
    }
    if (writes === undefined) return undefined;
    if (turn.inStep) return Promise.all(writes).then(() => undefined);
    // Writes no answer waits for still pass the gate: a failed one closes the connection.
    connection.order(writes, undefined);
    return undefined;
  }

  /**
   * Actions that need not wait for earlier store writes: routing (its order is the order of
   * packets, unless a transform hook decides it), store writes (applied in call order) and
   * messages to the client, which the fan-out also sends before their writes are durable.
   */
  private runsAhead(action: SessionAction): boolean {
    switch (action.type) {
      case 'persist':
      case 'drop':
        return true;
      case 'deliver':
        return !this.hooks.transformsPublishes;
      case 'send':
        return action.packet.type === 'publish';
      default:
        return false;
    }
  }

  private runGated(
    connection: ClientConnection,
    entry: SessionEntry,
    actions: readonly SessionAction[],
  ): Promise<void> | undefined {
    if (entry.connection === connection)
      return this.runPipelined({ connection, entry, inStep: true }, actions);
    // The connection closed or a new one took the session over: its packets' store writes still
    // happen, their answers must not reach the new connection.
    return this.runActions(
      entry,
      actions.filter(
        (action) => action.type !== 'send' && action.type !== 'disconnect' && action.type !== 'auth',
      ),
    );
  }

  private runAction(entry: SessionEntry, action: SessionAction): Promise<void> | undefined {
    switch (action.type) {
      case 'send': {
        const connection = entry.connection;
        if (connection === undefined) return undefined;
        const packet = action.packet;
        if (packet.type === 'publish') {
          this.statistics.publishSent += 1;
          connection.write(this.publishCache.bytes(packet, connection.protocolVersion));
        } else {
          connection.send(packet);
        }
        return undefined;
      }
      case 'deliver':
        return this.deliverFromClient(entry, action.message);
      case 'disconnect':
        entry.connection?.disconnect(action);
        return undefined;
      case 'publish-will':
        return this.routeMessage(action.message, action.clientId);
      case 'persist':
        return this.store.applySessionChanges(entry.clientId, [action.change]);
      case 'drop':
        this.dropped(entry, action.message, action.reason);
        return undefined;
      case 'subscribe':
        this.router.subscriptions.add(entry.clientId, action.subscription.topicFilter, action.subscription);
        // Retained messages follow the SUBACK, which comes later in the same action list.
        if (action.sendRetained) queueMicrotask(() => this.sendRetained(entry, action.subscription));
        return undefined;
      case 'unsubscribe':
        this.router.subscriptions.remove(entry.clientId, action.topicFilter);
        return undefined;
      case 'auth':
        return entry.connection?.reauthenticate(action.packet);
      case 'end':
        if (this.sessions.get(entry.clientId) === entry && entry.connection === undefined) {
          this.sessions.delete(entry.clientId);
          this.scheduler.cancel(entry);
        }
        return this.store.deleteSession(entry.clientId);
      default:
        return undefined;
    }
  }

  private deliverFromClient(entry: SessionEntry, received: ApplicationMessage): Promise<void> | undefined {
    const client = entry.connection?.client ?? internalClient;
    const message = compact(received);
    if (publishReceiveChannel.hasSubscribers) publishReceiveChannel.publish({ client, message });
    if (message.topic.startsWith('$SYS')) {
      this.logger.debug('client publish to $SYS dropped', { clientId: entry.clientId, topic: message.topic });
      return undefined;
    }
    if (!this.hooks.transformsPublishes) return this.routeMessage(message, entry.clientId, client);
    return this.hooks.transform({ client, packet: toPublish(message) }).then((result) => {
      if (result === 'drop') {
        this.hooks.notify('onMessageDropped', {
          client,
          packet: toPublish(message),
          reason: HookDropReason.transform,
        });
        return undefined;
      }
      return this.routeMessage(fromPublish(result, message), entry.clientId, client);
    });
  }

  /** Routes one message; resolves once every change it made to stored sessions is stored. */
  routeMessage(
    message: ApplicationMessage,
    publisherClientId: string | undefined,
    client?: ClientInfo,
  ): Promise<void> | undefined {
    let retainWrite: Promise<void> | undefined;
    if (message.retain) {
      const change = this.router.retain(message);
      if (change === 'set') retainWrite = this.store.setRetained(message);
      else if (change === 'cleared') retainWrite = this.store.deleteRetained(message.topic);
    }
    // Routing can nest (an in-process handler publishing): each depth has its own context, kept
    // for the next message, so a routed message allocates no context, no list and no closure.
    const depth = this.routingDepth;
    const routing = (this.routings[depth] ??= { writes: undefined, now: 0 });
    // One clock reading per routed message: Date.now() per subscriber showed up in fan-out profiles.
    routing.now = this.now();
    routing.writes = retainWrite === undefined ? undefined : [retainWrite];
    this.routingDepth = depth + 1;
    this.publishCache.begin(message);
    let deliveredTo: number;
    try {
      deliveredTo = this.router.route(message, publisherClientId, this.deliverTarget);
    } finally {
      this.publishCache.end();
      this.routingDepth = depth;
    }
    const writes = routing.writes;
    routing.writes = undefined;
    if (client !== undefined && this.hooks.notifies('onPublished'))
      this.hooks.notify('onPublished', { client, packet: toPublish(message), deliveredTo });
    if (writes === undefined) return undefined;
    if (writes.length === 1) return writes[0];
    return Promise.all(writes).then(() => undefined);
  }

  /** The router's delivery target: delivers within the routing context of the current depth. */
  private readonly deliverTarget = (clientId: string, delivery: Delivery): void => {
    this.deliverTo(clientId, delivery, this.routings[this.routingDepth - 1]!);
  };

  private deliverTo(clientId: string, delivery: Delivery, routing: Routing): void {
    const entry = this.sessions.get(clientId);
    if (entry === undefined) return;
    const connection = entry.connection;
    if (delivery.qos === 0 && connection !== undefined && (this.overBudget || connection.congested)) {
      this.dropped(entry, delivery.message, 'queue-full');
      return;
    }
    if (publishDeliverChannel.hasSubscribers)
      publishDeliverChannel.publish({ clientId, message: delivery.message, qos: delivery.qos });
    // As runActions with a list of writes: every store write starts now, the publisher's
    // acknowledgement waits for all of them.
    const actions = entry.session.publish(delivery, routing.now);
    for (let index = 0; index < actions.length; index += 1) {
      const pending = this.runAction(entry, actions[index]!);
      if (pending !== undefined) (routing.writes ??= []).push(pending);
    }
    this.schedule(entry);
  }

  private sendRetained(
    entry: SessionEntry,
    subscription: { topicFilter: string; qos: QoS; subscriptionIdentifier?: number },
  ): void {
    if (entry.connection === undefined) return;
    const now = this.now();
    const expired: string[] = [];
    this.router.retained.forEachMatch(subscription.topicFilter, ({ topic, value: message }) => {
      if (message.expiresAt !== undefined && now >= message.expiresAt) {
        expired.push(topic);
        return;
      }
      const delivery: Delivery = {
        message,
        qos: Math.min(message.qos, subscription.qos) as QoS,
        // [MQTT-3.3.1-8] retained messages sent on subscribe keep RETAIN set.
        retain: true,
        ...(subscription.subscriptionIdentifier === undefined
          ? {}
          : { subscriptionIdentifiers: [subscription.subscriptionIdentifier] }),
      };
      const writes: Promise<void>[] = [];
      void this.runActions(entry, entry.session.publish(delivery, now), writes);
      for (const write of writes) write.catch((error: unknown) => this.internalError(error, entry.clientId));
    });
    for (const topic of expired) {
      this.router.retained.delete(topic);
      this.store.deleteRetained(topic).catch((error: unknown) => this.internalError(error, undefined));
    }
  }

  private dropped(entry: SessionEntry, message: ApplicationMessage, reason: DropReason): void {
    this.statistics.publishDropped += 1;
    // Dropping happens under load (congested subscribers): build no context nobody reads.
    if (!this.hooks.notifies('onMessageDropped')) return;
    this.hooks.notify('onMessageDropped', {
      client: entry.connection?.client ?? { ...internalClient, clientId: entry.clientId },
      packet: toPublish(message),
      reason: hookDropReasons[reason],
    });
  }

  private tick(entry: SessionEntry, now: number): void {
    const pending = this.runActions(entry, entry.session.tick(now));
    pending?.catch((error: unknown) => this.internalError(error, entry.clientId));
    if (this.sessions.get(entry.clientId) === entry) this.schedule(entry);
  }

  private schedule(entry: SessionEntry): void {
    this.scheduler.schedule(entry, entry.session.nextDeadline());
  }

  private internalError(error: unknown, clientId: string | undefined): void {
    this.logger.error('internal error', {
      clientId,
      error: error instanceof Error ? error.message : String(error),
    });
    if (errorChannel.hasSubscribers) errorChannel.publish({ error, clientId });
  }

  async publish(input: InternalPublish): Promise<void> {
    if (this.closing) throw new Error('the broker is closed');
    const problem = validateTopicName(input.topic);
    if (problem !== undefined) {
      throw new MqttError(`invalid topic: ${problem.message}`, {
        code: 'MQTT_INVALID_ARGUMENT',
        reasonCode: ReasonCode.TopicNameInvalid,
      });
    }
    const payload =
      typeof input.payload === 'string' ? new TextEncoder().encode(input.payload) : input.payload;
    const qos = input.qos ?? 0;
    const retain = input.retain ?? false;
    const packet: Publish = {
      type: 'publish',
      topic: input.topic,
      payload,
      qos,
      retain,
      dup: false,
      ...(input.properties ? { properties: input.properties } : {}),
    };
    const decision = await this.hooks.authorizePublish({
      client: internalClient,
      topic: input.topic,
      qos,
      retain,
      payload,
      will: false,
      packet,
    });
    if (decision.outcome !== 'allow') {
      throw new NotAuthorizedError(`publishing to '${input.topic}' was denied by ${decision.decidedBy}`);
    }
    const routed = this.hooks.transformsPublishes
      ? await this.hooks.transform({ client: internalClient, packet })
      : packet;
    if (routed === 'drop') return;
    const expiry = routed.properties?.messageExpiryInterval;
    await this.routeMessage(
      {
        topic: routed.topic,
        payload: routed.payload,
        qos: routed.qos,
        retain: routed.retain,
        ...(routed.properties ? { properties: stripRouting(routed.properties) } : {}),
        ...(expiry === undefined ? {} : { expiresAt: this.now() + expiry * 1000 }),
      },
      undefined,
      internalClient,
    );
  }

  async subscribe(topicFilter: string, handler: (message: ApplicationMessage) => void): Promise<() => void> {
    if (this.closing) throw new Error('the broker is closed');
    const problem = validateTopicFilter(topicFilter);
    if (problem !== undefined) {
      throw new MqttError(`invalid topic filter: ${problem.message}`, {
        code: 'MQTT_INVALID_ARGUMENT',
        reasonCode: ReasonCode.TopicFilterInvalid,
      });
    }
    const decision = await this.hooks.authorizeSubscribe({
      client: internalClient,
      topicFilter,
      subscription: { topicFilter, qos: 2, noLocal: false, retainAsPublished: false, retainHandling: 0 },
    });
    if (decision.outcome !== 'allow') {
      throw new NotAuthorizedError(`subscribing to '${topicFilter}' was denied by ${decision.decidedBy}`);
    }
    const id = `$internal/${++this.internalSubscriptions}`;
    const safeHandler = (message: ApplicationMessage): void => {
      try {
        handler(message);
      } catch (error) {
        this.internalError(error, id);
      }
    };
    this.router.internal.add(id, topicFilter, { handler: safeHandler });
    const now = this.now();
    this.router.retained.forEachMatch(topicFilter, ({ value }) => {
      if (value.expiresAt === undefined || now < value.expiresAt) safeHandler(value);
    });
    return () => {
      this.router.internal.remove(id, topicFilter);
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.sys.stop();
    clearInterval(this.housekeeping);
    const transportsClosed = this.transports.map((transport) => transport.close());
    // Store writes of packets already received finish before the store is flushed and closed.
    const gatesDrained = [
      ...this.draining,
      ...[...this.connections].map((connection) => connection.drained()),
    ];
    for (const connection of [...this.connections])
      connection.closeAsServer(ReasonCode.ServerShuttingDown, 'server shutting down');
    this.scheduler.stop();
    await Promise.all(transportsClosed);
    await Promise.all(gatesDrained);
    await this.store.flush();
    await this.hooks.close();
    await this.store.close();
  }
}

/**
 * The decoder hands out payloads as views into the socket's read buffers (64 KiB and more). A
 * message that outlives the read (retained, queued, inflight) would keep the whole buffer alive,
 * so a small view of a large buffer is copied once here, before it is routed.
 */
/** What deliveries of one routed message share: its clock reading and the store writes they started. */
interface Routing {
  writes: Promise<void>[] | undefined;
  now: number;
}

function compact(message: ApplicationMessage): ApplicationMessage {
  const payload = message.payload;
  if (payload.buffer.byteLength <= payload.byteLength * 2 + 1024) return message;
  return { ...message, payload: payload.slice() };
}

function stripRouting(properties: PublishProperties): ApplicationMessage['properties'] {
  const { topicAlias: _alias, subscriptionIdentifiers: _identifiers, ...rest } = properties;
  return rest;
}

function fromPublish(packet: Readonly<Publish>, original: ApplicationMessage): ApplicationMessage {
  const expiry = packet.properties?.messageExpiryInterval;
  return {
    topic: packet.topic,
    payload: packet.payload,
    qos: packet.qos,
    retain: packet.retain,
    ...(packet.properties ? { properties: stripRouting(packet.properties) } : {}),
    ...(expiry === original.properties?.messageExpiryInterval && original.expiresAt !== undefined
      ? { expiresAt: original.expiresAt }
      : expiry === undefined
        ? {}
        : { expiresAt: Date.now() + expiry * 1000 }),
  };
}

/**
 * Creates a broker: validates the capabilities, opens the store, restores stored sessions and
 * retained messages, and initialises the hooks. Serve clients with `listen(transport)` or `handle(stream)`.
 *
 * ```ts
 * const broker = await createBroker({ hooks: [allowAll()] });
 * await broker.listen(createTcpTransport({ port: 1883 }));
 * ```
 */
export async function createBroker(options: BrokerOptions = {}): Promise<Broker> {
  const broker = new MqttBroker(options, createBrokerCapabilities(options.capabilities));
  await broker.start();
  return broker;
}
