import type { Packet } from '@mqttkit/codec';
import type { ClientInfo, Logger } from '@mqttkit/contracts';
import type { SessionAction } from '@mqttkit/session';
import type { BrokerCapabilities } from './broker-capabilities.js';
import type { BrokerStatistics } from './broker-statistics.js';
import type { ClientConnection } from './client-connection.js';
import type { HookRunner } from './hook-runner.js';
import type { SessionEntry } from './session-entry.js';

/** What a connection needs from the broker that owns it. */
export interface BrokerCore {
  readonly capabilities: BrokerCapabilities;
  readonly hooks: HookRunner;
  readonly logger: Logger;
  readonly statistics: BrokerStatistics;
  now(): number;
  /** An identifier for a client that connected with an empty one. */
  assignClientId(): string;
  /** A reason code to refuse a new client with (too many connections, shutting down), or undefined. */
  admissionProblem(): number | undefined;
  /** Attaches an authenticated connection to its session, taking over an older connection. */
  attach(connection: ClientConnection): SessionEntry;
  /** Carries out a session's actions in order; a promise when one of them has to wait. */
  runActions(entry: SessionEntry, actions: readonly SessionAction[]): Promise<void> | undefined;
  /**
   * Carries out the actions of a packet the connection received, pipelined: what waits for a
   * store write goes to the connection's ordered gate; a promise only when later packets must wait.
   */
  runReceived(
    connection: ClientConnection,
    entry: SessionEntry,
    actions: readonly SessionAction[],
  ): Promise<void> | undefined;
  /** The CONNACK accepting the connection was sent. */
  connected(connection: ClientConnection, sessionPresent: boolean): void;
  /** The connection closed; called once. */
  detach(connection: ClientConnection, error: Error | undefined): void;
  /** Observability of inbound packets (diagnostics channel). */
  received(client: ClientInfo | undefined, packet: Packet): void;
}
