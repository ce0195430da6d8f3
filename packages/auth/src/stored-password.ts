import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from './constant-time-equal.js';
import { parseScryptHash, verifyScryptHash } from './hash-password.js';
import { parseMosquittoHash, verifyMosquittoHash } from './mosquitto-hash.js';

/** A password as stored in a user table, ready to verify. */
export interface StoredPassword {
  /** Which format it was stored in. */
  readonly format: 'scrypt' | 'sha512' | 'sha512-pbkdf2' | 'plaintext';
  /** Whether `password` is the stored one; constant time for a given stored password. */
  verify(password: Uint8Array): Promise<boolean>;
  /**
   * A stored password of the same format and cost that matches nothing, verified for unknown
   * users so that they take as long as a wrong password.
   */
  dummy(): StoredPassword;
}

function scrypt(encoded: string): StoredPassword | undefined {
  const parsed = parseScryptHash(encoded);
  if (parsed === undefined) return undefined;
  return {
    format: 'scrypt',
    verify: (password) => verifyScryptHash(password, parsed),
    dummy: () => {
      const salt = randomBytes(parsed.salt.length);
      const hash = randomBytes(parsed.hash.length);
      return {
        ...scrypt(encoded)!,
        verify: async (password) => (await verifyScryptHash(password, { ...parsed, salt, hash })) && false,
      };
    },
  };
}

function mosquitto(encoded: string): StoredPassword | undefined {
  const parsed = parseMosquittoHash(encoded);
  if (parsed === undefined) return undefined;
  return {
    format: parsed.algorithm,
    verify: (password) => verifyMosquittoHash(password, parsed),
    dummy: () => {
      const salt = randomBytes(parsed.salt.length);
      const hash = randomBytes(parsed.hash.length);
      return {
        ...mosquitto(encoded)!,
        verify: async (password) => (await verifyMosquittoHash(password, { ...parsed, salt, hash })) && false,
      };
    },
  };
}

function plaintext(stored: string): StoredPassword {
  return {
    format: 'plaintext',
    verify: (password) => Promise.resolve(constantTimeEqual(password, stored)),
    dummy: () => {
      const other = randomBytes(32).toString('hex');
      return {
        ...plaintext(other),
        verify: (password) => Promise.resolve(constantTimeEqual(password, other) && false),
      };
    },
  };
}

/**
 * Reads a stored password: `$scrypt$...` (from `hashPassword`), `$6$`/`$7$` (from
 * `mosquitto_passwd`), or plain text when `allowPlaintext` is set. Returns undefined for
 * anything else, including plain text when it is not allowed.
 */
export function parseStoredPassword(encoded: string, allowPlaintext: boolean): StoredPassword | undefined {
  if (encoded.startsWith('$scrypt$')) return scrypt(encoded);
  if (encoded.startsWith('$6$') || encoded.startsWith('$7$')) return mosquitto(encoded);
  return allowPlaintext ? plaintext(encoded) : undefined;
}
