import { createHash, createHmac, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/**
 * What a server stores for one SCRAM-SHA-256 user (RFC 5802 section 3): never the password, only
 * the salt, the iteration count and two keys derived from the salted password.
 */
export interface ScramCredentials {
  /** Random salt the client mixes into its password, sent to it in server-first-message. */
  readonly salt: Uint8Array;
  /** PBKDF2-HMAC-SHA-256 iteration count; RFC 7677 asks for at least 4096. */
  readonly iterations: number;
  /** H(HMAC(SaltedPassword, "Client Key")): checks the client's proof. */
  readonly storedKey: Uint8Array;
  /** HMAC(SaltedPassword, "Server Key"): signs the server-final-message. */
  readonly serverKey: Uint8Array;
}

/** Options of {@link deriveScramCredentials}. */
export interface DeriveScramCredentialsOptions {
  /** PBKDF2 iterations. Default 4096, the minimum of RFC 7677 and PostgreSQL's default. */
  readonly iterations?: number;
  /** Salt to use; default 16 fresh random bytes. Inject only for test vectors. */
  readonly salt?: Uint8Array;
}

/** RFC 7677 section 4: iteration counts below 4096 should not be used. */
export const scramMinimumIterations = 4096;

const sha256Length = 32;

/**
 * Derives the stored SCRAM-SHA-256 credentials from a password. The password is used as its UTF-8
 * bytes without SASLprep, so non-ASCII passwords must reach client and server in the same Unicode
 * normalization form.
 */
export async function deriveScramCredentials(
  password: string,
  options: DeriveScramCredentialsOptions = {},
): Promise<ScramCredentials> {
  const iterations = options.iterations ?? scramMinimumIterations;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`SCRAM iterations must be a positive integer, got ${iterations}`);
  }
  const salt = options.salt ?? randomBytes(16);
  const saltedPassword = await pbkdf2Async(
    Buffer.from(password, 'utf8'),
    salt,
    iterations,
    sha256Length,
    'sha256',
  );
  const clientKey = createHmac('sha256', saltedPassword).update('Client Key').digest();
  return {
    salt: Uint8Array.from(salt),
    iterations,
    storedKey: new Uint8Array(createHash('sha256').update(clientKey).digest()),
    serverKey: new Uint8Array(createHmac('sha256', saltedPassword).update('Server Key').digest()),
  };
}

const verifierPrefix = 'SCRAM-SHA-256$';

/**
 * Writes credentials as one line in PostgreSQL's verifier format,
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` (base64), for config files.
 */
export function formatScramCredentials(credentials: ScramCredentials): string {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  return `${verifierPrefix}${credentials.iterations}:${base64(credentials.salt)}$${base64(credentials.storedKey)}:${base64(credentials.serverKey)}`;
}

const verifierFormat =
  /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

/** Reads a line written by {@link formatScramCredentials} (or by PostgreSQL); throws on anything else. */
export function parseScramCredentials(text: string): ScramCredentials {
  const match = verifierFormat.exec(text.trim());
  if (match === null) {
    throw new SyntaxError(
      'Not a SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>)',
    );
  }
  const [, iterationsText = '', salt = '', storedKey = '', serverKey = ''] = match;
  const credentials: ScramCredentials = {
    iterations: Number(iterationsText),
    salt: new Uint8Array(Buffer.from(salt, 'base64')),
    storedKey: new Uint8Array(Buffer.from(storedKey, 'base64')),
    serverKey: new Uint8Array(Buffer.from(serverKey, 'base64')),
  };
  if (
    credentials.iterations < 1 ||
    credentials.storedKey.length !== sha256Length ||
    credentials.serverKey.length !== sha256Length
  ) {
    throw new SyntaxError('SCRAM-SHA-256 verifier has invalid iterations or key lengths');
  }
  return credentials;
}
