import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Broker } from '@mqttkit/broker';
import type { Hook } from '@mqttkit/contracts';

/** Prometheus metrics of one broker: a hook that counts events, and the registry to expose. */
export interface Metrics {
  /** Counts connections, messages and drops; add it to the broker's hooks. */
  readonly hook: Hook;
  readonly registry: Registry;
  /** Reads the broker's counters and its `$SYS` counts; call once the broker exists. */
  attach(broker: Broker): Promise<void>;
  /** Stops listening to the broker. */
  close(): void;
}

// mosquitto's $SYS topic names for what `broker.statistics` does not carry.
const sysGauges = {
  '$SYS/broker/subscriptions/count': [
    'mqttkit_subscriptions',
    'Subscriptions of all sessions (updated every sys.interval seconds).',
  ],
  '$SYS/broker/retained messages/count': [
    'mqttkit_retained_messages',
    'Retained messages (updated every sys.interval seconds).',
  ],
  '$SYS/broker/clients/total': [
    'mqttkit_sessions',
    'Sessions, connected or not (updated every sys.interval seconds).',
  ],
} as const;

const deliverChannel = 'mqtt:publish:deliver';

/**
 * Maps `broker.statistics`, hook notifications and the `mqtt:publish:deliver` diagnostics channel
 * to prom-client metrics, plus Node's default metrics (event-loop lag, heap, CPU).
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  let broker: Broker | undefined;
  let unsubscribeSys: (() => void) | undefined;

  const fromStatistics = (
    name: string,
    help: string,
    read: (statistics: Broker['statistics']) => number,
  ): void => {
    const isCounter = name.endsWith('_total');
    const collect = function (this: Counter | Gauge): void {
      if (broker === undefined) return;
      this.reset();
      (this as Gauge).inc(read(broker.statistics));
    };
    if (isCounter) new Counter({ name, help, registers: [registry], collect });
    else new Gauge({ name, help, registers: [registry], collect });
  };
  fromStatistics(
    'mqttkit_clients_connected',
    'Clients connected now.',
    (statistics) => statistics.clientsConnected,
  );
  fromStatistics(
    'mqttkit_clients_connected_maximum',
    'Most clients connected at once since start.',
    (statistics) => statistics.maximumClientsConnected,
  );
  fromStatistics(
    'mqttkit_connections_accepted_total',
    'Network connections accepted.',
    (statistics) => statistics.connectionsAccepted,
  );
  fromStatistics(
    'mqttkit_packets_received_total',
    'MQTT packets received.',
    (statistics) => statistics.messagesReceived,
  );
  fromStatistics('mqttkit_packets_sent_total', 'MQTT packets sent.', (statistics) => statistics.messagesSent);
  fromStatistics(
    'mqttkit_bytes_received_total',
    'Bytes received from clients.',
    (statistics) => statistics.bytesReceived,
  );
  fromStatistics('mqttkit_bytes_sent_total', 'Bytes sent to clients.', (statistics) => statistics.bytesSent);

  const received = new Counter({
    name: 'mqttkit_messages_received_total',
    help: 'Application messages accepted from publishers and routed, by QoS.',
    labelNames: ['qos'],
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'mqttkit_messages_delivered_total',
    help: "Application messages handed to subscribers' sessions, by granted QoS.",
    labelNames: ['qos'],
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'mqttkit_messages_dropped_total',
    help: 'Messages dropped instead of delivered, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const connects = new Counter({
    name: 'mqttkit_client_connects_total',
    help: 'Clients that connected (CONNACK 0x00).',
    registers: [registry],
  });
  const disconnects = new Counter({
    name: 'mqttkit_client_disconnects_total',
    help: 'Client connections that ended, by whether the client sent DISCONNECT.',
    labelNames: ['clean'],
    registers: [registry],
  });
  const subscribes = new Counter({
    name: 'mqttkit_subscribe_requests_total',
    help: 'Topic filters in SUBSCRIBE packets.',
    registers: [registry],
  });
  const sys = new Map<string, Gauge>();
  for (const [topic, [name, help]] of Object.entries(sysGauges))
    sys.set(topic, new Gauge({ name, help, registers: [registry] }));

  for (const qos of ['0', '1', '2']) {
    received.inc({ qos }, 0);
    delivered.inc({ qos }, 0);
  }
  const onDeliver = (message: unknown): void =>
    delivered.inc({ qos: String((message as { qos: number }).qos) });

  return {
    registry,
    hook: {
      name: 'metrics',
      onPublished: ({ packet }) => received.inc({ qos: String(packet.qos) }),
      onMessageDropped: ({ reason }) => dropped.inc({ reason }),
      onClientConnected: () => connects.inc(),
      onClientDisconnected: ({ clean }) => disconnects.inc({ clean: String(clean) }),
      onSubscribed: ({ subscriptions }) => subscribes.inc(subscriptions.length),
    },
    async attach(target) {
      broker = target;
      subscribe(deliverChannel, onDeliver);
      if (target.capabilities.sysInterval > 0) {
        unsubscribeSys = await target.subscribe('$SYS/broker/#', (message) => {
          const gauge = sys.get(message.topic);
          const value = Number(new TextDecoder().decode(message.payload));
          if (gauge !== undefined && Number.isFinite(value)) gauge.set(value);
        });
      }
    },
    close() {
      unsubscribe(deliverChannel, onDeliver);
      unsubscribeSys?.();
    },
  };
}
