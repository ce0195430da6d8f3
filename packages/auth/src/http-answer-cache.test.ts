import { describe, expect, it } from 'vitest';
import { createHttpAnswerCache } from './http-answer-cache.js';

function cacheAt(options: { maxEntries?: number; allowTtl?: number; denyTtl?: number } = {}) {
  const clock = { now: 0 };
  const cache = createHttpAnswerCache({
    maxEntries: options.maxEntries ?? 10,
    allowTtl: options.allowTtl ?? 1000,
    denyTtl: options.denyTtl ?? 100,
    clock: () => clock.now,
  });
  return { cache, clock };
}

describe('createHttpAnswerCache', () => {
  it('keeps allow for allowTtl and deny or ignore for denyTtl', () => {
    const { cache, clock } = cacheAt();
    cache.set('allow', 'allow');
    cache.set('deny', 'deny');
    cache.set('ignore', 'ignore');
    clock.now = 99;
    expect([cache.get('allow'), cache.get('deny'), cache.get('ignore')]).toEqual(['allow', 'deny', 'ignore']);
    clock.now = 100;
    expect([cache.get('allow'), cache.get('deny'), cache.get('ignore')]).toEqual([
      'allow',
      undefined,
      undefined,
    ]);
    clock.now = 1000;
    expect(cache.get('allow')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { cache } = cacheAt({ maxEntries: 2 });
    cache.set('a', 'allow');
    cache.set('b', 'allow');
    cache.get('a');
    cache.set('c', 'allow');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('allow');
    expect(cache.get('c')).toBe('allow');
    expect(cache.size).toBe(2);
  });

  it('replaces an answer and restarts its lifetime', () => {
    const { cache, clock } = cacheAt();
    cache.set('a', 'allow');
    clock.now = 50;
    cache.set('a', 'deny');
    clock.now = 149;
    expect(cache.get('a')).toBe('deny');
    clock.now = 150;
    expect(cache.get('a')).toBeUndefined();
  });

  it('stores nothing with maxEntries 0 or a TTL of 0', () => {
    const disabled = cacheAt({ maxEntries: 0 }).cache;
    disabled.set('a', 'allow');
    expect(disabled.size).toBe(0);
    const noDenies = cacheAt({ denyTtl: 0 }).cache;
    noDenies.set('a', 'deny');
    noDenies.set('b', 'allow');
    expect([noDenies.get('a'), noDenies.get('b')]).toEqual([undefined, 'allow']);
  });
});
