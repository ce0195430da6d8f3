import { brokerNames } from './broker-process.js';
import type { BrokerName } from './broker-process.js';
import type { Measurement, Scenario } from './scenario.js';

/** The measurements of one scenario against each broker that ran it. */
export interface ScenarioResults {
  readonly scenario: Scenario;
  readonly results: Partial<Record<BrokerName, Measurement | Error>>;
}

function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'msg/s') return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value < 10 ? 2 : 1);
}

/** How many times better mqttkit is: above 1 is better, whichever way the metric points. */
function ratio(mine: number, theirs: number, higherIsBetter: boolean): string {
  if (!Number.isFinite(mine) || !Number.isFinite(theirs) || mine <= 0 || theirs <= 0) return 'n/a';
  return `${(higherIsBetter ? mine / theirs : theirs / mine).toFixed(2)}×`;
}

function cell(result: Measurement | Error | undefined, label: string): { text: string; value: number } {
  if (result === undefined) return { text: '-', value: Number.NaN };
  if (result instanceof Error) return { text: 'failed', value: Number.NaN };
  const metric = result.metrics.find((candidate) => candidate.label === label);
  return metric
    ? { text: formatValue(metric.value, metric.unit), value: metric.value }
    : { text: '-', value: Number.NaN };
}

const columnTitles: Record<BrokerName, string> = {
  mqttkit: 'mqttkit',
  aedes: 'Aedes',
  mosquitto: 'Mosquitto',
  'node-net': 'bare Node net',
  'node-forward': 'Node forwarder',
  baseline: 'mqttkit baseline',
};

/**
 * A Markdown table: one row per metric, the three brokers (plus the bare Node server and the
 * baseline when they ran), and mqttkit's advantage over Aedes, Mosquitto and the baseline (above
 * 1× means mqttkit is better, for throughput higher and for latency and memory lower).
 */
export function resultsTable(all: readonly ScenarioResults[]): string {
  const ran = (name: BrokerName): boolean => all.some(({ results }) => results[name] !== undefined);
  const columns = brokerNames.filter(
    (name) => name === 'aedes' || name === 'mosquitto' || name === 'mqttkit' || ran(name),
  );
  const compared = columns.filter(
    (name) => name !== 'mqttkit' && name !== 'node-net' && name !== 'node-forward',
  );
  const lines = [
    `| scenario | metric | ${columns.map((name) => columnTitles[name]).join(' | ')} | ${compared.map((name) => `mqttkit vs ${columnTitles[name]}`).join(' | ')} |`,
    `|---|---|${columns.map(() => '---:').join('|')}|${compared.map(() => '---:').join('|')}|`,
  ];
  for (const { scenario, results } of all) {
    const first = Object.values(results).find((result): result is Measurement => !(result instanceof Error));
    const metrics = first?.metrics ?? [];
    for (const metric of metrics) {
      const mqttkit = cell(results.mqttkit, metric.label);
      const cells = columns.map((name) => cell(results[name], metric.label).text);
      const ratios = compared.map((name) =>
        ratio(mqttkit.value, cell(results[name], metric.label).value, metric.higherIsBetter),
      );
      lines.push(
        `| ${scenario.id} | ${metric.label} (${metric.unit}) | ${cells.join(' | ')} | ${ratios.join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Broker and load-generator CPU and notes per run, to show who was the bottleneck. */
export function detailLines(all: readonly ScenarioResults[]): string[] {
  const lines: string[] = [];
  for (const { scenario, results } of all) {
    for (const [name, result] of Object.entries(results)) {
      if (result instanceof Error) {
        lines.push(`${scenario.id} / ${name}: failed: ${result.message}`);
        continue;
      }
      const parts = [
        result.brokerCpu === undefined ? undefined : `broker CPU ${result.brokerCpu.toFixed(0)}%`,
        result.loadCpu === undefined ? undefined : `load generator CPU ${result.loadCpu.toFixed(0)}%`,
        result.note,
      ].filter((part) => part !== undefined);
      if (parts.length > 0) lines.push(`${scenario.id} / ${name}: ${parts.join(', ')}`);
    }
  }
  return lines;
}
