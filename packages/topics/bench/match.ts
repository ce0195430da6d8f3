/**
 * Compares SubscriptionIndex with qlobber (as Aedes uses it) and a naive loop over matchTopic.
 * Run with `pnpm bench` (node --expose-gc). Set BENCH_SUBSCRIPTIONS / BENCH_TOPICS to scale it.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { MatchResult, SubscriptionIndex, matchTopic } from '../src/index.js';
import { createRandom, randomFilter, randomTopic } from './workload.js';

interface QlobberLike {
  add(topic: string, value: unknown): unknown;
  remove(topic: string, value?: unknown): unknown;
  match(topic: string): unknown[];
}
type QlobberConstructor = new (options: Record<string, unknown>) => QlobberLike;

const require = createRequire(import.meta.url);
const { Qlobber } = require('qlobber') as { Qlobber: QlobberConstructor };
const QlobberSub = require('qlobber/aedes/qlobber-sub.js') as QlobberConstructor;
// The options Aedes' own packages pass: mqemitter (which routes every publish to the connected
// clients' subscriptions) sets `match_empty_levels: true`; aedes-persistence's in-memory store
// (offline QoS 1/2 subscriptions, in QlobberSub) leaves it at its default, false. The workload has
// no empty levels, so the flag changes no match.
const mqemitterOptions = { separator: '/', wildcard_one: '+', wildcard_some: '#', match_empty_levels: true };
const persistenceOptions = { separator: '/', wildcard_one: '+', wildcard_some: '#' };

const subscriptionCount = Number(process.env.BENCH_SUBSCRIPTIONS ?? 1_000_000);
const topicCount = Number(process.env.BENCH_TOPICS ?? 1_000_000);
const naiveSubscriptionCount = 10_000;
const naiveTopicCount = 20_000;
const subscriptionsPerClient = 10;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  throw new Error('Run with node --expose-gc (pnpm bench does).');
}

function heapUsed(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

// CPU time of this process rather than wall time: the benchmark shares its machine, and CPU time
// moves much less than wall time when other processes compete for the cores.
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface Contender {
  readonly name: string;
  build(): void;
  add(index: number): void;
  match(topic: string): number;
  remove(index: number): void;
  release(): void;
}

interface Figures {
  readonly contender: Contender;
  readonly count: number;
  readonly topics: readonly string[];
  insertPerSecond: number;
  insertRates: number[];
  matchRates: number[];
  matchPerSecond: number;
  removePerSecond: number;
  bytesPerSubscription: number;
  matches: number;
}

const loadAtStart = os.loadavg();
const random = createRandom(42);
const filters: string[] = [];
const clientIds: string[] = [];
const options: { qos: number; retainHandling: number }[] = [];
const aedesValues: Record<string, unknown>[] = [];
for (let index = 0; index < subscriptionCount; index++) {
  const filter = randomFilter(random);
  const clientId = `client-${Math.floor(index / subscriptionsPerClient)}`;
  filters.push(filter);
  clientIds.push(clientId);
  options.push({ qos: index % 3, retainHandling: 0 });
  // What aedes-persistence adds to its QlobberSub.
  aedesValues.push({ clientId, topic: filter, qos: index % 3, rh: 0, rap: false, nl: false });
}
const topics: string[] = [];
for (let index = 0; index < topicCount; index++) {
  topics.push(randomTopic(random, filters));
}

// Inserting is timed in three passes, the matchers taking turns, each build alone in the heap:
// every matcher is emptied and a full collection runs first, so that no build pays for marking
// another matcher's structures (at a million subscriptions, one major collection of a heap holding
// the other matchers takes several seconds, and lands on whichever build happens to trigger it).
// The fastest pass counts for insert/s, and the ratios between matchers are also given as the
// median of the per-pass ratios. The heap bytes are those of the last timed build; every matcher
// is then built once more, untimed, for matching.
function insert(figures: Figures, all: readonly Figures[]): void {
  const { contender, count } = figures;
  for (const other of all) {
    other.contender.release();
  }
  const before = heapUsed();
  contender.build();
  const start = cpuSeconds();
  for (let index = 0; index < count; index++) {
    contender.add(index);
  }
  const rate = count / (cpuSeconds() - start);
  figures.insertRates.push(rate);
  figures.insertPerSecond = Math.max(figures.insertPerSecond, rate);
  figures.bytesPerSubscription = (heapUsed() - before) / count;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function matchSlice(figures: Figures, slice: number, slices: number): void {
  const { contender, topics: topicList } = figures;
  const from = Math.floor((topicList.length * slice) / slices);
  const to = Math.floor((topicList.length * (slice + 1)) / slices);
  const start = cpuSeconds();
  let matches = 0;
  for (let index = from; index < to; index++) {
    matches += contender.match(topicList[index]!);
  }
  figures.matchRates.push((to - from) / (cpuSeconds() - start));
  figures.matches += matches;
}

function remove(figures: Figures): void {
  const { contender, count } = figures;
  const start = cpuSeconds();
  for (let index = 0; index < count; index++) {
    contender.remove(index);
  }
  figures.removePerSecond = count / (cpuSeconds() - start);
  figures.matchPerSecond = median(figures.matchRates);
  contender.release();
}

function mqttkit(grouped: boolean): Contender {
  let index = new SubscriptionIndex<{ qos: number; retainHandling: number }>();
  const result = new MatchResult<{ qos: number; retainHandling: number }>();
  let counted = 0;
  const visitor = {
    subscription: () => {
      counted++;
    },
    sharedGroup: () => {
      counted++;
    },
  };
  return {
    name: grouped ? 'mqttkit match() grouped' : 'mqttkit forEachMatch()',
    build: () => {
      index = new SubscriptionIndex();
    },
    add: (position) => index.add(clientIds[position]!, filters[position]!, options[position]!),
    match: (topic) => {
      if (grouped) {
        index.match(topic, result);
        let total = 0;
        for (const subscriber of result.subscribers) {
          total += subscriber.subscriptions.length;
        }
        return total;
      }
      counted = 0;
      index.forEachMatch(topic, visitor);
      return counted;
    },
    remove: (position) => index.remove(clientIds[position]!, filters[position]!),
    release: () => {
      index = new SubscriptionIndex();
    },
  };
}

function qlobber(name: string, create: () => QlobberLike, values: readonly unknown[]): Contender {
  let matcher = create();
  return {
    name,
    build: () => {
      matcher = create();
    },
    add: (position) => matcher.add(filters[position]!, values[position]),
    match: (topic) => matcher.match(topic).length,
    remove: (position) => matcher.remove(filters[position]!, values[position]),
    release: () => {
      matcher = create();
    },
  };
}

function naive(): Contender {
  let list: { clientId: string; filter: string }[] = [];
  return {
    name: `naive loop (${naiveSubscriptionCount.toLocaleString('en')} subscriptions)`,
    build: () => {
      list = [];
    },
    add: (position) => list.push({ clientId: clientIds[position]!, filter: filters[position]! }),
    match: (topic) => {
      let count = 0;
      for (const subscription of list) {
        if (matchTopic(subscription.filter, topic)) {
          count++;
        }
      }
      return count;
    },
    remove: (position) => {
      const last = list.pop();
      if (last !== undefined && position < list.length) {
        list[position] = last;
      }
    },
    release: () => {
      list = [];
    },
  };
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en');
}

const contenders: [Contender, number, readonly string[]][] = [
  [mqttkit(false), subscriptionCount, topics],
  [mqttkit(true), subscriptionCount, topics],
  [
    qlobber('qlobber QlobberSub (aedes-persistence)', () => new QlobberSub(persistenceOptions), aedesValues),
    subscriptionCount,
    topics,
  ],
  [
    qlobber('qlobber Qlobber (mqemitter)', () => new Qlobber(mqemitterOptions), options),
    subscriptionCount,
    topics,
  ],
  [naive(), naiveSubscriptionCount, topics.slice(0, naiveTopicCount)],
];
const results: Figures[] = contenders.map(([contender, count, topicList]) => ({
  contender,
  count,
  topics: topicList,
  insertPerSecond: 0,
  insertRates: [],
  matchRates: [],
  matchPerSecond: 0,
  removePerSecond: 0,
  bytesPerSubscription: 0,
  matches: 0,
}));
// A short warm-up first, so that no matcher is timed while the JIT is still compiling it.
for (const [contender] of contenders) {
  const warmUp = Math.min(naiveSubscriptionCount, subscriptionCount);
  contender.build();
  for (let index = 0; index < warmUp; index++) {
    contender.add(index);
  }
  for (let index = 0; index < Math.min(warmUp, topicCount); index++) {
    contender.match(topics[index]!);
  }
  for (let index = 0; index < warmUp; index++) {
    contender.remove(index);
  }
  contender.release();
}
// Every matcher is built, then matching takes turns in slices so that all of them see the same
// machine load (the rate is the median over slices), then each is emptied.
const insertPasses = 3;
for (let pass = 0; pass < insertPasses; pass++) {
  for (const figures of results) {
    insert(figures, results);
  }
}
for (const figures of results) {
  figures.contender.build();
  for (let index = 0; index < figures.count; index++) {
    figures.contender.add(index);
  }
}
const slices = 10;
for (let slice = 0; slice < slices; slice++) {
  for (const figures of results) {
    matchSlice(figures, slice, slices);
  }
}
for (const figures of results) {
  remove(figures);
}

const [ours, grouped, aedes, plain] = results as [Figures, Figures, Figures, Figures, Figures];
console.log(
  `Node ${process.version}, ${process.platform} ${process.arch}, ${os.cpus().length} cores; ` +
    `${format(subscriptionCount)} subscriptions ` +
    `(${subscriptionsPerClient} per client), ${format(topicCount)} topics, ` +
    `${(ours.matches / topicCount).toFixed(2)} matches per topic on average`,
);
const loads = (averages: number[]) => averages.map((average) => average.toFixed(2)).join(' ');
console.log(
  `Load average (1, 5, 15 minutes): ${loads(loadAtStart)} at the start, ${loads(os.loadavg())} at the end`,
);
console.log('');
console.log('| matcher | insert/s | match/s | remove/s | heap bytes/subscription | matches |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const figures of results) {
  console.log(
    `| ${figures.contender.name} | ${format(figures.insertPerSecond)} | ${format(figures.matchPerSecond)} | ` +
      `${format(figures.removePerSecond)} | ${format(figures.bytesPerSubscription)} | ${format(figures.matches)} |`,
  );
}
console.log('');
for (const figures of results) {
  console.log(`${figures.contender.name}: insert/s per pass ${figures.insertRates.map(format).join(', ')}`);
}
console.log('');
const slicesRatio = (mine: Figures, other: Figures) =>
  median(mine.matchRates.map((rate, slice) => rate / other.matchRates[slice]!)).toFixed(2);
const passesRatio = (mine: Figures, other: Figures) =>
  median(mine.insertRates.map((rate, pass) => rate / other.insertRates[pass]!)).toFixed(2);
for (const mine of [ours, grouped]) {
  for (const other of [aedes, plain]) {
    console.log(
      `${mine.contender.name} vs ${other.contender.name}: ` +
        `match ${(mine.matchPerSecond / other.matchPerSecond).toFixed(2)}x ` +
        `(median of per-slice ratios ${slicesRatio(mine, other)}x), ` +
        `insert ${(mine.insertPerSecond / other.insertPerSecond).toFixed(2)}x ` +
        `(median of per-pass ratios ${passesRatio(mine, other)}x), ` +
        `remove ${(mine.removePerSecond / other.removePerSecond).toFixed(2)}x, ` +
        `memory ${(mine.bytesPerSubscription / other.bytesPerSubscription).toFixed(2)}x`,
    );
  }
}
if (ours.matches !== aedes.matches || ours.matches !== plain.matches) {
  console.log(`WARNING: match counts differ (${ours.matches}, ${aedes.matches}, ${plain.matches})`);
}
