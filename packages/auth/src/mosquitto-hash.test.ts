import { describe, expect, it } from 'vitest';
import {
  formatMosquittoHash,
  hashMosquittoPassword,
  parseMosquittoHash,
  verifyMosquittoPassword,
} from './mosquitto-hash.js';

// Written by mosquitto_passwd 2.0.11 (`-H sha512-pbkdf2` for alice, `-H sha512` for bob).
const alice =
  '$7$101$Mzb2khRiI9x4seoo$+TDn2xY9LerBhEXWEFwg00DWvIUcjppNawPSBBYVViMaA2CFrjTGx+Ke60S7nbVgGPU3c6GSna94f0XcwfAghA==';
const bob =
  '$6$b+1ieitMONdF8NK5$453ThwPf9e0spY3OGZY65E8pvMRY8btKR9pBW60qkasWT8BV18LhitmhzL1cnV5eHxZKCTGXZ7y0RzJCRCrv/w==';

describe('mosquitto password hashes', () => {
  it('verifies hashes written by mosquitto_passwd', async () => {
    expect(await verifyMosquittoPassword('secret', alice)).toBe(true);
    expect(await verifyMosquittoPassword('secret2', bob)).toBe(true);
    expect(await verifyMosquittoPassword('secret2', alice)).toBe(false);
    expect(await verifyMosquittoPassword('secret', bob)).toBe(false);
  });

  it('parses and formats them byte for byte', () => {
    for (const encoded of [alice, bob])
      expect(formatMosquittoHash(parseMosquittoHash(encoded)!)).toBe(encoded);
    expect(parseMosquittoHash(alice)).toMatchObject({ algorithm: 'sha512-pbkdf2', iterations: 101 });
    expect(parseMosquittoHash(alice)!.salt).toHaveLength(12);
    expect(parseMosquittoHash(bob)).toMatchObject({ algorithm: 'sha512', iterations: 1 });
  });

  it('writes $7$ with 101 iterations and a 12-byte salt by default, like mosquitto_passwd', async () => {
    const encoded = await hashMosquittoPassword('secret');
    expect(encoded).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(await verifyMosquittoPassword('secret', encoded)).toBe(true);
  });

  it('writes $6$ and a chosen iteration count', async () => {
    const sha512 = await hashMosquittoPassword('secret', { algorithm: 'sha512' });
    expect(sha512).toMatch(/^\$6\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    expect(await verifyMosquittoPassword('secret', sha512)).toBe(true);
    const pbkdf2 = await hashMosquittoPassword('secret', { iterations: 1000 });
    expect(pbkdf2.startsWith('$7$1000$')).toBe(true);
    expect(await verifyMosquittoPassword('secret', pbkdf2)).toBe(true);
    await expect(hashMosquittoPassword('secret', { iterations: 0 })).rejects.toThrow(RangeError);
  });

  it('refuses malformed hashes instead of throwing', async () => {
    for (const broken of [
      '',
      'secret',
      '$6$abc',
      alice.slice(0, -4),
      alice.replace('$101$', '$0$'),
      '$5$abc$def',
    ]) {
      expect(parseMosquittoHash(broken)).toBeUndefined();
      expect(await verifyMosquittoPassword('secret', broken)).toBe(false);
    }
  });
});
