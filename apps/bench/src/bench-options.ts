import { parseArgs } from 'node:util';
import { brokerNames, defaultBrokers } from './broker-process.js';
import type { BrokerName } from './broker-process.js';
import type { BenchOptions } from './scenario.js';

/** The command line: the scenario settings plus which scenarios to run. */
export interface CommandLine extends BenchOptions {
  readonly only: readonly string[] | undefined;
  readonly brokers: readonly BrokerName[];
  /** Runs per scenario and broker, interleaved across brokers; the table shows the median. */
  readonly rounds: number;
  readonly quick: boolean;
  /** The server script of the `baseline` broker (`--baseline`). */
  readonly baselineBundle: string | undefined;
}

export const usage = `Usage: pnpm bench [--quick] [--only <scenario>[,<scenario>]] [--brokers <name>[,<name>]]
                  [--rounds <n>] [--duration <ms>] [--warmup <ms>] [--latency-rate <msg/s>] [--connections <n>]
                  [--profile <dir>] [--baseline <file>]
Scenarios: fan-in, fan-out, qos1, latency, idle-memory.
Brokers: ${brokerNames.join(', ')} (default ${defaultBrokers.join(', ')}).
node-net      a bare Node net server that keeps its sockets (idle-memory only): Node's own floor
node-forward  a Node server that forwards PUBLISH bytes unparsed (latency only): Node's latency floor
baseline      the mqttkit server script given with --baseline (a copy of dist/serve-mqttkit.js from
              an earlier run), to compare a change side by side; --baseline adds it to the brokers
--quick       a short smoke run (1 s windows, 1 round, 1,000 idle connections)
--rounds      runs per scenario and broker, interleaved; the table shows the median (default 3)
--profile     write a V8 CPU profile (.cpuprofile) of the mqttkit broker child into <dir>`;

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new Error(`--${name} takes a positive integer, got '${value}'`);
  return number;
}

export function parseBenchOptions(argv: readonly string[]): CommandLine | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      brokers: { type: 'string', multiple: true },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'latency-rate': { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const brokers = values.brokers?.flatMap((value) => value.split(',')) ?? [...defaultBrokers];
  if (values.baseline !== undefined && !brokers.includes('baseline')) brokers.push('baseline');
  if (brokers.includes('baseline') && values.baseline === undefined)
    throw new Error('the baseline broker needs --baseline <file>');
  for (const name of brokers) {
    if (!(brokerNames as readonly string[]).includes(name)) throw new Error(`unknown broker '${name}'`);
  }
  return {
    quick,
    only: values.only?.flatMap((value) => value.split(',')),
    brokers: brokers as BrokerName[],
    rounds: positiveInteger(values.rounds, 'rounds', quick ? 1 : 3),
    duration: positiveInteger(values.duration, 'duration', quick ? 1000 : 5000),
    warmup: positiveInteger(values.warmup, 'warmup', quick ? 300 : 1000),
    latencyRate: positiveInteger(values['latency-rate'], 'latency-rate', 5000),
    idleConnections: positiveInteger(values.connections, 'connections', quick ? 1000 : 10_000),
    profileDirectory: values.profile,
    baselineBundle: values.baseline,
  };
}
