import type { Connect, UserProperty } from '@mqttkit/codec';
import type { ClientInfo } from './client-info.js';
import type { AllowDecision, DecisionExplanation, DenyDecision, DeferDecision } from './decision.js';

/** Which exchange an `authenticate` call belongs to. */
export const AuthenticationExchange = {
  /** Started by CONNECT. */
  connect: 'connect',
  /** Started by an MQTT 5 AUTH packet with reason code 0x19 on an established connection. */
  reauthenticate: 'reauthenticate',
} as const;
export type AuthenticationExchange = (typeof AuthenticationExchange)[keyof typeof AuthenticationExchange];

/**
 * The context of `authenticate`. For plain user name/password authentication the broker calls it
 * once per CONNECT. For MQTT 5 enhanced authentication (CONNECT with an Authentication Method)
 * it calls it once per round: round 0 carries the CONNECT's (or the re-authenticating AUTH's)
 * method and data; when the hook answers `continue`, the broker sends AUTH 0x18 with the hook's
 * data and calls the same hook again with the client's next AUTH data in round 1, 2, ...
 * Only the hook that answered `continue` is called for the following rounds of that exchange.
 */
export interface AuthenticateContext {
  /**
   * The connecting client. `username` is the CONNECT's user name; on re-authentication it is the
   * identity the connection was authenticated with.
   */
  readonly client: ClientInfo;
  /** The CONNECT packet's password, if any. Never logged by the broker. */
  readonly password?: Uint8Array;
  /** The MQTT 5 Authentication Method (0x15) of the exchange; absent for plain authentication. */
  readonly authenticationMethod?: string;
  /** The Authentication Data (0x16) of this round: from CONNECT, or from the client's AUTH packet. */
  readonly authenticationData?: Uint8Array;
  /** User properties of the packet of this round (CONNECT or AUTH). */
  readonly userProperties?: readonly UserProperty[];
  /** Whether this exchange started with CONNECT or with a re-authentication request. */
  readonly exchange: AuthenticationExchange;
  /** 0 for the first call of an exchange, then 1, 2, ... for each AUTH 0x18 from the client. */
  readonly round: number;
  /**
   * Scratch space for one exchange, empty in round 0 and carried unchanged by the broker between
   * rounds. A hook keeps its nonces and expected proofs here instead of in hook-wide state.
   */
  readonly state: Record<string, unknown>;
  /** The CONNECT packet that opened the connection (its will, clean start and properties). */
  readonly connect: Readonly<Connect>;
  /** Aborted when the connection closes or the broker gives up waiting for the hook. */
  readonly signal?: AbortSignal;
}

/** The allow answer of `authenticate`, which can also set the client's identity. */
export interface AuthenticationAllowDecision extends AllowDecision {
  /** Replaces the client's user name for authorization and logs (e.g. a certificate CN). */
  readonly username?: string;
  /** Roles the client gets for role-based authorization rules. */
  readonly roles?: readonly string[];
  /** Data later hooks read from `client.attributes`; use the provider name as key. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  /** MQTT 5 enhanced authentication: server-final Authentication Data sent in CONNACK or AUTH 0x00. */
  readonly authenticationData?: Uint8Array;
}

/** Continue MQTT 5 enhanced authentication: the broker sends AUTH 0x18 and waits for the client. */
export interface ContinueAuthenticationDecision extends DecisionExplanation {
  /** Always `true`: the exchange needs another round. */
  readonly continue: true;
  /** The Authentication Data (0x16) to send in the AUTH 0x18 packet. */
  readonly authenticationData: Uint8Array;
}

/**
 * The answer of `authenticate`: the usual decision forms, an allow that sets the identity, or
 * `continue` for another round of enhanced authentication. A hook that does not support the
 * exchange's Authentication Method defers; when all hooks defer, the broker answers 0x8C (bad
 * authentication method) if a method was given and 0x86/0x87 otherwise.
 */
export type AuthenticationDecision =
  | 'allow'
  | 'defer'
  | AuthenticationAllowDecision
  | DenyDecision
  | DeferDecision
  | ContinueAuthenticationDecision;
