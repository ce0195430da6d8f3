import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetainedIndex } from '../src/index.js';
import { filterArbitrary, referenceMatch, topicArbitrary } from './reference-matcher.js';

describe('RetainedIndex against a reference matcher', () => {
  it('[MQTT-4.7.2-1] lists exactly the topics the reference matches, and holds nothing once all is deleted', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(topicArbitrary, { maxLength: 30 }),
        fc.array(filterArbitrary, { maxLength: 15 }),
        (topics, filters) => {
          const index = new RetainedIndex<string>();
          for (const topic of topics) {
            expect(index.set(topic, topic)).toBe(true);
          }
          expect(index.size).toBe(topics.length);
          for (const filter of filters) {
            const expected = topics.filter((topic) => referenceMatch(filter, topic)).sort();
            const actual = index
              .match(filter)
              .map(({ topic }) => topic)
              .sort();
            expect(actual).toEqual(expected);
          }
          for (const topic of topics) {
            expect(index.delete(topic)).toBe(true);
          }
          expect(index.size).toBe(0);
          expect(index.nodeCount).toBe(1);
        },
      ),
      { seed: 20261122, numRuns: 400 },
    );
  });
});
