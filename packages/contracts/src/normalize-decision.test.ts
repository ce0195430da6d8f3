import { describe, expect, it } from 'vitest';
import { normalizeDecision } from './normalize-decision.js';

describe('normalizeDecision', () => {
  it('expands the shorthands and names the hook', () => {
    expect(normalizeDecision('allow', 'users')).toEqual({
      outcome: 'allow',
      reasonCode: 0,
      decidedBy: 'users',
    });
    expect(normalizeDecision('defer', 'users')).toEqual({ outcome: 'defer', decidedBy: 'users' });
  });

  it('keeps the explanation and the provider a decision names itself', () => {
    expect(normalizeDecision({ deny: 0x87, reason: 'rule 3', decidedBy: 'acl' }, 'chain')).toEqual({
      outcome: 'deny',
      reasonCode: 0x87,
      reason: 'rule 3',
      decidedBy: 'acl',
    });
    expect(normalizeDecision({ allow: true, username: 'cn' }, 'cert')).toEqual({
      outcome: 'allow',
      reasonCode: 0,
      decidedBy: 'cert',
    });
    expect(normalizeDecision({ defer: true, reason: 'no rule' }, 'acl')).toEqual({
      outcome: 'defer',
      reason: 'no rule',
      decidedBy: 'acl',
    });
  });

  it('[MQTT-4.12.0-2] reports continue with reason code 0x18', () => {
    expect(normalizeDecision({ continue: true, authenticationData: new Uint8Array(1) }, 'scram')).toEqual({
      outcome: 'continue',
      reasonCode: 0x18,
      decidedBy: 'scram',
    });
  });

  it('throws a TypeError for a value that is not a decision', () => {
    expect(() => normalizeDecision({ deny: 0 } as never, 'bad')).toThrow(TypeError);
  });
});
