import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SubscriptionIndex, matchTopic } from '../src/index.js';
import { filterArbitrary, referenceMatch, topicArbitrary } from './reference-matcher.js';

const clientArbitrary = fc.constantFrom('c1', 'c2', 'c3');
const operationArbitrary = fc.record({
  remove: fc.boolean(),
  clientId: clientArbitrary,
  filter: filterArbitrary,
});

function indexMatches(index: SubscriptionIndex<number>, topic: string): string[] {
  const matches: string[] = [];
  const result = index.match(topic);
  for (const { clientId, subscriptions } of result.subscribers) {
    for (const subscription of subscriptions) {
      expect(subscription.clientId).toBe(clientId);
      matches.push(`${clientId} ${subscription.filter}`);
    }
  }
  for (const group of result.sharedGroups) {
    for (const [clientId, member] of group.members) {
      expect(member.filter).toBe(`$share/${group.shareName}/${group.topicFilter}`);
      matches.push(`${clientId} ${member.filter}`);
    }
  }
  return matches.sort();
}

describe('SubscriptionIndex against a reference matcher', () => {
  it('[MQTT-4.7.2-1] finds exactly what the reference finds, and holds nothing once all is removed', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary, { maxLength: 40 }),
        fc.array(topicArbitrary, { maxLength: 15 }),
        (operations, topics) => {
          const index = new SubscriptionIndex<number>();
          const model = new Map<string, { clientId: string; filter: string }>();
          for (const { remove, clientId, filter } of operations) {
            const key = `${clientId} ${filter}`;
            if (remove) {
              expect(index.remove(clientId, filter)).toBe(model.delete(key));
            } else {
              expect(index.add(clientId, filter, 0)).toBe(!model.has(key));
              model.set(key, { clientId, filter });
            }
          }
          expect(index.size).toBe(model.size);
          for (const topic of topics) {
            const expected = [...model.entries()]
              .filter(([, { filter }]) => referenceMatch(filter, topic))
              .map(([key]) => key)
              .sort();
            expect(indexMatches(index, topic)).toEqual(expected);
          }
          for (const { clientId, filter } of model.values()) {
            expect(index.remove(clientId, filter)).toBe(true);
          }
          expect(index.size).toBe(0);
          expect(index.nodeCount).toBe(1);
        },
      ),
      { seed: 20261122, numRuns: 400 },
    );
  });

  it('[MQTT-4.7.2-1] matchTopic agrees with the reference on every filter and topic', () => {
    fc.assert(
      fc.property(filterArbitrary, topicArbitrary, (filter, topic) => {
        expect(matchTopic(filter, topic)).toBe(referenceMatch(filter, topic));
      }),
      { seed: 20261122, numRuns: 5000 },
    );
  });
});
