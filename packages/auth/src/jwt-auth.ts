import type {
  AuthenticateContext,
  AuthenticationDecision,
  AuthorizePublishContext,
  AuthorizeSubscribeContext,
  Decision,
  Hook,
  Logger,
} from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import type { JWTPayload } from 'jose';
import { claimsAllowPublish, claimsAllowSubscribe, readJwtClaimsAcl } from './jwt-claims-acl.js';
import type { JwtAclClaimNames, JwtClaimsAcl } from './jwt-claims-acl.js';
import { resolveJwtKey } from './jwt-key.js';
import type { JwtKey } from './jwt-key.js';
import { createJwtVerifier } from './jwt-verifier.js';
import type { JwtVerifier } from './jwt-verifier.js';

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions {
  /** Hook name, used in logs, explanations and as the key of the client attributes. Default `jwt`. */
  readonly name?: string;
  /** Keys that may have signed a token; at least one. */
  readonly keys: readonly JwtKey[];
  /** Required `iss` value(s); not checked when absent. */
  readonly issuer?: string | readonly string[];
  /** Required `aud` value(s); not checked when absent. */
  readonly audience?: string | readonly string[];
  /** Seconds of leeway for `exp` and `nbf` between the issuer's clock and ours. Default 0. */
  readonly clockTolerance?: number;
  /** Refuse tokens without `exp`, which would never expire. Default `true`. */
  readonly requireExpiry?: boolean;
  /** Longest token accepted, in characters. Default 8192. */
  readonly maxTokenLength?: number;
  /**
   * Claim holding the user name (e.g. `sub`). When set, a CONNECT user name must equal it and the
   * client's identity becomes it; when absent, the CONNECT user name is kept unchecked.
   */
  readonly usernameClaim?: string;
  /** Claim holding a list of role names for role-based ACL rules of later hooks. */
  readonly rolesClaim?: string;
  /** Claims holding the publish and subscribe filter lists. Default `publish` and `subscribe`. */
  readonly aclClaims?: JwtAclClaimNames;
  /** Minimum time between re-reads of a JWKS file when a token's key is not in it, in ms. Default 10000. */
  readonly jwksReloadInterval?: number;
  /** Milliseconds since the epoch; inject a fake clock in tests. Default `Date.now`. */
  readonly clock?: () => number;
}

const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function passwordAsToken(password: Uint8Array | undefined): string | undefined {
  if (password === undefined) return undefined;
  try {
    const text = utf8.decode(password);
    return jwtShape.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function readAcl(value: unknown): JwtClaimsAcl | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { publish, subscribe, expiresAt } = value as Record<string, unknown>;
  if (publish !== undefined && !isStringList(publish)) return undefined;
  if (subscribe !== undefined && !isStringList(subscribe)) return undefined;
  if (expiresAt !== undefined && typeof expiresAt !== 'number') return undefined;
  return value as JwtClaimsAcl;
}

/**
 * A hook that authenticates clients whose CONNECT password is a JWT, verified with configured
 * keys, and authorizes their publishes and subscriptions from the token's filter-list claims.
 * A password that is not shaped like a JWT is left to later hooks (defer); a JWT that fails
 * verification is denied with 0x86. Clients it did not authenticate are deferred when authorizing.
 */
export function jwtAuth(options: JwtAuthOptions): Hook {
  const name = options.name ?? 'jwt';
  const clock = options.clock ?? Date.now;
  const clockTolerance = options.clockTolerance ?? 0;
  if (options.keys.length === 0) throw new TypeError('jwtAuth needs at least one key');
  let logger = silentLogger;
  let verifier: Promise<JwtVerifier> | undefined;

  const getVerifier = (): Promise<JwtVerifier> => {
    if (verifier !== undefined) return verifier;
    const jwksReloadInterval = options.jwksReloadInterval ?? 10_000;
    const created = Promise.all(
      options.keys.map((key) => resolveJwtKey(key, { clock, jwksReloadInterval })),
    ).then((keys) =>
      createJwtVerifier({
        keys,
        clock,
        clockTolerance,
        requireExpiry: options.requireExpiry ?? true,
        maxTokenLength: options.maxTokenLength ?? 8192,
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      }),
    );
    // A failed start (unreadable JWKS file) is retried on the next call instead of being kept.
    created.catch(() => {
      verifier = undefined;
    });
    verifier = created;
    return created;
  };

  function identity(
    payload: JWTPayload,
    context: AuthenticateContext,
  ): { username?: string; roles?: readonly string[] } | string {
    const result: { username?: string; roles?: readonly string[] } = {};
    if (options.usernameClaim !== undefined) {
      const claimed = payload[options.usernameClaim];
      if (typeof claimed !== 'string') return `token has no string claim "${options.usernameClaim}"`;
      const given = context.client.username;
      if (given !== undefined && given !== claimed)
        return `user name does not match claim "${options.usernameClaim}"`;
      result.username = claimed;
    }
    if (options.rolesClaim !== undefined) {
      const roles = payload[options.rolesClaim];
      result.roles = isStringList(roles) ? roles : [];
    }
    return result;
  }

  function expired(acl: JwtClaimsAcl): boolean {
    return acl.expiresAt !== undefined && clock() / 1000 > acl.expiresAt + clockTolerance;
  }

  function authorize(
    acl: JwtClaimsAcl | undefined,
    request: { list: 'publish' | 'subscribe'; target: string },
  ): Decision {
    if (acl === undefined) return { defer: true, reason: 'client was not authenticated by a JWT' };
    if (expired(acl))
      return {
        deny: ReasonCode.NotAuthorized,
        reason: `token expired at ${new Date((acl.expiresAt ?? 0) * 1000).toISOString()}`,
      };
    const filters = acl[request.list];
    if (filters === undefined) return { defer: true, reason: `token has no ${request.list} claim` };
    const match =
      request.list === 'publish'
        ? claimsAllowPublish(filters, request.target)
        : claimsAllowSubscribe(filters, request.target);
    return match === undefined
      ? {
          deny: ReasonCode.NotAuthorized,
          reason: `no filter of the token's ${request.list} claim covers "${request.target}"`,
        }
      : { allow: true, reason: `token's ${request.list} claim allows "${match}"` };
  }

  return {
    name,

    async init(context) {
      logger = context.logger;
      await getVerifier();
    },

    async authenticate(context): Promise<AuthenticationDecision> {
      // MQTT 5 enhanced authentication belongs to the hook of that method.
      if (context.authenticationMethod !== undefined) return 'defer';
      const token = passwordAsToken(context.password);
      if (token === undefined) return { defer: true, reason: 'password is not a JWT' };
      let verification;
      try {
        verification = await (await getVerifier()).verify(token);
      } catch (error) {
        logger.error('JWT verification failed unexpectedly', {
          clientId: context.client.clientId,
          error: error instanceof Error ? error.message : String(error),
        });
        return { deny: ReasonCode.ServerUnavailable, reason: 'JWT verification failed unexpectedly' };
      }
      if (!verification.ok) {
        return {
          deny: ReasonCode.BadUserNameOrPassword,
          reason: `JWT refused (${verification.failure}): ${verification.message}`,
        };
      }
      const who = identity(verification.payload, context);
      if (typeof who === 'string') return { deny: ReasonCode.BadUserNameOrPassword, reason: who };
      const acl = readJwtClaimsAcl(verification.payload, options.aclClaims);
      const { alg, kid } = verification.header;
      return {
        allow: true,
        reason: `JWT verified (${alg}${kid === undefined ? '' : `, kid ${kid}`})`,
        ...who,
        attributes: { [name]: acl },
      };
    },

    authorizePublish(context: AuthorizePublishContext): Decision {
      return authorize(readAcl(context.client.attributes[name]), { list: 'publish', target: context.topic });
    },

    authorizeSubscribe(context: AuthorizeSubscribeContext): Decision {
      return authorize(readAcl(context.client.attributes[name]), {
        list: 'subscribe',
        target: context.topicFilter,
      });
    },
  };
}
