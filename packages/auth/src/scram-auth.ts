import { randomBytes } from 'node:crypto';
import { ReasonCode } from '@mqttkit/contracts';
import type { AuthenticateContext, AuthenticationDecision, Hook, Logger } from '@mqttkit/contracts';
import { scramMinimumIterations, parseScramCredentials } from './scram-credentials.js';
import type { ScramCredentials } from './scram-credentials.js';
import { createScramServerExchange } from './scram-server-exchange.js';
import type { ScramCredentialsLookup, ScramServerExchange, ScramStep } from './scram-server-exchange.js';

/** The MQTT 5 Authentication Method this hook answers to (RFC 7677 mechanism name). */
export const scramAuthenticationMethod = 'SCRAM-SHA-256';

/** Options of {@link scramAuth}. */
export interface ScramAuthOptions {
  /** Hook name for logs and explanations. Default `scram-sha-256`. */
  readonly name?: string;
  /**
   * The users: a record of user name → credentials (objects from `deriveScramCredentials`, or
   * verifier lines from `formatScramCredentials`), or a function that looks a user up.
   */
  readonly credentials: Readonly<Record<string, ScramCredentials | string>> | ScramCredentialsLookup;
  /** Iteration count announced for unknown users; use the one most users have. Default 4096. */
  readonly unknownUserIterations?: number;
  /** Server nonce part; default 18 random bytes in base64. Inject only for test vectors. */
  readonly createNonce?: () => string;
}

const exchangeStateKey = 'scramExchange';
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function toLookup(credentials: ScramAuthOptions['credentials']): ScramCredentialsLookup {
  if (typeof credentials === 'function') return credentials;
  // A Map, so that user names such as "__proto__" or "constructor" find nothing.
  const users = new Map<string, ScramCredentials>();
  for (const [username, value] of Object.entries(credentials)) {
    users.set(username, typeof value === 'string' ? parseScramCredentials(value) : value);
  }
  return (username) => users.get(username);
}

/**
 * A hook for MQTT 5 enhanced authentication with SCRAM-SHA-256 (RFC 7677): CONNECT carries
 * client-first, the hook continues with server-first (AUTH 0x18), checks the proof in
 * client-final and allows with server-final as Authentication Data (CONNACK or AUTH 0x00).
 * Re-authentication (AUTH 0x19) runs the same exchange and must prove the same user. Other
 * authentication methods and plain CONNECTs are deferred.
 */
export function scramAuth(options: ScramAuthOptions): Hook {
  const name = options.name ?? 'scram-sha-256';
  const lookup = toLookup(options.credentials);
  // One secret per hook keeps an unknown user's fake salt stable across attempts.
  const unknownUserSecret = randomBytes(32);
  let logger = silentLogger;

  function refuse(context: AuthenticateContext, reason: string): AuthenticationDecision {
    // A failed re-authentication ends in DISCONNECT, which has no 0x86 [MQTT-4.12.1-2].
    const code =
      context.exchange === 'reauthenticate' ? ReasonCode.NotAuthorized : ReasonCode.BadUserNameOrPassword;
    return { deny: code, reason };
  }

  function finish(context: AuthenticateContext, step: ScramStep): AuthenticationDecision {
    if (step.type === 'failure') return refuse(context, `SCRAM-SHA-256 failed: ${step.error}`);
    if (step.type === 'continue') return refuse(context, 'SCRAM-SHA-256 exchange out of order');
    // The identity proven must be the one the client claimed in CONNECT or already holds.
    const claimed = context.client.username;
    if (claimed !== undefined && claimed !== step.username) {
      return refuse(context, 'SCRAM-SHA-256 user differs from the connection user name');
    }
    return {
      allow: true,
      reason: 'SCRAM-SHA-256 proof verified',
      username: step.username,
      authenticationData: step.data,
    };
  }

  return {
    name,
    init(context) {
      logger = context.logger;
    },
    async authenticate(context) {
      if (context.authenticationMethod !== scramAuthenticationMethod) return 'defer';
      const data = context.authenticationData;
      if (data === undefined)
        return refuse(context, 'SCRAM-SHA-256 message missing from Authentication Data');
      if (context.round === 0) {
        const exchange = createScramServerExchange({
          lookup,
          unknownUserSecret,
          unknownUserIterations: options.unknownUserIterations ?? scramMinimumIterations,
          ...(options.createNonce === undefined ? {} : { createNonce: options.createNonce }),
        });
        let step: ScramStep;
        try {
          step = await exchange.receiveClientFirst(data);
        } catch (error) {
          logger.error('SCRAM-SHA-256 credential lookup failed', {
            clientId: context.client.clientId,
            error: error instanceof Error ? error.message : String(error),
          });
          return refuse(context, 'SCRAM-SHA-256 credential lookup failed');
        }
        if (step.type !== 'continue') return finish(context, step);
        context.state[exchangeStateKey] = exchange;
        return { continue: true, authenticationData: step.data, reason: 'SCRAM-SHA-256 server-first sent' };
      }
      const exchange = context.state[exchangeStateKey] as ScramServerExchange | undefined;
      if (context.round !== 1 || exchange === undefined)
        return refuse(context, 'SCRAM-SHA-256 exchange out of order');
      delete context.state[exchangeStateKey];
      return finish(context, exchange.receiveClientFinal(data));
    },
  };
}
