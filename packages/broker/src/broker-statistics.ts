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
