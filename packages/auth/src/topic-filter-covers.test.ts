import { matchTopic } from '@mqttkit/topics';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topicFilterCovers, topicFiltersOverlap } from './topic-filter-covers.js';

// A small universe: every topic of up to 4 levels over these level names, one level deeper
// than the generated filters, so that a filter's wildcards always have topics to tell apart.
const levels = ['a', 'b', '$s', ''];
let topics: string[] = [...levels];
for (let depth = 2, previous = topics; depth <= 4; depth++) {
  previous = previous.flatMap((topic) => levels.map((level) => `${topic}/${level}`));
  topics = [...topics, ...previous];
}
const filter = fc
  .array(fc.constantFrom('a', 'b', '$s', '', '+'), { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.boolean().map((hash) => (hash ? [...parts.slice(0, -1), '#'] : parts).join('/')))
  .filter((value) => !/(^|\/)\$s/.test(value.slice(1)));
const matched = (value: string) => topics.filter((topic) => matchTopic(value, topic));

describe('topicFilterCovers', () => {
  it.each([
    ['a/#', 'a/+/b', true],
    ['a/#', 'a', true],
    ['a/#', 'a/#', true],
    ['a/+', 'a/#', false],
    ['a/+', 'a/b', true],
    ['+/b', 'a/+', false],
    ['#', '$SYS/#', false],
    ['+/x', '$SYS/x', false],
    ['#', '+/x', true],
    ['$SYS/#', '$SYS/broker/+', true],
    ['a/b', 'a/b/c', false],
    ['a/b/#', 'a/b', true],
    ['a/+/#', 'a', false],
  ])('%s covers %s: %s', (granted, requested, expected) => {
    expect(topicFilterCovers(granted, requested)).toBe(expected);
  });

  it('agrees with matching every topic of a small universe', () => {
    fc.assert(
      fc.property(filter, filter, (granted, requested) => {
        const covered = matched(requested).every((topic) => matchTopic(granted, topic));
        expect(topicFilterCovers(granted, requested)).toBe(covered);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});

describe('topic filter relations and $ topics', () => {
  it('[MQTT-4.7.2-1] lets no filter starting with a wildcard cover or overlap a $ topic filter', () => {
    for (const wildcard of ['#', '+/#', '+/broker', '+/+']) {
      expect(topicFilterCovers(wildcard, '$SYS/broker')).toBe(false);
      expect(topicFiltersOverlap(wildcard, '$SYS/broker')).toBe(false);
    }
    expect(topicFilterCovers('$SYS/#', '$SYS/broker')).toBe(true);
  });
});

describe('topicFiltersOverlap', () => {
  it.each([
    ['a/#', 'a', true],
    ['a/+', 'a/b', true],
    ['a/+', 'b/+', false],
    ['#', '$SYS/x', false],
    ['+/+', '$SYS/#', false],
    ['a', 'a/b', false],
    ['+/b', 'a/+', true],
  ])('%s and %s overlap: %s', (first, second, expected) => {
    expect(topicFiltersOverlap(first, second)).toBe(expected);
    expect(topicFiltersOverlap(second, first)).toBe(expected);
  });

  it('agrees with finding a common topic in a small universe', () => {
    fc.assert(
      fc.property(filter, filter, (first, second) => {
        const common = matched(first).some((topic) => matchTopic(second, topic));
        expect(topicFiltersOverlap(first, second)).toBe(common);
      }),
      { seed: 11, numRuns: 2000 },
    );
  });
});
