import { createHash, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';

/** The two hash formats of `mosquitto_passwd`: `sha512` (`$6$`) and `sha512-pbkdf2` (`$7$`). */
export const MosquittoHashAlgorithm = { sha512: 'sha512', sha512Pbkdf2: 'sha512-pbkdf2' } as const;
export type MosquittoHashAlgorithm = (typeof MosquittoHashAlgorithm)[keyof typeof MosquittoHashAlgorithm];

/** A parsed `$6$` or `$7$` password hash. */
export interface MosquittoHash {
  /** Which format. */
  readonly algorithm: MosquittoHashAlgorithm;
  /** PBKDF2 iterations for `$7$`; 1 for `$6$`. */
  readonly iterations: number;
  /** The salt bytes (12 when made by `mosquitto_passwd`). */
  readonly salt: Buffer;
  /** The 64-byte digest. */
  readonly hash: Buffer;
}

/** Options of `hashMosquittoPassword`. */
export interface MosquittoHashOptions {
  /** Default `sha512-pbkdf2`, like `mosquitto_passwd` 2.x. */
  readonly algorithm?: MosquittoHashAlgorithm;
  /** PBKDF2 iterations; default 101, the `mosquitto_passwd` default. */
  readonly iterations?: number;
}

const saltLength = 12;
const digestLength = 64;
const defaultIterations = 101;
const maximumIterations = 10_000_000;
const base64 = '[A-Za-z0-9+/]+={0,2}';
const sha512Pattern = new RegExp(`^\\$6\\$(${base64})\\$(${base64})$`);
const pbkdf2Pattern = new RegExp(`^\\$7\\$(\\d{1,8})\\$(${base64})\\$(${base64})$`);

/** Parses a `$6$` or `$7$` hash as `mosquitto_passwd` writes it; undefined when it is not one. */
export function parseMosquittoHash(encoded: string): MosquittoHash | undefined {
  const sha512 = sha512Pattern.exec(encoded);
  const pbkdf2Match = sha512 === null ? pbkdf2Pattern.exec(encoded) : null;
  let parsed: MosquittoHash;
  if (sha512 !== null) {
    parsed = {
      algorithm: 'sha512',
      iterations: 1,
      salt: Buffer.from(sha512[1]!, 'base64'),
      hash: Buffer.from(sha512[2]!, 'base64'),
    };
  } else if (pbkdf2Match !== null) {
    parsed = {
      algorithm: 'sha512-pbkdf2',
      iterations: Number(pbkdf2Match[1]),
      salt: Buffer.from(pbkdf2Match[2]!, 'base64'),
      hash: Buffer.from(pbkdf2Match[3]!, 'base64'),
    };
  } else {
    return undefined;
  }
  const valid =
    parsed.iterations >= 1 &&
    parsed.iterations <= maximumIterations &&
    parsed.salt.length > 0 &&
    parsed.hash.length === digestLength;
  return valid ? parsed : undefined;
}

function digest(password: Uint8Array | string, parameters: Omit<MosquittoHash, 'hash'>): Promise<Buffer> {
  if (parameters.algorithm === 'sha512') {
    // mosquitto: SHA-512 over the password followed by the raw salt bytes.
    return Promise.resolve(createHash('sha512').update(password).update(parameters.salt).digest());
  }
  return new Promise((resolve, reject) => {
    pbkdf2(password, parameters.salt, parameters.iterations, digestLength, 'sha512', (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Formats a parsed hash back to its `mosquitto_passwd` string. */
export function formatMosquittoHash(hash: MosquittoHash): string {
  const salt = hash.salt.toString('base64');
  const digestText = hash.hash.toString('base64');
  return hash.algorithm === 'sha512'
    ? `$6$${salt}$${digestText}`
    : `$7$${hash.iterations}$${salt}$${digestText}`;
}

/** Hashes a password exactly as `mosquitto_passwd` does, with a random 12-byte salt. */
export async function hashMosquittoPassword(
  password: string | Uint8Array,
  options: MosquittoHashOptions = {},
): Promise<string> {
  const algorithm = options.algorithm ?? 'sha512-pbkdf2';
  const iterations = algorithm === 'sha512' ? 1 : (options.iterations ?? defaultIterations);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > maximumIterations) {
    throw new RangeError(`iterations must be an integer from 1 to ${maximumIterations}`);
  }
  const parameters = { algorithm, iterations, salt: randomBytes(saltLength) };
  return formatMosquittoHash({ ...parameters, hash: await digest(password, parameters) });
}

/** Verifies a password against a parsed `$6$`/`$7$` hash in constant time. */
export async function verifyMosquittoHash(
  password: string | Uint8Array,
  hash: MosquittoHash,
): Promise<boolean> {
  return timingSafeEqual(await digest(password, hash), hash.hash);
}

/** Verifies a password against a `$6$`/`$7$` string; false for a malformed string. */
export async function verifyMosquittoPassword(
  password: string | Uint8Array,
  encoded: string,
): Promise<boolean> {
  const parsed = parseMosquittoHash(encoded);
  return parsed === undefined ? false : verifyMosquittoHash(password, parsed);
}
