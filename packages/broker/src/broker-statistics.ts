/** Counters for `$SYS` topics and metrics; plain numbers, updated on the hot path. */
export interface BrokerStatistics {
  connectionsAccepted: number;
  clientsConnected: number;
  maximumClientsConnected: number;
  messagesReceived: number;
  messagesSent: number;
  publishReceived: number;
  publishSent: number;
  publishDropped: number;
  bytesReceived: number;
  bytesSent: number;
}

/** Counters plus the sizes of the broker's tables, computed when read (for metrics and `$SYS`). */
export interface BrokerStatisticsView extends Readonly<BrokerStatistics> {
  /** Sessions the broker holds, connected or not. */
  readonly sessions: number;
  /** Subscriptions of all sessions. */
  readonly subscriptions: number;
  /** Retained messages. */
  readonly retainedMessages: number;
  /** Outbound QoS 1 and 2 messages sent and not yet acknowledged, over all sessions (a walk over sessions). */
  readonly inflightMessages: number;
  /** Outbound messages waiting in session queues, over all sessions (a walk over sessions). */
  readonly queuedMessages: number;
}

export function createStatistics(): BrokerStatistics {
  return {
    connectionsAccepted: 0,
    clientsConnected: 0,
    maximumClientsConnected: 0,
    messagesReceived: 0,
    messagesSent: 0,
    publishReceived: 0,
    publishSent: 0,
    publishDropped: 0,
    bytesReceived: 0,
    bytesSent: 0,
  };
}
