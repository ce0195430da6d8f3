import fc from 'fast-check';
import { matchTopic } from '@mqttkit/topics';
import { describe, expect, it } from 'vitest';
import { claimsAllowPublish, claimsAllowSubscribe, readJwtClaimsAcl } from './jwt-claims-acl.js';

describe('readJwtClaimsAcl', () => {
  it('reads the default publish and subscribe claims and exp', () => {
    expect(readJwtClaimsAcl({ publish: ['a/#'], subscribe: ['b/+'], exp: 10 })).toEqual({
      publish: ['a/#'],
      subscribe: ['b/+'],
      expiresAt: 10,
    });
  });

  it('reads renamed claims and accepts a single string', () => {
    expect(readJwtClaimsAcl({ pub: 'a/b', sub: 'alice' }, { publish: 'pub', subscribe: 'subs' })).toEqual({
      publish: ['a/b'],
    });
  });

  it('grants nothing for a malformed list and drops invalid filters', () => {
    expect(readJwtClaimsAcl({ publish: { topic: 'a' }, subscribe: ['ok/#', 'bad/#/x', 7, ''] })).toEqual({
      publish: [],
      subscribe: ['ok/#'],
    });
  });

  it('leaves the lists absent when the claims are', () => {
    expect(readJwtClaimsAcl({ sub: 'alice' })).toEqual({});
  });
});

describe('claimsAllowPublish / claimsAllowSubscribe', () => {
  it('returns the first filter that allows the request', () => {
    expect(claimsAllowPublish(['x/#', 'a/+/c'], 'a/b/c')).toBe('a/+/c');
    expect(claimsAllowPublish(['x/#'], 'a/b/c')).toBeUndefined();
    expect(claimsAllowSubscribe(['a/#'], 'a/+')).toBe('a/#');
    expect(claimsAllowSubscribe(['a/+'], 'a/#')).toBeUndefined();
  });

  it('[MQTT-4.7.2-1] does not let a wildcard grant cover $ topics', () => {
    expect(claimsAllowSubscribe(['#'], '$SYS/#')).toBeUndefined();
    expect(claimsAllowPublish(['+/x'], '$SYS/x')).toBeUndefined();
    expect(claimsAllowSubscribe(['$SYS/#'], '$SYS/broker/+')).toBe('$SYS/#');
  });

  it('never allows a subscription that would receive a topic the claims do not allow', () => {
    const level = fc.constantFrom('a', 'b', '$x', '+', '');
    const filter = fc
      .tuple(fc.array(level, { minLength: 1, maxLength: 4 }), fc.boolean())
      .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'));
    const topic = fc
      .array(fc.constantFrom('a', 'b', '$x', ''), { minLength: 1, maxLength: 5 })
      .map((levels) => levels.join('/'));
    fc.assert(
      fc.property(
        fc.array(filter, { minLength: 1, maxLength: 3 }),
        filter,
        topic,
        (granted, requested, name) => {
          if (claimsAllowSubscribe(granted, requested) !== undefined && matchTopic(requested, name)) {
            expect(claimsAllowPublish(granted, name)).toBeDefined();
          }
        },
      ),
      { seed: 0x5eed, numRuns: 2000 },
    );
  });
});
