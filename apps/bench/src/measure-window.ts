import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerProcess } from './broker-process.js';
import type { BenchOptions } from './scenario.js';

/** Counts over the measured window, after the warm-up. */
export interface WindowResult {
  /** Growth of the counter per second. */
  readonly rate: number;
  readonly brokerCpu: number;
  readonly loadCpu: number;
}

/** Waits out the warm-up, then measures how fast `count()` grows over `options.duration`. */
export async function measureWindow(
  broker: BrokerProcess,
  options: BenchOptions,
  count: () => number,
): Promise<WindowResult> {
  await sleep(options.warmup);
  const startCount = count();
  const startTime = performance.now();
  const startBrokerCpu = await broker.cpuMilliseconds();
  const startLoadCpu = process.cpuUsage();
  await sleep(options.duration);
  const endCount = count();
  const elapsed = performance.now() - startTime;
  const loadCpu = process.cpuUsage(startLoadCpu);
  const brokerCpu = (await broker.cpuMilliseconds()) - startBrokerCpu;
  return {
    rate: ((endCount - startCount) * 1000) / elapsed,
    brokerCpu: (brokerCpu * 100) / elapsed,
    loadCpu: (loadCpu.user + loadCpu.system) / 10 / elapsed,
  };
}
