import { describe, expect, it } from 'vitest';
import { matcherCases } from './testing/matcher-cases.js';
import { matchTopic } from './match-topic.js';
import { runMatcherConformance } from './testing/run-matcher-conformance.js';

describe('matchTopic', () => {
  for (const { filter, topic, matches, statement } of matcherCases) {
    const prefix = statement === undefined ? '' : `[${statement}] `;
    it(`${prefix}'${filter}' ${matches ? 'matches' : 'does not match'} '${topic}'`, () => {
      expect(matchTopic(filter, topic)).toBe(matches);
    });
  }
});

runMatcherConformance({
  create: () => {
    const subscriptions = new Map<string, { clientId: string; filter: string }>();
    return {
      add: (clientId, filter) => subscriptions.set(`${clientId} ${filter}`, { clientId, filter }),
      remove: (clientId, filter) => subscriptions.delete(`${clientId} ${filter}`),
      match: (topic) => [...subscriptions.values()].filter(({ filter }) => matchTopic(filter, topic)),
    };
  },
});
