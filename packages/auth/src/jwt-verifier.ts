import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyOptions, ProtectedHeaderParameters } from 'jose';
import type { ResolvedJwtKey } from './jwt-key.js';

/** Why a token was refused. */
export const JwtFailure = {
  malformed: 'malformed',
  tooLong: 'too-long',
  unsecured: 'unsecured',
  algorithmNotAllowed: 'algorithm-not-allowed',
  noMatchingKey: 'no-matching-key',
  invalidSignature: 'invalid-signature',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  claimInvalid: 'claim-invalid',
} as const;
export type JwtFailure = (typeof JwtFailure)[keyof typeof JwtFailure];

export type JwtVerification =
  | { readonly ok: true; readonly payload: JWTPayload; readonly header: ProtectedHeaderParameters }
  | { readonly ok: false; readonly failure: JwtFailure; readonly message: string };

/** Options of {@link createJwtVerifier}. */
export interface JwtVerifierOptions {
  readonly keys: readonly ResolvedJwtKey[];
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Seconds of leeway on `exp` and `nbf`. */
  readonly clockTolerance: number;
  readonly issuer?: string | readonly string[];
  readonly audience?: string | readonly string[];
  /** Refuse tokens without `exp`. */
  readonly requireExpiry: boolean;
  /** Longest token accepted, in characters. */
  readonly maxTokenLength: number;
}

export interface JwtVerifier {
  verify(token: string): Promise<JwtVerification>;
}

function refused(failure: JwtFailure, message: string): JwtVerification {
  return { ok: false, failure, message };
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** Maps a jose error to a refusal; rethrows what is not about the token (programming errors). */
function toRefusal(error: unknown): JwtVerification {
  const message = error instanceof Error ? error.message : String(error);
  switch (errorCode(error)) {
    case 'ERR_JWT_EXPIRED':
      return refused(JwtFailure.expired, message);
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: unknown }).claim;
      return refused(claim === 'nbf' ? JwtFailure.notYetValid : JwtFailure.claimInvalid, message);
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return refused(JwtFailure.invalidSignature, message);
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return refused(JwtFailure.algorithmNotAllowed, message);
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return refused(JwtFailure.noMatchingKey, message);
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JWK_INVALID':
      return refused(JwtFailure.malformed, message);
    default:
      throw error;
  }
}

function kidMatches(key: ResolvedJwtKey, kid: string | undefined): boolean {
  return key.kind !== 'static' || key.kid === undefined || kid === undefined || key.kid === kid;
}

/**
 * Verifies compact JWS tokens against configured keys. Only keys whose algorithm list holds the
 * token's `alg` are tried, and each with that one algorithm, so `alg` in the token can never pick
 * a family its key was not configured for; `none` is refused before any key is looked at.
 */
export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  const allowed = new Set(options.keys.flatMap((key) => key.algorithms));
  const { issuer, audience } = options;
  const claimChecks = {
    ...(issuer === undefined ? {} : { issuer: typeof issuer === 'string' ? issuer : [...issuer] }),
    ...(audience === undefined ? {} : { audience: typeof audience === 'string' ? audience : [...audience] }),
  };

  async function verifyWith(token: string, key: ResolvedJwtKey, algorithm: string): Promise<JwtVerification> {
    const verifyOptions: JWTVerifyOptions = {
      algorithms: [algorithm],
      clockTolerance: options.clockTolerance,
      currentDate: new Date(options.clock()),
      requiredClaims: options.requireExpiry ? ['exp'] : [],
      ...claimChecks,
    };
    try {
      if (key.kind === 'static') {
        const { payload, protectedHeader } = await jwtVerify(token, key.key, verifyOptions);
        return { ok: true, payload, header: protectedHeader };
      }
      const { payload, protectedHeader } = await jwtVerify(token, await key.jwks(), verifyOptions);
      return { ok: true, payload, header: protectedHeader };
    } catch (error) {
      return toRefusal(error);
    }
  }

  async function tryKey(token: string, key: ResolvedJwtKey, algorithm: string): Promise<JwtVerification> {
    const result = await verifyWith(token, key, algorithm);
    // A JWKS file may have been rotated since it was read: re-read it (rate-limited) and retry once.
    if (
      key.kind === 'jwks' &&
      !result.ok &&
      result.failure === JwtFailure.noMatchingKey &&
      (await key.reload())
    ) {
      return verifyWith(token, key, algorithm);
    }
    return result;
  }

  return {
    async verify(token) {
      if (token.length > options.maxTokenLength) {
        return refused(JwtFailure.tooLong, `token longer than ${options.maxTokenLength} characters`);
      }
      let header: ProtectedHeaderParameters;
      try {
        header = decodeProtectedHeader(token);
      } catch (error) {
        return refused(JwtFailure.malformed, error instanceof Error ? error.message : 'undecodable header');
      }
      if (token.split('.').length !== 3) return refused(JwtFailure.malformed, 'not a compact JWS');
      const algorithm = header.alg;
      if (algorithm === undefined || algorithm.toLowerCase() === 'none') {
        return refused(JwtFailure.unsecured, 'unsecured tokens (alg "none") are refused');
      }
      if (!allowed.has(algorithm))
        return refused(JwtFailure.algorithmNotAllowed, `algorithm ${algorithm} is not allowed`);
      const candidates = options.keys.filter(
        (key) => key.algorithms.includes(algorithm) && kidMatches(key, header.kid),
      );
      if (candidates.length === 0)
        return refused(JwtFailure.noMatchingKey, `no key for algorithm ${algorithm}`);
      let last: JwtVerification = refused(JwtFailure.noMatchingKey, `no key for algorithm ${algorithm}`);
      for (const key of candidates) {
        last = await tryKey(token, key, algorithm);
        // Any answer other than "wrong key" means this key's signature matched (or the token is bad).
        if (
          last.ok ||
          (last.failure !== JwtFailure.invalidSignature && last.failure !== JwtFailure.noMatchingKey)
        ) {
          return last;
        }
      }
      return last;
    },
  };
}
