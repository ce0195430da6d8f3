// Runs every scenario against mqttkit, Aedes and Mosquitto, one broker child process at a time,
// and prints the comparison table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBrokerProcess } from './broker-process.js';
import { parseBenchOptions, usage } from './bench-options.js';
import { fanInScenario } from './fan-in-scenario.js';
import { fanOutScenario } from './fan-out-scenario.js';
import { idleMemoryScenario } from './idle-memory-scenario.js';
import { latencyScenario } from './latency-scenario.js';
import { qos1Scenario } from './qos1-scenario.js';
import { detailLines, resultsTable } from './results-table.js';
import type { ScenarioResults } from './results-table.js';
import { loadAverage, systemInfo } from './system-info.js';

const scenarios = [fanInScenario, fanOutScenario, qos1Scenario, latencyScenario, idleMemoryScenario];
const runTimeout = 120_000;

function aedesVersion(): string {
  // aedes exports no ./package.json, so read it where pnpm links it.
  const file = join(import.meta.dirname, '..', 'node_modules', 'aedes', 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  return manifest.version;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${runTimeout} ms`)), runTimeout);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const options = parseBenchOptions(process.argv.slice(2));
if (options === 'help') {
  console.log(usage);
  process.exit(0);
}
const selected = options.only === undefined ? scenarios : scenarios.filter((scenario) => options.only!.includes(scenario.id));
if (selected.length === 0) {
  console.error(`no scenario matches --only ${options.only!.join(',')}\n${usage}`);
  process.exit(2);
}

const info = systemInfo({ aedes: aedesVersion() });
console.log(info.join('\n'));
console.log(`load average at start: ${loadAverage()}`);
console.log(`windows: ${options.warmup} ms warm-up + ${options.duration} ms measured${options.quick ? ' (--quick)' : ''}\n`);

const all: ScenarioResults[] = [];
for (const scenario of selected) {
  const results: ScenarioResults['results'] = {};
  all.push({ scenario, results });
  for (const name of options.brokers) {
    process.stdout.write(`${scenario.id} / ${name} ... `);
    const broker = await startBrokerProcess(name, { profileDirectory: options.profileDirectory });
    try {
      const measurement = await withTimeout(scenario.run(broker, options), `${scenario.id} on ${name}`);
      results[name] = measurement;
      const figures = measurement.metrics.map((metric) => `${metric.label} ${metric.value.toFixed(metric.unit === 'msg/s' ? 0 : 2)} ${metric.unit}`);
      const statistics = await broker.statistics();
      if (statistics !== undefined) {
        figures.push(`broker counted ${statistics.publishReceived} PUBLISH in, ${statistics.publishSent} out, ${statistics.publishDropped} dropped`);
      }
      console.log(figures.join(', '));
    } catch (error) {
      results[name] = error instanceof Error ? error : new Error(String(error));
      console.log(`failed: ${results[name].message}`);
    } finally {
      await broker.stop();
    }
  }
}

console.log(`\n${resultsTable(all)}\n`);
for (const line of detailLines(all)) console.log(line);
console.log(`load average at end: ${loadAverage()}`);
process.exitCode = all.some(({ results }) => Object.values(results).some((result) => result instanceof Error)) ? 1 : 0;
