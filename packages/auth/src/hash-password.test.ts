import { describe, expect, it } from 'vitest';
import { hashPassword, parseScryptHash, verifyPassword } from './hash-password.js';

const cheap = { logCost: 10 };

describe('hashPassword', () => {
  it('writes a self-describing scrypt string with a random salt', async () => {
    const first = await hashPassword('secret', cheap);
    const second = await hashPassword('secret', cheap);
    expect(first).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
  });

  it('uses N = 2^14, r = 8, p = 1 by default', async () => {
    expect(await hashPassword('secret')).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$/);
  });

  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword(new TextEncoder().encode('pässword'), cheap);
    expect(await verifyPassword('pässword', hash)).toBe(true);
    expect(await verifyPassword('password', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('refuses malformed strings instead of throwing', async () => {
    const hash = await hashPassword('secret', cheap);
    for (const broken of [
      '',
      'secret',
      hash.slice(0, -2),
      hash.replace('ln=10', 'ln=99'),
      hash.replace('r=8', 'r=0'),
    ]) {
      expect(parseScryptHash(broken)).toBeUndefined();
      expect(await verifyPassword('secret', broken)).toBe(false);
    }
  });
});
