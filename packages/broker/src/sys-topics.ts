import { freemem, loadavg } from 'node:os';
import type { ApplicationMessage } from '@mqttkit/session';
import type { BrokerStatisticsView } from './broker-statistics.js';

export interface SysTopicsOptions {
  /** Seconds between updates; 0 turns `$SYS` off. */
  readonly interval: number;
  readonly version: string;
  readonly statistics: BrokerStatisticsView;
  readonly publish: (message: ApplicationMessage) => unknown;
}

const encoder = new TextEncoder();
// Moving averages per minute over 1, 5 and 15 minutes, as mosquitto's `$SYS/broker/load/...`.
const windows = [
  ['1min', 60],
  ['5min', 300],
  ['15min', 900],
] as const;
const loads = [
  'messages/received',
  'messages/sent',
  'publish/messages/received',
  'publish/messages/sent',
  'bytes/received',
  'bytes/sent',
  'connections',
] as const;

/**
 * Publishes the broker's state as retained messages under `$SYS/broker/...`, with mosquitto's
 * topic names, every `interval` seconds. Values only change topics that changed.
 */
export class SysTopics {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = Date.now();
  private readonly last = new Map<string, string>();
  private readonly averages = new Map<string, number>();
  private previous: Record<(typeof loads)[number], number> | undefined;

  constructor(private readonly options: SysTopicsOptions) {}

  start(): void {
    if (this.options.interval === 0) return;
    this.update();
    this.timer = setInterval(() => this.update(), this.options.interval * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private update(): void {
    const statistics = this.options.statistics;
    const values: [string, string | number][] = [
      ['version', this.options.version],
      ['uptime', `${Math.round((Date.now() - this.started) / 1000)} seconds`],
      ['clients/connected', statistics.clientsConnected],
      ['clients/active', statistics.clientsConnected],
      ['clients/total', statistics.sessions],
      ['clients/disconnected', Math.max(0, statistics.sessions - statistics.clientsConnected)],
      ['clients/maximum', statistics.maximumClientsConnected],
      ['messages/received', statistics.messagesReceived],
      ['messages/sent', statistics.messagesSent],
      ['publish/messages/received', statistics.publishReceived],
      ['publish/messages/sent', statistics.publishSent],
      ['publish/messages/dropped', statistics.publishDropped],
      ['bytes/received', statistics.bytesReceived],
      ['bytes/sent', statistics.bytesSent],
      ['subscriptions/count', statistics.subscriptions],
      ['retained messages/count', statistics.retainedMessages],
      ['heap/current', process.memoryUsage().heapUsed],
      ['load/system/1min', loadavg()[0]!.toFixed(2)],
      ['memory/free', freemem()],
    ];
    const current = {
      'messages/received': statistics.messagesReceived,
      'messages/sent': statistics.messagesSent,
      'publish/messages/received': statistics.publishReceived,
      'publish/messages/sent': statistics.publishSent,
      'bytes/received': statistics.bytesReceived,
      'bytes/sent': statistics.bytesSent,
      connections: statistics.connectionsAccepted,
    };
    if (this.previous !== undefined) {
      const interval = this.options.interval;
      for (const name of loads) {
        const perMinute = ((current[name] - this.previous[name]) * 60) / interval;
        for (const [label, seconds] of windows) {
          const key = `load/${name}/${label}`;
          const factor = Math.exp(-interval / seconds);
          const average = (this.averages.get(key) ?? perMinute) * factor + perMinute * (1 - factor);
          this.averages.set(key, average);
          values.push([key, average.toFixed(2)]);
        }
      }
    }
    this.previous = current;
    for (const [name, value] of values) {
      const text = String(value);
      const topic = `$SYS/broker/${name}`;
      if (this.last.get(topic) === text) continue;
      this.last.set(topic, text);
      this.options.publish({ topic, payload: encoder.encode(text), qos: 0, retain: true });
    }
  }
}
