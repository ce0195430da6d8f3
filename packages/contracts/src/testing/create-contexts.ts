import type { Connect, QoS, Subscription } from '@mqttkit/codec';
import type { AuthenticateContext } from '../authenticate-context.js';
import type { AuthorizePublishContext, AuthorizeSubscribeContext } from '../authorize-context.js';
import type { ClientCertificate, ClientInfo } from '../client-info.js';

/** Who is asking, in the terms a test writes: plain strings, optional everything. */
export interface TestCredentials {
  /** The CONNECT user name. */
  readonly username?: string;
  /** The CONNECT password; strings are encoded as UTF-8. */
  readonly password?: string | Uint8Array;
  /** The client identifier; `conformance-client` when absent. */
  readonly clientId?: string;
  /** A TLS client certificate, as presented on an mTLS listener. */
  readonly certificate?: ClientCertificate;
  /** Roles, as a previous authentication decision would have set them. */
  readonly roles?: readonly string[];
  /** Attributes, as a previous authentication decision would have set them. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** The remote address; `127.0.0.1` when absent. */
  readonly remoteAddress?: string;
  /** The protocol version; 5 when absent. */
  readonly protocolVersion?: 3 | 4 | 5;
}

/** Builds a `ClientInfo` with test defaults. */
export function createClientInfo(credentials: TestCredentials = {}): ClientInfo {
  return {
    clientId: credentials.clientId ?? 'conformance-client',
    ...(credentials.username === undefined ? {} : { username: credentials.username }),
    roles: credentials.roles ?? [],
    attributes: credentials.attributes ?? {},
    protocolVersion: credentials.protocolVersion ?? 5,
    remoteAddress: credentials.remoteAddress ?? '127.0.0.1',
    remotePort: 50_000,
    transport: credentials.certificate === undefined ? 'tcp' : 'tls',
    listener: 'default',
    ...(credentials.certificate === undefined ? {} : { certificate: credentials.certificate }),
  };
}

function toBytes(password: string | Uint8Array | undefined): Uint8Array | undefined {
  return typeof password === 'string' ? new TextEncoder().encode(password) : password;
}

/** Extra inputs of an authentication round beyond the credentials. */
export interface TestAuthenticationRound {
  /** MQTT 5 Authentication Method. */
  readonly authenticationMethod?: string;
  /** Authentication Data of this round. */
  readonly authenticationData?: Uint8Array;
  /** Round number; 0 when absent. */
  readonly round?: number;
  /** Exchange state carried from the previous round; a fresh object when absent. */
  readonly state?: Record<string, unknown>;
  /** `connect` when absent. */
  readonly exchange?: 'connect' | 'reauthenticate';
}

/** Builds the context of an `authenticate` call as a broker would for a CONNECT. */
export function createAuthenticateContext(
  credentials: TestCredentials = {},
  round: TestAuthenticationRound = {},
): AuthenticateContext {
  const client = createClientInfo(credentials);
  const password = toBytes(credentials.password);
  const connect: Connect = {
    type: 'connect',
    protocolVersion: client.protocolVersion,
    clean: true,
    keepAlive: 60,
    clientId: client.clientId,
    ...(client.username === undefined ? {} : { username: client.username }),
    ...(password === undefined ? {} : { password }),
    ...(round.authenticationMethod === undefined
      ? {}
      : {
          properties: {
            authenticationMethod: round.authenticationMethod,
            ...(round.authenticationData === undefined
              ? {}
              : { authenticationData: round.authenticationData }),
          },
        }),
  };
  return {
    client,
    ...(password === undefined ? {} : { password }),
    ...(round.authenticationMethod === undefined ? {} : { authenticationMethod: round.authenticationMethod }),
    ...(round.authenticationData === undefined ? {} : { authenticationData: round.authenticationData }),
    exchange: round.exchange ?? 'connect',
    round: round.round ?? 0,
    state: round.state ?? {},
    connect,
  };
}

/** A message to authorize. */
export interface TestPublish {
  /** The topic name. */
  readonly topic: string;
  /** 0 when absent. */
  readonly qos?: QoS;
  /** `false` when absent. */
  readonly retain?: boolean;
  /** Empty when absent; strings are encoded as UTF-8. */
  readonly payload?: string | Uint8Array;
  /** Whether it is a will message; `false` when absent. */
  readonly will?: boolean;
}

/** Builds the context of an `authorizePublish` call. */
export function createPublishContext(
  credentials: TestCredentials,
  message: TestPublish,
): AuthorizePublishContext {
  const qos = message.qos ?? 0;
  const retain = message.retain ?? false;
  const payload = toBytes(message.payload) ?? new Uint8Array(0);
  return {
    client: createClientInfo(credentials),
    topic: message.topic,
    qos,
    retain,
    payload,
    will: message.will ?? false,
    packet: {
      type: 'publish',
      topic: message.topic,
      payload,
      qos,
      retain,
      dup: false,
      ...(qos === 0 ? {} : { packetId: 1 }),
    },
  };
}

/** Builds the context of an `authorizeSubscribe` call; a `$share/<name>/` prefix is split off. */
export function createSubscribeContext(
  credentials: TestCredentials,
  topicFilter: string,
  options: Partial<Omit<Subscription, 'topicFilter'>> = {},
): AuthorizeSubscribeContext {
  const shared = /^\$share\/([^/#+]+)\/(.+)$/.exec(topicFilter);
  const subscription: Subscription = {
    topicFilter,
    qos: options.qos ?? 0,
    noLocal: options.noLocal ?? false,
    retainAsPublished: options.retainAsPublished ?? false,
    retainHandling: options.retainHandling ?? 0,
  };
  return {
    client: createClientInfo(credentials),
    topicFilter: shared?.[2] ?? topicFilter,
    ...(shared?.[1] === undefined ? {} : { shareName: shared[1] }),
    subscription,
  };
}
