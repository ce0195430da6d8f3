import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** Cost parameters of scrypt (RFC 7914). */
export interface ScryptParameters {
  /** log2 of the CPU/memory cost N. Default 14 (N = 16,384, 16 MiB with r = 8). */
  readonly logCost?: number;
  /** Block size r. Default 8. */
  readonly blockSize?: number;
  /** Parallelization p. Default 1. */
  readonly parallelization?: number;
}

interface ParsedScryptHash {
  readonly logCost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const prefix = '$scrypt$';
const saltLength = 16;
const keyLength = 32;
const defaults = { logCost: 14, blockSize: 8, parallelization: 1 } as const;
const encodedPattern = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: Uint8Array | string, parameters: Omit<ParsedScryptHash, 'hash'>): Promise<Buffer> {
  const cost = 2 ** parameters.logCost;
  // Node refuses scrypt above 32 MiB unless maxmem is raised; allow what the parameters need.
  const maxmem = 256 * cost * parameters.blockSize + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      parameters.salt,
      keyLength,
      { cost, blockSize: parameters.blockSize, parallelization: parameters.parallelization, maxmem },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '');
}

/** Parses a `$scrypt$` string made by `hashPassword`; undefined when it is not one. */
export function parseScryptHash(encoded: string): ParsedScryptHash | undefined {
  const match = encodedPattern.exec(encoded);
  if (match === null) return undefined;
  const [, logCost, blockSize, parallelization, salt, hash] = match;
  const parsed = {
    logCost: Number(logCost),
    blockSize: Number(blockSize),
    parallelization: Number(parallelization),
    salt: Buffer.from(salt!, 'base64'),
    hash: Buffer.from(hash!, 'base64'),
  };
  const valid =
    parsed.logCost >= 1 &&
    parsed.logCost <= 24 &&
    parsed.blockSize >= 1 &&
    parsed.parallelization >= 1 &&
    parsed.salt.length >= 8 &&
    parsed.hash.length === keyLength;
  return valid ? parsed : undefined;
}

/** Whether a string is a `$scrypt$` hash as `hashPassword` writes it. */
export function isScryptHash(encoded: string): boolean {
  return encoded.startsWith(prefix);
}

/**
 * Hashes a password with scrypt and a random 16-byte salt. The result is self-describing,
 * `$scrypt$ln=14,r=8,p=1$<salt>$<hash>` (base64 without padding), so parameters can be raised
 * later without breaking stored hashes.
 */
export async function hashPassword(
  password: string | Uint8Array,
  parameters: ScryptParameters = {},
): Promise<string> {
  const settings = {
    logCost: parameters.logCost ?? defaults.logCost,
    blockSize: parameters.blockSize ?? defaults.blockSize,
    parallelization: parameters.parallelization ?? defaults.parallelization,
    salt: randomBytes(saltLength),
  };
  const hash = await derive(password, settings);
  return `${prefix}ln=${settings.logCost},r=${settings.blockSize},p=${settings.parallelization}$${encodeBase64(settings.salt)}$${encodeBase64(hash)}`;
}

/** Verifies a password against a parsed scrypt hash in constant time. */
export async function verifyScryptHash(
  password: Uint8Array | string,
  parsed: ParsedScryptHash,
): Promise<boolean> {
  const derived = await derive(password, parsed);
  return timingSafeEqual(derived, parsed.hash);
}

/** Verifies a password against a `$scrypt$` string; false for a malformed string. */
export async function verifyPassword(password: string | Uint8Array, encoded: string): Promise<boolean> {
  const parsed = parseScryptHash(encoded);
  return parsed === undefined ? false : verifyScryptHash(password, parsed);
}

export type { ParsedScryptHash };
