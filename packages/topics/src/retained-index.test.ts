import { MqttError, ReasonCode } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { RetainedIndex } from './retained-index.js';
import { matcherCases } from './testing/matcher-cases.js';

function topicsMatching(index: RetainedIndex<string>, filter: string): string[] {
  return index
    .match(filter)
    .map(({ topic }) => topic)
    .sort();
}

describe('RetainedIndex', () => {
  for (const { filter, topic, matches, statement } of matcherCases) {
    const prefix = statement === undefined ? '' : `[${statement}] `;
    it(`${prefix}'${filter}' ${matches ? 'lists' : 'does not list'} retained '${topic}'`, () => {
      const index = new RetainedIndex<string>();
      index.set(topic, 'value');
      expect(topicsMatching(index, filter)).toEqual(matches ? [topic] : []);
    });
  }

  it('sets, replaces, reads and deletes values', () => {
    const index = new RetainedIndex<string>();
    expect(index.set('a/b', 'one')).toBe(true);
    expect(index.set('a/b', 'two')).toBe(false);
    expect(index.get('a/b')).toBe('two');
    expect(index.get('a')).toBeUndefined();
    expect(index.get('a/b/c')).toBeUndefined();
    expect(index.size).toBe(1);
    expect(index.delete('a')).toBe(false);
    expect(index.delete('x')).toBe(false);
    expect(index.delete('a/b')).toBe(true);
    expect(index.delete('a/b')).toBe(false);
    expect(index.size).toBe(0);
    expect(index.nodeCount).toBe(1);
  });

  it('[MQTT-3.3.2-2] throws an MqttError for an invalid topic name and stores nothing', () => {
    const index = new RetainedIndex<string>();
    let error: unknown;
    try {
      index.set('a/+', 'value');
    } catch (caught) {
      error = caught;
    }
    expect(MqttError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ reasonCode: ReasonCode.TopicNameInvalid, statement: 'MQTT-3.3.2-2' });
    expect(() => index.set('', 'value')).toThrow(/empty/);
    expect(index.size).toBe(0);
  });

  it('lists every topic a wildcard filter matches and no other', () => {
    const index = new RetainedIndex<string>();
    const topics = ['a', 'a/b', 'a/c', 'a/b/c', 'a//c', 'b/b', '/b', '$SYS/x', '$SYS', 'a/$x'];
    for (const topic of topics) {
      index.set(topic, topic.toUpperCase());
    }
    expect(topicsMatching(index, '#')).toEqual(['/b', 'a', 'a/$x', 'a//c', 'a/b', 'a/b/c', 'a/c', 'b/b']);
    expect(topicsMatching(index, 'a/#')).toEqual(['a', 'a/$x', 'a//c', 'a/b', 'a/b/c', 'a/c']);
    expect(topicsMatching(index, '+/b')).toEqual(['/b', 'a/b', 'b/b']);
    expect(topicsMatching(index, '+/+/c')).toEqual(['a//c', 'a/b/c']);
    expect(topicsMatching(index, '$SYS/#')).toEqual(['$SYS', '$SYS/x']);
    expect(topicsMatching(index, 'a/b/c/+')).toEqual([]);
    expect(topicsMatching(index, 'z/#')).toEqual([]);
    expect(index.match('a/b')).toEqual([{ topic: 'a/b', value: 'A/B' }]);
  });

  it('lets the visitor match again while it runs', () => {
    const index = new RetainedIndex<string>();
    index.set('a/b', 'ab');
    index.set('c', 'c');
    const seen: string[] = [];
    index.forEachMatch('a/+', ({ value }) => {
      seen.push(value);
      index.forEachMatch('#', (inner) => seen.push(`inner ${inner.value}`));
    });
    expect(seen.sort()).toEqual(['ab', 'inner ab', 'inner c']);
    expect(topicsMatching(index, 'a/+')).toEqual(['a/b']);
  });

  it('prunes only the nodes left empty', () => {
    const index = new RetainedIndex<string>();
    index.set('a', 'a');
    index.set('a/b/c', 'abc');
    index.set('a/b/d', 'abd');
    expect(index.nodeCount).toBe(5);
    index.delete('a/b/c');
    expect(index.nodeCount).toBe(4);
    index.delete('a/b/d');
    expect(index.nodeCount).toBe(2);
    expect([...index.entries()]).toEqual([{ topic: 'a', value: 'a' }]);
    index.delete('a');
    expect(index.nodeCount).toBe(1);
    expect([...index.entries()]).toEqual([]);
  });
});
