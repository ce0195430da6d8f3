import type { StoredMessage } from './stored-message.js';
import type { StoredSession } from './stored-session.js';
import type { StoredSessionChange } from './stored-session-change.js';

/**
 * Where a broker keeps what must outlive a connection: every persistent session (Session Expiry
 * Interval above 0, or a 3.1.1 session without clean session) with its subscriptions, inflight
 * and queued messages, QoS 2 packet ids awaiting PUBREL and pending will, plus every retained
 * message [MQTT-3.1.2-23] [MQTT-3.3.1-5]. Memory, embedded disk and Redis stores fit behind it;
 * `runStoreConformance` from `@mqttkit/contracts/testing` checks an implementation.
 *
 * Rules every implementation keeps:
 * - Calls take effect in the order they are made: a read sees every write called before it, even
 *   one the caller has not awaited. A write resolves once it is durable under the store's own
 *   sync policy; `flush()` waits for all of them.
 * - Inputs are snapshots: the store copies the containers it keeps (sessions, arrays, records,
 *   subscriptions), so the caller may go on changing its own. It may keep payloads, wills and
 *   properties by reference (see `StoredMessage`).
 * - Outputs are fresh where they are mutable: the caller may change the sessions, arrays, records
 *   and subscriptions it gets back. Messages, wills, payloads and properties may be shared with
 *   the store and are read-only.
 * - The store never expires sessions, wills or messages, nor publishes wills; the broker does.
 * - After `close()`, every other method rejects with `StoreClosedError`.
 */
export interface Store {
  /** Called once before any other method; a durable store opens its files or connections here. */
  open?(): Promise<void>;
  /**
   * Every stored session, in no particular order, for the broker to restore subscriptions and
   * timers at start. Sessions saved or deleted while the iteration runs may or may not appear.
   */
  loadSessions(): AsyncIterable<StoredSession>;
  /** The stored session of this client, or `undefined` when there is none. */
  getSession(clientId: string): Promise<StoredSession | undefined>;
  /** Replaces the whole session under `session.clientId` (a takeover from another node, or a snapshot). */
  saveSession(session: StoredSession): Promise<void>;
  /**
   * Applies the changes in order to the session of `clientId`, as `StoredSessionChange`
   * describes; a `session` change creates a session the store does not hold yet.
   */
  applySessionChanges(clientId: string, changes: readonly StoredSessionChange[]): Promise<void>;
  /** Forgets the session; resolves also when there was none. */
  deleteSession(clientId: string): Promise<void>;
  /** Every retained message, in no particular order, for the broker's retained index at start. */
  loadRetained(): AsyncIterable<StoredMessage>;
  /**
   * Keeps the message as its topic's retained message, replacing any earlier one. A message with
   * an empty payload is never stored: it deletes the topic's retained message [MQTT-3.3.1-7].
   */
  setRetained(message: StoredMessage): Promise<void>;
  /** Forgets the topic's retained message; resolves also when there was none. */
  deleteRetained(topic: string): Promise<void>;
  /** Resolves when every write called so far is durable. */
  flush(): Promise<void>;
  /** Flushes, then releases files and connections. Idempotent: every call resolves once closed. */
  close(): Promise<void>;
}
