import { describe, expect, it } from 'vitest';
import { matcherCases } from './matcher-cases.js';

/** One matching subscription as a matcher under test reports it. */
export interface ConformanceMatch {
  readonly clientId: string;
  /** The filter as it was added, including any `$share/{ShareName}/` prefix. */
  readonly filter: string;
}

/** The subscription matcher the conformance suite drives; any method may return a Promise. */
export interface ConformanceMatcher {
  add(clientId: string, filter: string): unknown;
  remove(clientId: string, filter: string): unknown;
  /** Every subscription matching the topic, shared-group members included. */
  match(topic: string): Iterable<ConformanceMatch> | Promise<Iterable<ConformanceMatch>>;
}

/** Options of `runMatcherConformance`. */
export interface MatcherConformanceOptions {
  /** Makes a new, empty matcher for each test. */
  readonly create: () => ConformanceMatcher | Promise<ConformanceMatcher>;
  /** The name of the `describe` block; defaults to "topic matcher conformance". */
  readonly name?: string;
}

async function matchesOf(matcher: ConformanceMatcher, topic: string): Promise<string[]> {
  const matches = [...(await matcher.match(topic))];
  return matches.map((match) => `${match.clientId} ${match.filter}`).sort();
}

/**
 * Registers vitest tests that check a subscription matcher against the MQTT 3.1.1 and 5.0
 * matching rules (section 4.7, shared subscriptions of section 4.8.2): call it inside a test file.
 */
export function runMatcherConformance(options: MatcherConformanceOptions): void {
  describe(options.name ?? 'topic matcher conformance', () => {
    for (const { filter, topic, matches, statement } of matcherCases) {
      const prefix = statement === undefined ? '' : `[${statement}] `;
      it(`${prefix}'${filter}' ${matches ? 'matches' : 'does not match'} '${topic}'`, async () => {
        const matcher = await options.create();
        await matcher.add('client', filter);
        expect(await matchesOf(matcher, topic)).toEqual(matches ? [`client ${filter}`] : []);
      });
    }

    it('[MQTT-3.3.2-3] returns every matching subscription of every client and nothing else', async () => {
      const matcher = await options.create();
      const filters = ['a/b', 'a/+', 'a/#', '#', '+/b', 'a/b/c', 'x/#'];
      for (const filter of filters) {
        await matcher.add('one', filter);
      }
      await matcher.add('two', 'a/b');
      await matcher.add('two', '+/+');
      expect(await matchesOf(matcher, 'a/b')).toEqual([
        'one #',
        'one +/b',
        'one a/#',
        'one a/+',
        'one a/b',
        'two +/+',
        'two a/b',
      ]);
    });

    it('adds a (client, filter) pair once however often it is added', async () => {
      const matcher = await options.create();
      await matcher.add('client', 'a/+');
      await matcher.add('client', 'a/+');
      expect(await matchesOf(matcher, 'a/b')).toEqual(['client a/+']);
    });

    it('stops matching a removed subscription and keeps the others', async () => {
      const matcher = await options.create();
      await matcher.add('one', 'a/+');
      await matcher.add('two', 'a/+');
      await matcher.add('one', 'a/#');
      await matcher.remove('one', 'a/+');
      expect(await matchesOf(matcher, 'a/b')).toEqual(['one a/#', 'two a/+']);
      await matcher.remove('two', 'a/+');
      await matcher.remove('one', 'a/#');
      expect(await matchesOf(matcher, 'a/b')).toEqual([]);
    });

    it('ignores the removal of a subscription it does not hold', async () => {
      const matcher = await options.create();
      await matcher.add('one', 'a/b');
      await matcher.remove('two', 'a/b');
      await matcher.remove('one', 'a/c');
      await matcher.remove('one', '$share/group/a/b');
      expect(await matchesOf(matcher, 'a/b')).toEqual(['one a/b']);
    });

    it('[MQTT-4.8.2-2] keeps shared groups apart from each other and from plain subscriptions', async () => {
      const matcher = await options.create();
      await matcher.add('one', '$share/g1/a/+');
      await matcher.add('two', '$share/g1/a/+');
      await matcher.add('three', '$share/g2/a/+');
      await matcher.add('one', 'a/+');
      expect(await matchesOf(matcher, 'a/b')).toEqual([
        'one $share/g1/a/+',
        'one a/+',
        'three $share/g2/a/+',
        'two $share/g1/a/+',
      ]);
      await matcher.remove('one', '$share/g1/a/+');
      expect(await matchesOf(matcher, 'a/b')).toEqual([
        'one a/+',
        'three $share/g2/a/+',
        'two $share/g1/a/+',
      ]);
    });
  });
}
