import type { Measurement } from './scenario.js';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length === 0 ? undefined : median(defined);
}

/**
 * Folds the rounds of one scenario against one broker into one measurement: the median of each
 * figure, so one round disturbed by other load on the machine does not decide the result.
 */
export function medianMeasurement(rounds: readonly Measurement[]): Measurement {
  if (rounds.length === 1) return rounds[0]!;
  const first = rounds[0]!;
  const brokerCpu = medianOf(rounds.map((round) => round.brokerCpu));
  const loadCpu = medianOf(rounds.map((round) => round.loadCpu));
  const perRound = first.metrics
    .map(
      (metric) =>
        `${metric.label} ${rounds.map((round) => round.metrics.find((candidate) => candidate.label === metric.label)?.value.toFixed(metric.unit === 'msg/s' ? 0 : 2)).join(' / ')}`,
    )
    .join('; ');
  return {
    metrics: first.metrics.map((metric) => ({
      ...metric,
      value: median(
        rounds.map(
          (round) => round.metrics.find((candidate) => candidate.label === metric.label)?.value ?? Number.NaN,
        ),
      ),
    })),
    ...(brokerCpu === undefined ? {} : { brokerCpu }),
    ...(loadCpu === undefined ? {} : { loadCpu }),
    note: `median of ${rounds.length} rounds (${perRound})${first.note === undefined ? '' : `; last round: ${rounds.at(-1)!.note}`}`,
  };
}
