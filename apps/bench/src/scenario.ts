import type { BrokerProcess } from './broker-process.js';

/** The settings every scenario reads, from the command line (see `parseBenchOptions`). */
export interface BenchOptions {
  /** Milliseconds measured per throughput or latency run. */
  readonly duration: number;
  /** Milliseconds of load before measuring starts. */
  readonly warmup: number;
  /** Messages per second the latency publisher sends. */
  readonly latencyRate: number;
  /** Idle connections opened by the memory scenario. */
  readonly idleConnections: number;
  /** Write a CPU profile of the mqttkit child into this directory. */
  readonly profileDirectory: string | undefined;
}

/** One figure a scenario produces, e.g. received msg/s or p99 latency. */
export interface Metric {
  readonly label: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly value: number;
}

/** What one scenario measured against one broker. */
export interface Measurement {
  readonly metrics: readonly Metric[];
  /** CPU the broker process used during the measured window, percent of one core. */
  readonly brokerCpu?: number;
  /** CPU the load generator used during the measured window, percent of one core. */
  readonly loadCpu?: number;
  readonly note?: string;
}

export interface Scenario {
  /** The name for `--only`. */
  readonly id: string;
  readonly title: string;
  /** Whether the bare `node-net` server, which only answers CONNECT, can serve it. */
  readonly bareServer?: boolean;
  /** Whether the `node-forward` server, which forwards PUBLISH bytes to every subscriber, can serve it. */
  readonly forwarder?: boolean;
  run(broker: BrokerProcess, options: BenchOptions): Promise<Measurement>;
}
