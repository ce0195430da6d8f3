import { describe, expect, it } from 'vitest';
import {
  deriveScramCredentials,
  formatScramCredentials,
  parseScramCredentials,
} from './scram-credentials.js';

const rfcVerifier =
  'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=';

describe('deriveScramCredentials', () => {
  it('derives the keys of the RFC 7677 example from "pencil"', async () => {
    const credentials = await deriveScramCredentials('pencil', {
      salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    });
    // Expected line computed independently with Python's hashlib.pbkdf2_hmac and hmac.
    expect(formatScramCredentials(credentials)).toBe(rfcVerifier);
  });

  it('salts every derivation with fresh random bytes by default', async () => {
    const one = await deriveScramCredentials('pencil', { iterations: 1 });
    const two = await deriveScramCredentials('pencil', { iterations: 1 });
    expect(one.salt).toHaveLength(16);
    expect(Buffer.from(one.salt).equals(Buffer.from(two.salt))).toBe(false);
  });

  it('rejects an iteration count that is not a positive integer', async () => {
    await expect(deriveScramCredentials('pencil', { iterations: 0 })).rejects.toThrow(RangeError);
    await expect(deriveScramCredentials('pencil', { iterations: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('formatScramCredentials / parseScramCredentials', () => {
  it('round-trips through the PostgreSQL verifier format', async () => {
    const credentials = await deriveScramCredentials('pencil', { iterations: 10 });
    const line = formatScramCredentials(credentials);
    expect(line).toMatch(/^SCRAM-SHA-256\$10:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(parseScramCredentials(line)).toEqual(credentials);
  });

  it('reads a verifier line with surrounding whitespace', () => {
    const credentials = parseScramCredentials(`  ${rfcVerifier}\n`);
    expect(credentials.iterations).toBe(4096);
    expect(Buffer.from(credentials.salt).toString('base64')).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
  });

  it('rejects lines that are not verifiers', () => {
    expect(() => parseScramCredentials('md5abcdef')).toThrow(SyntaxError);
    expect(() => parseScramCredentials('SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA')).toThrow(SyntaxError);
    expect(() =>
      parseScramCredentials('SCRAM-SHA-256$0:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '='),
    ).toThrow(SyntaxError);
  });
});
