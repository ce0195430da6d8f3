import { MqttError, ReasonCode } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { MatchResult } from './match-result.js';
import type { IndexedSubscription, SharedGroup } from './match-visitor.js';
import { SubscriptionIndex } from './subscription-index.js';
import { levelHash } from './subscription-node.js';
import { runMatcherConformance } from './testing/run-matcher-conformance.js';

interface Options {
  readonly qos: number;
}

function summary(index: SubscriptionIndex<Options>, topic: string) {
  const result = index.match(topic);
  return {
    subscribers: result.subscribers
      .map(({ clientId, subscriptions }) => ({
        clientId,
        subscriptions: subscriptions.map(({ filter, data }) => `${filter} ${data.qos}`).sort(),
      }))
      .sort((left, right) => (left.clientId < right.clientId ? -1 : 1)),
    sharedGroups: result.sharedGroups.map(({ shareName, topicFilter, members }) => ({
      shareName,
      topicFilter,
      members: [...members.keys()],
    })),
  };
}

runMatcherConformance({
  name: 'SubscriptionIndex conformance',
  create: () => {
    const index = new SubscriptionIndex<undefined>();
    return {
      add: (clientId, filter) => index.add(clientId, filter, undefined),
      remove: (clientId, filter) => index.remove(clientId, filter),
      match: (topic) => {
        const matches: IndexedSubscription<undefined>[] = [];
        index.forEachMatch(topic, {
          subscription: (subscription) => matches.push(subscription),
          sharedGroup: (group) => matches.push(...group.members.values()),
        });
        return matches;
      },
    };
  },
});

describe('SubscriptionIndex', () => {
  it('reports whether a subscription is new and replaces the data of an existing one', () => {
    const index = new SubscriptionIndex<Options>();
    expect(index.add('one', 'a/+', { qos: 0 })).toBe(true);
    expect(index.add('one', 'a/+', { qos: 2 })).toBe(false);
    expect(index.add('two', 'a/+', { qos: 1 })).toBe(true);
    expect(index.size).toBe(2);
    expect(index.get('one', 'a/+')).toMatchObject({ clientId: 'one', filter: 'a/+', data: { qos: 2 } });
    expect(index.get('three', 'a/+')).toBeUndefined();
    expect(index.get('one', 'a/b')).toBeUndefined();
  });

  it('[MQTT-4.7.1-1] throws an MqttError for an invalid filter and adds nothing', () => {
    const index = new SubscriptionIndex<Options>();
    let error: unknown;
    try {
      index.add('one', 'a/#/b', { qos: 0 });
    } catch (caught) {
      error = caught;
    }
    expect(MqttError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'MQTT_INVALID_ARGUMENT',
      reasonCode: ReasonCode.TopicFilterInvalid,
      statement: 'MQTT-4.7.1-1',
    });
    expect(() => index.add('one', '', { qos: 0 })).toThrow(/empty/);
    expect(index.size).toBe(0);
    expect(index.nodeCount).toBe(1);
  });

  it('groups every matching subscription of a client under that client', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/+', { qos: 0 });
    index.add('one', 'a/#', { qos: 1 });
    index.add('one', '#', { qos: 2 });
    index.add('two', 'a/b', { qos: 1 });
    index.add('three', 'x/y', { qos: 1 });
    expect(summary(index, 'a/b')).toEqual({
      subscribers: [
        { clientId: 'one', subscriptions: ['# 2', 'a/# 1', 'a/+ 0'] },
        { clientId: 'two', subscriptions: ['a/b 1'] },
      ],
      sharedGroups: [],
    });
  });

  it('[MQTT-4.8.2-2] returns shared subscriptions per group, apart from plain ones', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', '$share/workers/jobs/+', { qos: 1 });
    index.add('two', '$share/workers/jobs/+', { qos: 2 });
    index.add('three', '$share/audit/jobs/#', { qos: 0 });
    index.add('one', 'jobs/+', { qos: 0 });
    expect(index.add('two', '$share/workers/jobs/+', { qos: 0 })).toBe(false);
    expect(summary(index, 'jobs/7')).toEqual({
      subscribers: [{ clientId: 'one', subscriptions: ['jobs/+ 0'] }],
      sharedGroups: [
        { shareName: 'audit', topicFilter: 'jobs/#', members: ['three'] },
        { shareName: 'workers', topicFilter: 'jobs/+', members: ['one', 'two'] },
      ].sort((left, right) => (left.shareName < right.shareName ? -1 : 1)),
    });
    const group = index.match('jobs/7').sharedGroups.find((shared) => shared.shareName === 'workers');
    expect(group?.members.get('two')).toMatchObject({ filter: '$share/workers/jobs/+', data: { qos: 0 } });
    expect(index.get('one', '$share/workers/jobs/+')).toMatchObject({ data: { qos: 1 } });
    expect(index.get('one', '$share/other/jobs/+')).toBeUndefined();
  });

  it('[MQTT-4.7.2-1] never matches $ topics with a leading wildcard', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', '#', { qos: 0 });
    index.add('two', '+/broker', { qos: 0 });
    index.add('three', '$SYS/#', { qos: 0 });
    index.add('four', '$SYS/+', { qos: 0 });
    expect(summary(index, '$SYS/broker').subscribers.map(({ clientId }) => clientId)).toEqual([
      'four',
      'three',
    ]);
    expect(summary(index, '$OTHER/broker').subscribers).toEqual([]);
    expect(summary(index, 'SYS/broker').subscribers.map(({ clientId }) => clientId)).toEqual(['one', 'two']);
  });

  it('reuses a MatchResult passed in and replaces its contents', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/#', { qos: 0 });
    index.add('two', 'a/b', { qos: 0 });
    index.add('three', 'c', { qos: 0 });
    index.add('four', '$share/g/c', { qos: 0 });
    const result = new MatchResult<Options>();
    expect(index.match('a/b', result)).toBe(result);
    const firstSlot = result.subscribers[0];
    expect(result.subscribers.map(({ clientId }) => clientId).sort()).toEqual(['one', 'two']);
    index.match('c', result);
    expect(result.subscribers.map(({ clientId }) => clientId)).toEqual(['three']);
    expect(result.subscribers[0]).toBe(firstSlot);
    expect(result.sharedGroups).toHaveLength(1);
    index.match('a/b', result);
    expect(result.subscribers.map(({ subscriptions }) => subscriptions.length)).toEqual([1, 1]);
    expect(result.sharedGroups).toHaveLength(0);
  });

  it('lets a visitor match again while it runs', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/+', { qos: 0 });
    index.add('two', 'b/c/d', { qos: 0 });
    index.add('three', '$share/g/a/x', { qos: 0 });
    const seen: string[] = [];
    index.forEachMatch('a/x', {
      subscription: ({ clientId }) => {
        seen.push(clientId);
        index.forEachMatch('b/c/d', {
          subscription: (inner) => seen.push(`inner ${inner.clientId}`),
          sharedGroup: () => seen.push('inner group'),
        });
        seen.push(...index.match('b/c/d').subscribers.map((inner) => `grouped ${inner.clientId}`));
      },
      sharedGroup: (group: SharedGroup<Options>) => seen.push(group.shareName),
    });
    // The exact level 'a/x' is walked before the '+' branch, so the group comes first.
    expect(seen).toEqual(['g', 'one', 'inner two', 'grouped two']);
  });

  it('removes subscriptions, reports unknown ones and prunes every emptied node', () => {
    const index = new SubscriptionIndex<Options>();
    const filters = ['a/b/c', 'a/+/c', 'a/#', '#', '+', '$share/g/a/b/c', '$share/h/a/b/c', 'x//y', '/'];
    for (const clientId of ['one', 'two', 'three']) {
      for (const filter of filters) {
        index.add(clientId, filter, { qos: 1 });
      }
    }
    expect(index.size).toBe(27);
    expect(index.remove('four', 'a/b/c')).toBe(false);
    expect(index.remove('one', 'a/b/d')).toBe(false);
    expect(index.remove('one', '$share/z/a/b/c')).toBe(false);
    expect(index.remove('one', '$share/g/a/b')).toBe(false);
    for (const clientId of ['two', 'one', 'three']) {
      for (const filter of filters) {
        expect(index.remove(clientId, filter)).toBe(true);
        expect(index.remove(clientId, filter)).toBe(false);
      }
    }
    expect(index.size).toBe(0);
    expect(index.nodeCount).toBe(1);
    expect([...index.subscriptions()]).toEqual([]);
    expect(summary(index, 'a/b/c')).toEqual({ subscribers: [], sharedGroups: [] });
  });

  it('keeps a node that still has children when its own subscription goes', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/+', { qos: 0 });
    index.add('one', 'a/+/b', { qos: 0 });
    expect(index.nodeCount).toBe(4);
    index.remove('one', 'a/+');
    expect(index.nodeCount).toBe(4);
    expect(summary(index, 'a/x/b').subscribers).toEqual([{ clientId: 'one', subscriptions: ['a/+/b 0'] }]);
    index.remove('one', 'a/+/b');
    expect(index.nodeCount).toBe(1);
  });

  it('finds one level among many siblings, and keeps finding it as siblings go', () => {
    const index = new SubscriptionIndex<Options>();
    for (let device = 0; device < 100; device++) {
      index.add(`client-${device}`, `devices/${device}/+`, { qos: 0 });
    }
    const clientsOf = (topic: string) => summary(index, topic).subscribers.map(({ clientId }) => clientId);
    for (let device = 0; device < 100; device++) {
      expect(clientsOf(`devices/${device}/state`)).toEqual([`client-${device}`]);
    }
    expect(clientsOf('devices/100/state')).toEqual([]);
    expect(clientsOf('devices/x/state')).toEqual([]);
    for (let device = 0; device < 99; device++) {
      index.remove(`client-${device}`, `devices/${device}/+`);
      expect(clientsOf('devices/99/state')).toEqual(['client-99']);
    }
    expect(clientsOf('devices/98/state')).toEqual([]);
    index.remove('client-99', 'devices/99/+');
    expect(index.nodeCount).toBe(1);
  });

  it('keeps every filter reachable while thousands are added and removed in random order', () => {
    // Enough literal levels under few parents, and filters without wildcards, that the trie's edge
    // table and the exact filters' table grow several times and removals shift entries back
    // within long probe runs, wrapping around the tables' ends.
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const filterOf = (number: number) => `s/${number % 7}/${number}${number % 2 === 0 ? '/+' : ''}`;
    const topicOf = (number: number) => `s/${number % 7}/${number}${number % 2 === 0 ? '/x' : ''}`;
    const index = new SubscriptionIndex<Options>();
    const held = new Set<number>();
    const expectReachable = () => {
      for (let number = 0; number < 3000; number += 17) {
        const clients = summary(index, topicOf(number)).subscribers.map(({ clientId }) => clientId);
        expect(clients).toEqual(held.has(number) ? [`c${number}`] : []);
      }
    };
    for (let round = 0; round < 3; round++) {
      for (let step = 0; step < 3000; step++) {
        const number = Math.floor(random() * 3000);
        if (held.has(number)) {
          expect(index.remove(`c${number}`, filterOf(number))).toBe(true);
          held.delete(number);
        } else {
          expect(index.add(`c${number}`, filterOf(number), { qos: 0 })).toBe(true);
          held.add(number);
        }
      }
      expectReachable();
      for (const number of [...held].filter(() => random() < 0.5)) {
        index.remove(`c${number}`, filterOf(number));
        held.delete(number);
      }
      expectReachable();
    }
    for (const number of held) {
      index.remove(`c${number}`, filterOf(number));
    }
    expect(index.size).toBe(0);
    expect(index.nodeCount).toBe(1);
  });

  it('lists every subscription it holds', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/b', { qos: 0 });
    index.add('two', 'a/b', { qos: 0 });
    index.add('one', 'a/+', { qos: 0 });
    index.add('one', '#', { qos: 0 });
    index.add('one', 'x/+', { qos: 0 });
    index.add('one', 'b/c/+', { qos: 0 });
    index.add('two', '$share/g/a', { qos: 0 });
    const listed = [...index.subscriptions()].map(({ clientId, filter }) => `${clientId} ${filter}`).sort();
    expect(listed).toEqual([
      'one #',
      'one a/+',
      'one a/b',
      'one b/c/+',
      'one x/+',
      'two $share/g/a',
      'two a/b',
    ]);
  });

  // Levels with equal `levelHash` share a probe run in the trie's edge table; find such pairs, one
  // pair of equal length and one of different lengths. Short Latin-1 levels are compared inside
  // the edge table, longer ones and those with a character above U+00FF as text.
  it.each([
    ['short levels', 'k'],
    ['levels longer than 16 characters', 'a-level-longer-than-16-'],
    ['levels beyond Latin-1', '\u0101'],
  ])('tells apart %s whose hashes collide, as they are added and removed', (_, prefix) => {
    const seen = new Map<number, string>();
    let sameLength: [string, string] | undefined;
    let otherLength: [string, string] | undefined;
    for (let counter = 0; sameLength === undefined || otherLength === undefined; counter++) {
      const level = `${prefix}${counter}`;
      const hash = levelHash(level, 0, level.length);
      const earlier = seen.get(hash);
      if (earlier === undefined) {
        seen.set(hash, level);
      } else if (earlier.length === level.length) {
        sameLength ??= [earlier, level];
      } else {
        otherLength ??= [earlier, level];
      }
    }
    for (const [first, second] of [sameLength, otherLength]) {
      const index = new SubscriptionIndex<Options>();
      const clientsOf = (topic: string) => summary(index, topic).subscribers.map(({ clientId }) => clientId);
      index.add('one', `a/${first}/+`, { qos: 0 });
      expect(clientsOf(`a/${second}/x`)).toEqual([]);
      index.add('two', `a/${second}/+`, { qos: 0 });
      expect(clientsOf(`a/${first}/x`)).toEqual(['one']);
      expect(clientsOf(`a/${second}/x`)).toEqual(['two']);
      // Removing the older of two chained levels, then adding it back and removing the newer.
      index.remove('one', `a/${first}/+`);
      expect(clientsOf(`a/${first}/x`)).toEqual([]);
      expect(clientsOf(`a/${second}/x`)).toEqual(['two']);
      index.add('one', `a/${first}/+`, { qos: 0 });
      index.add('three', 'a/other/+', { qos: 0 });
      index.remove('three', 'a/other/+');
      expect(clientsOf(`a/${first}/x`)).toEqual(['one']);
      index.add('three', 'a/other/+', { qos: 0 });
      index.remove('one', `a/${first}/+`);
      index.add('one', `a/${first}/+`, { qos: 0 });
      index.remove('two', `a/${second}/+`);
      expect(clientsOf(`a/${first}/x`)).toEqual(['one']);
      expect(clientsOf(`a/${second}/x`)).toEqual([]);
      expect(clientsOf('a/other/x')).toEqual(['three']);
      expect([...index.subscriptions()]).toHaveLength(2);
      index.remove('three', 'a/other/+');
      index.remove('one', `a/${first}/+`);
      expect(index.nodeCount).toBe(1);
      // Filters without wildcards are kept by the hash of the whole filter, chained the same way.
      index.add('one', first, { qos: 0 });
      expect(clientsOf(second)).toEqual([]);
      index.add('two', second, { qos: 0 });
      expect(clientsOf(first)).toEqual(['one']);
      expect(clientsOf(second)).toEqual(['two']);
      expect([...index.subscriptions()]).toHaveLength(2);
      index.remove('one', first);
      expect(clientsOf(second)).toEqual(['two']);
      index.add('one', first, { qos: 0 });
      index.remove('one', first);
      index.remove('two', second);
      expect(clientsOf(first)).toEqual([]);
      expect(index.nodeCount).toBe(1);
    }
  });

  it('groups per client whatever the number of clients in one match', () => {
    const index = new SubscriptionIndex<Options>();
    // Clients get numbers in the order they first subscribe; matching those whose numbers are a
    // power of two apart makes them meet in the grouping table, before and after it grows.
    for (let client = 1; client <= 300; client++) {
      index.add(`client-${client}`, `own/${client}`, { qos: 0 });
    }
    const clients = [1, 65, 129, 193, 257, ...Array.from({ length: 60 }, (_, offset) => offset + 2)];
    const result = new MatchResult<Options>();
    for (const [count, expected] of [
      [2, ['client-1', 'client-65']],
      [clients.length, clients.map((client) => `client-${client}`)],
    ] as const) {
      for (const client of clients.slice(0, count)) {
        index.add(`client-${client}`, 'fan/+', { qos: 0 });
        index.add(`client-${client}`, 'fan/#', { qos: 1 });
      }
      index.match('fan/out', result);
      expect(result.subscribers.map(({ clientId }) => clientId).sort()).toEqual([...expected].sort());
      expect(result.subscribers.every(({ subscriptions }) => subscriptions.length === 2)).toBe(true);
      index.match('own/1', result);
      expect(result.subscribers).toEqual([
        { clientId: 'client-1', subscriptions: [index.get('client-1', 'own/1')] },
      ]);
    }
  });

  it('hands the numbers of departed clients to new ones without mixing them up', () => {
    const index = new SubscriptionIndex<Options>();
    index.add('one', 'a/+', { qos: 0 });
    index.add('two', 'a/+', { qos: 0 });
    index.remove('one', 'a/+');
    index.add('three', 'a/#', { qos: 0 });
    index.add('two', 'a/b', { qos: 1 });
    expect(summary(index, 'a/b').subscribers).toEqual([
      { clientId: 'three', subscriptions: ['a/# 0'] },
      { clientId: 'two', subscriptions: ['a/+ 0', 'a/b 1'] },
    ]);
  });
});
