/** A seeded IoT-like workload: subscriptions (60% exact, 30% with '+', 10% with '#') and topics. */

const tenants = 200;
const sites = 50;
const devices = 5_000;
const deviceTypes = ['sensor', 'meter', 'gateway', 'camera', 'thermostat', 'lock', 'light', 'pump'];
const channels = ['telemetry', 'status', 'cmd', 'config', 'events', 'alerts'];
const metrics = [
  'temperature',
  'humidity',
  'battery',
  'power',
  'rssi',
  'firmware',
  'state',
  'voltage',
  'co2',
];
const units = ['raw', 'avg', 'min', 'max'];

/** A small, fast, seeded generator (mulberry32) so every run sees the same workload. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, values: readonly T[]): T {
  return values[Math.floor(random() * values.length)]!;
}

/** A topic of depth 4 to 7, such as `t12/site-3/sensor/dev-4711/telemetry/temperature/avg`. */
export function randomTopicLevels(random: () => number): string[] {
  const depth = 4 + Math.floor(random() * 4);
  const levels = [
    `t${Math.floor(random() * tenants)}`,
    `site-${Math.floor(random() * sites)}`,
    pick(random, deviceTypes),
    `dev-${Math.floor(random() * devices)}`,
    pick(random, channels),
    pick(random, metrics),
    pick(random, units),
  ];
  return levels.slice(0, depth);
}

/** A filter: 60% exact, 30% with one or two '+', 10% ending in '#' after 2 to 4 levels. */
export function randomFilter(random: () => number): string {
  const levels = randomTopicLevels(random);
  const kind = random();
  if (kind < 0.6) {
    return levels.join('/');
  }
  if (kind < 0.9) {
    levels[1 + Math.floor(random() * (levels.length - 1))] = '+';
    if (random() < 0.3) {
      levels[1 + Math.floor(random() * (levels.length - 1))] = '+';
    }
    return levels.join('/');
  }
  return [...levels.slice(0, 2 + Math.floor(random() * 3)), '#'].join('/');
}

/** A topic: half made from a subscribed filter (so it matches something), half fully random. */
export function randomTopic(random: () => number, filters: readonly string[]): string {
  if (random() < 0.5) {
    return randomTopicLevels(random).join('/');
  }
  const template = pick(random, filters).split('/');
  const fresh = randomTopicLevels(random);
  const levels: string[] = [];
  for (let index = 0; index < template.length; index++) {
    const level = template[index]!;
    if (level === '#') {
      levels.push(...fresh.slice(index, Math.max(index, fresh.length)));
    } else {
      levels.push(level === '+' ? (fresh[index] ?? 'x') : level);
    }
  }
  return levels.length === 0 ? fresh.join('/') : levels.join('/');
}
