import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, importJWK, importSPKI, importX509 } from 'jose';
import type { CryptoKey, FlattenedJWSInput, JSONWebKeySet, JWK, JWSHeaderParameters } from 'jose';

/** HMAC algorithms a shared secret may verify. */
export type JwtHmacAlgorithm = 'HS256' | 'HS384' | 'HS512';
/** Public-key algorithms a public key or a JWKS may verify. */
export type JwtPublicKeyAlgorithm =
  'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/**
 * A key that verifies token signatures. Each kind verifies only its own family of algorithms, so a
 * public key can never be used as an HMAC secret (the classic RS256 → HS256 confusion).
 */
export type JwtKey =
  | {
      readonly type: 'secret';
      /** The shared secret: a string (UTF-8) or bytes, at least as long as the hash (32 bytes for HS256). */
      readonly secret: string | Uint8Array;
      /** Default `['HS256']`. */
      readonly algorithms?: readonly JwtHmacAlgorithm[];
      /** When set, only tokens whose header names this `kid` (or no `kid`) try this key. */
      readonly kid?: string;
    }
  | {
      readonly type: 'public-key';
      /** A PEM public key (`BEGIN PUBLIC KEY`), a PEM certificate, or a public JWK. */
      readonly key: string | JWK;
      /** The one algorithm this key verifies. */
      readonly algorithm: JwtPublicKeyAlgorithm;
      /** When set, only tokens whose header names this `kid` (or no `kid`) try this key. */
      readonly kid?: string;
    }
  | {
      readonly type: 'jwks-file';
      /** Path of a JSON Web Key Set file (`{ "keys": [...] }`) of public keys. */
      readonly path: string;
      /** Default: every public-key algorithm above. */
      readonly algorithms?: readonly JwtPublicKeyAlgorithm[];
    };

type KeyLike = CryptoKey | Uint8Array;
type JwksResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

/** A configured key, imported and ready to verify. */
export type ResolvedJwtKey =
  | {
      readonly kind: 'static';
      readonly key: KeyLike;
      readonly algorithms: readonly string[];
      readonly kid?: string;
    }
  | {
      readonly kind: 'jwks';
      readonly algorithms: readonly string[];
      readonly jwks: () => Promise<JwksResolver>;
      readonly reload: () => Promise<boolean>;
    };

const hmacMinimumBytes: Record<JwtHmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 };
const publicKeyAlgorithms: readonly JwtPublicKeyAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

/** Options of {@link resolveJwtKey}. */
export interface ResolveJwtKeyOptions {
  /** Milliseconds since the epoch; rate-limits JWKS file reloads. */
  readonly clock: () => number;
  /** Minimum time between two reloads of a JWKS file, in milliseconds. */
  readonly jwksReloadInterval: number;
}

async function importPublicKey(key: string | JWK, algorithm: JwtPublicKeyAlgorithm): Promise<CryptoKey> {
  if (typeof key === 'string') {
    return key.includes('BEGIN CERTIFICATE') ? importX509(key, algorithm) : importSPKI(key, algorithm);
  }
  if (key.kty === 'oct' || key.d !== undefined) {
    throw new TypeError('A JWT public-key entry must hold a public JWK, not a secret or private key');
  }
  const imported = await importJWK(key, algorithm);
  if (imported instanceof Uint8Array) throw new TypeError('A JWT public-key entry must hold a public JWK');
  return imported;
}

async function readJwksFile(path: string): Promise<JwksResolver> {
  const jwks = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
  return createLocalJWKSet(jwks);
}

type JwksFileKey = Extract<ResolvedJwtKey, { kind: 'jwks' }>;

function jwksFileKey(
  key: { path: string; algorithms?: readonly JwtPublicKeyAlgorithm[] },
  options: ResolveJwtKeyOptions,
): JwksFileKey {
  let current: Promise<JwksResolver> | undefined;
  let loadedAt = Number.NEGATIVE_INFINITY;
  const load = (): Promise<JwksResolver> => {
    loadedAt = options.clock();
    current = readJwksFile(key.path);
    return current;
  };
  return {
    kind: 'jwks',
    algorithms: key.algorithms ?? publicKeyAlgorithms,
    jwks: () => current ?? load(),
    // Called when no key matches a token: the file may have been rotated since it was read.
    async reload() {
      if (options.clock() - loadedAt < options.jwksReloadInterval) return false;
      const previous = current;
      try {
        await load();
        return true;
      } catch (error) {
        current = previous;
        throw error;
      }
    },
  };
}

/** Imports a configured key; throws on a key that is unusable or too weak, so mistakes show at startup. */
export async function resolveJwtKey(key: JwtKey, options: ResolveJwtKeyOptions): Promise<ResolvedJwtKey> {
  switch (key.type) {
    case 'secret': {
      const algorithms = key.algorithms ?? ['HS256'];
      const secret = typeof key.secret === 'string' ? new TextEncoder().encode(key.secret) : key.secret;
      for (const algorithm of algorithms) {
        // RFC 7518 section 3.2: the key MUST be at least as long as the hash output.
        if (secret.length < hmacMinimumBytes[algorithm]) {
          throw new RangeError(`A ${algorithm} secret must be at least ${hmacMinimumBytes[algorithm]} bytes`);
        }
      }
      return { kind: 'static', key: secret, algorithms, ...(key.kid === undefined ? {} : { kid: key.kid }) };
    }
    case 'public-key': {
      const imported = await importPublicKey(key.key, key.algorithm);
      const kid = key.kid ?? (typeof key.key === 'object' ? key.key.kid : undefined);
      return {
        kind: 'static',
        key: imported,
        algorithms: [key.algorithm],
        ...(kid === undefined ? {} : { kid }),
      };
    }
    case 'jwks-file': {
      const resolved = jwksFileKey(key, options);
      await resolved.jwks();
      return resolved;
    }
  }
}
