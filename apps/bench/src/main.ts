// Runs every scenario against mqttkit, Aedes and Mosquitto, one broker child process at a time,
// and prints the comparison table.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBrokerProcess } from './broker-process.js';
import type { BrokerName } from './broker-process.js';
import { parseBenchOptions, usage } from './bench-options.js';
import type { CommandLine } from './bench-options.js';
import { fanInScenario } from './fan-in-scenario.js';
import { fanOutScenario } from './fan-out-scenario.js';
import { idleMemoryScenario } from './idle-memory-scenario.js';
import { latencyScenario } from './latency-scenario.js';
import { medianMeasurement } from './median-measurement.js';
import { summarizeProfile } from './profile-summary.js';
import { qos1Scenario } from './qos1-scenario.js';
import { detailLines, resultsTable } from './results-table.js';
import type { ScenarioResults } from './results-table.js';
import type { Measurement, Scenario } from './scenario.js';
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

const printedProfiles = new Set<string>();

/** Prints the hottest functions of each CPU profile the mqttkit child wrote since the last call. */
async function printProfiles(directory: string): Promise<void> {
  for (const file of readdirSync(directory).filter(
    (name) => name.endsWith('.cpuprofile') && !printedProfiles.has(name),
  )) {
    printedProfiles.add(file);
    console.log(`  profile ${join(directory, file)}, top functions by self time (self% / total%):`);
    for (const entry of await summarizeProfile(join(directory, file), 15)) {
      console.log(
        `  ${entry.self.toFixed(1).padStart(5)}% ${entry.total.toFixed(1).padStart(5)}%  ${entry.name}`,
      );
    }
  }
}

const parsed = parseBenchOptions(process.argv.slice(2));
if (parsed === 'help') {
  console.log(usage);
  process.exit(0);
}
const options: CommandLine = parsed;
const selected =
  options.only === undefined
    ? scenarios
    : scenarios.filter((scenario) => options.only!.includes(scenario.id));
if (selected.length === 0) {
  console.error(`no scenario matches --only ${options.only!.join(',')}\n${usage}`);
  process.exit(2);
}

const info = systemInfo({ aedes: aedesVersion() });
console.log(info.join('\n'));
console.log(`load average at start: ${loadAverage()}`);
console.log(
  `windows: ${options.warmup} ms warm-up + ${options.duration} ms measured, ${options.rounds} round(s) per broker` +
    `${options.quick ? ' (--quick)' : ''}\n`,
);

/** Runs one scenario once against one broker in a fresh child process; prints the figures. */
async function runOnce(scenario: Scenario, name: BrokerName, round: number): Promise<Measurement> {
  process.stdout.write(`${scenario.id} / ${name}${options.rounds > 1 ? ` (round ${round})` : ''} ... `);
  const broker = await startBrokerProcess(name, {
    profileDirectory: options.profileDirectory,
    baselineBundle: options.baselineBundle,
  });
  try {
    const measurement = await withTimeout(scenario.run(broker, options), `${scenario.id} on ${name}`);
    const figures = measurement.metrics.map(
      (metric) => `${metric.label} ${metric.value.toFixed(metric.unit === 'msg/s' ? 0 : 2)} ${metric.unit}`,
    );
    const statistics = await broker.statistics();
    if (statistics !== undefined) {
      figures.push(
        `broker counted ${statistics.publishReceived} PUBLISH in, ${statistics.publishSent} out, ${statistics.publishDropped} dropped`,
      );
    }
    console.log(figures.join(', '));
    return measurement;
  } catch (error) {
    console.log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  } finally {
    await broker.stop();
    if (name === 'mqttkit' && options.profileDirectory !== undefined)
      await printProfiles(options.profileDirectory);
  }
}

const all: ScenarioResults[] = [];
for (const scenario of selected) {
  const results: ScenarioResults['results'] = {};
  all.push({ scenario, results });
  // Rounds go broker after broker (A B C A B C ...), so a burst of other load hits all of them alike.
  const rounds = new Map<BrokerName, Measurement[]>();
  const failed = new Map<BrokerName, Error>();
  const brokers = options.brokers.filter(
    (name) =>
      (name !== 'node-net' || scenario.bareServer === true) &&
      (name !== 'node-forward' || scenario.forwarder === true),
  );
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const name of brokers) {
      if (failed.has(name)) continue;
      try {
        const measurement = await runOnce(scenario, name, round);
        rounds.set(name, [...(rounds.get(name) ?? []), measurement]);
      } catch (error) {
        failed.set(name, error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
  for (const name of brokers) {
    const measurements = rounds.get(name);
    results[name] =
      failed.get(name) ??
      (measurements === undefined ? new Error('no round ran') : medianMeasurement(measurements));
  }
}

console.log(`\n${resultsTable(all)}\n`);
for (const line of detailLines(all)) console.log(line);
console.log(`load average at end: ${loadAverage()}`);
process.exitCode = all.some(({ results }) => Object.values(results).some((result) => result instanceof Error))
  ? 1
  : 0;
