import { describe, expect, it } from 'vitest';
import { isAuthenticationDecision, isDecision } from './is-decision.js';

describe('isDecision', () => {
  it('accepts the shorthands and the object forms', () => {
    for (const decision of [
      'allow',
      'defer',
      { allow: true },
      { defer: true },
      { deny: 0x87, reason: 'acl', decidedBy: 'acl' },
    ]) {
      expect(isDecision(decision)).toBe(true);
    }
  });

  it('rejects other values, success codes as deny and mixed forms', () => {
    for (const value of [
      undefined,
      null,
      'deny',
      true,
      0x87,
      { deny: 0 },
      { deny: 0x18 },
      { deny: 0x100 },
      { allow: false },
      { allow: true, deny: 0x87 },
      { defer: true, reason: 3 },
      {},
    ]) {
      expect(isDecision(value)).toBe(false);
    }
  });

  it('rejects continue, which only authenticate may answer', () => {
    expect(isDecision({ continue: true, authenticationData: new Uint8Array(1) })).toBe(false);
  });
});

describe('isAuthenticationDecision', () => {
  it('accepts continue with authentication data and an allow that sets the identity', () => {
    expect(isAuthenticationDecision({ continue: true, authenticationData: new Uint8Array(1) })).toBe(true);
    expect(
      isAuthenticationDecision({
        allow: true,
        username: 'cn',
        roles: ['admin'],
        attributes: { jwt: {} },
        authenticationData: new Uint8Array(2),
      }),
    ).toBe(true);
  });

  it('rejects continue without data and an identity of the wrong types', () => {
    expect(isAuthenticationDecision({ continue: true })).toBe(false);
    expect(
      isAuthenticationDecision({ continue: true, authenticationData: new Uint8Array(1), allow: true }),
    ).toBe(false);
    expect(isAuthenticationDecision({ allow: true, roles: 'admin' })).toBe(false);
    expect(isAuthenticationDecision({ allow: true, username: 1 })).toBe(false);
    expect(isAuthenticationDecision({ allow: true, authenticationData: 'x' })).toBe(false);
  });
});
