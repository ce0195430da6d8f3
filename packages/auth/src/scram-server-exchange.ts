import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { scramMinimumIterations } from './scram-credentials.js';
import type { ScramCredentials } from './scram-credentials.js';
import { ScramServerError, parseClientFinalMessage, parseClientFirstMessage } from './scram-message.js';

/** Finds the stored credentials of a user; `undefined` when the user does not exist. */
export type ScramCredentialsLookup = (
  username: string,
) => ScramCredentials | undefined | Promise<ScramCredentials | undefined>;

/** Options of {@link createScramServerExchange}. */
export interface ScramServerExchangeOptions {
  readonly lookup: ScramCredentialsLookup;
  /**
   * Secret that derives a stable fake salt for unknown users, so that a client cannot tell an unknown
   * user from a wrong password (RFC 5802 section 9). Share one per server; default: random per exchange.
   */
  readonly unknownUserSecret?: Uint8Array;
  /** Iteration count announced for unknown users; match the one most real users have. Default 4096. */
  readonly unknownUserIterations?: number;
  /** Server nonce part; default 18 random bytes in base64. Inject only for test vectors. */
  readonly createNonce?: () => string;
}

/** One step of the exchange: data to send back, and whether the exchange goes on, succeeded or failed. */
export type ScramStep =
  | { readonly type: 'continue'; readonly data: Uint8Array }
  | { readonly type: 'success'; readonly data: Uint8Array; readonly username: string }
  | { readonly type: 'failure'; readonly error: ScramServerError; readonly data: Uint8Array };

interface AwaitingClientFinal {
  readonly name: 'awaiting-client-final';
  readonly username: string;
  readonly credentials: ScramCredentials;
  readonly known: boolean;
  readonly gs2Header: string;
  readonly nonce: string;
  readonly clientFirstBare: string;
  readonly serverFirst: string;
}

type State = { readonly name: 'awaiting-client-first' } | AwaitingClientFinal | { readonly name: 'done' };

/** The server side of one SCRAM-SHA-256 exchange (RFC 5802 section 5, RFC 7677). */
export interface ScramServerExchange {
  /** Handles client-first-message and answers server-first-message, or fails. */
  receiveClientFirst(data: Uint8Array): Promise<ScramStep>;
  /** Handles client-final-message and answers server-final-message (`v=` on success, `e=` on failure). */
  receiveClientFinal(data: Uint8Array): ScramStep;
}

const encoder = new TextEncoder();

function failure(error: ScramServerError): ScramStep {
  return { type: 'failure', error, data: encoder.encode(`e=${error}`) };
}

function hmac(key: Uint8Array, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function defaultNonce(): string {
  return randomBytes(18).toString('base64');
}

/** Credentials no password matches, with a salt that is stable per user name for a given secret. */
function unknownUserCredentials(username: string, secret: Uint8Array, iterations: number): ScramCredentials {
  const seed = hmac(secret, username);
  return {
    salt: seed.subarray(0, 16),
    iterations,
    storedKey: hmac(secret, `stored key ${username}`),
    serverKey: hmac(secret, `server key ${username}`),
  };
}

/**
 * Creates the server side of one exchange, driven message by message: client-first → server-first
 * (MQTT AUTH 0x18) → client-final → server-final (CONNACK or AUTH 0x00). Unknown users get a fake
 * salt and fail at the proof with the same error as a wrong password.
 */
export function createScramServerExchange(options: ScramServerExchangeOptions): ScramServerExchange {
  const createNonce = options.createNonce ?? defaultNonce;
  const unknownUserSecret = options.unknownUserSecret ?? randomBytes(32);
  const unknownUserIterations = options.unknownUserIterations ?? scramMinimumIterations;
  let state: State = { name: 'awaiting-client-first' };

  return {
    async receiveClientFirst(data) {
      if (state.name !== 'awaiting-client-first') {
        state = { name: 'done' };
        return failure(ScramServerError.OtherError);
      }
      state = { name: 'done' };
      const parsed = parseClientFirstMessage(data);
      if (!parsed.ok) return failure(parsed.error);
      const { username, authorizationId, clientNonce, gs2Header, bare } = parsed.message;
      // Acting as another identity is not offered: an authzid must name the authenticating user.
      if (authorizationId !== undefined && authorizationId !== username)
        return failure(ScramServerError.OtherError);
      const stored = await options.lookup(username);
      const credentials =
        stored ?? unknownUserCredentials(username, unknownUserSecret, unknownUserIterations);
      const nonce = clientNonce + createNonce();
      const serverFirst = `r=${nonce},s=${base64(credentials.salt)},i=${credentials.iterations}`;
      state = {
        name: 'awaiting-client-final',
        username,
        credentials,
        known: stored !== undefined,
        gs2Header,
        nonce,
        clientFirstBare: bare,
        serverFirst,
      };
      return { type: 'continue', data: encoder.encode(serverFirst) };
    },

    receiveClientFinal(data) {
      const current = state;
      state = { name: 'done' };
      if (current.name !== 'awaiting-client-final') return failure(ScramServerError.OtherError);
      const parsed = parseClientFinalMessage(data);
      if (!parsed.ok) return failure(parsed.error);
      const { channelBinding, nonce, proof, withoutProof } = parsed.message;
      if (channelBinding !== base64(encoder.encode(current.gs2Header))) {
        return failure(ScramServerError.ChannelBindingsDontMatch);
      }
      if (nonce !== current.nonce) return failure(ScramServerError.InvalidProof);
      const authMessage = `${current.clientFirstBare},${current.serverFirst},${withoutProof}`;
      const clientSignature = hmac(current.credentials.storedKey, authMessage);
      const clientKey = Buffer.alloc(clientSignature.length);
      for (let index = 0; index < clientKey.length; index += 1) {
        clientKey[index] = (proof[index] ?? 0) ^ (clientSignature[index] ?? 0);
      }
      const candidate = createHash('sha256').update(clientKey).digest();
      // Compare in constant time, and only then look at `known`, so unknown users cost the same.
      const storedKey = current.credentials.storedKey;
      const proofMatches = candidate.length === storedKey.length && timingSafeEqual(candidate, storedKey);
      if (!proofMatches || !current.known) return failure(ScramServerError.InvalidProof);
      const serverSignature = hmac(current.credentials.serverKey, authMessage);
      return {
        type: 'success',
        data: encoder.encode(`v=${base64(serverSignature)}`),
        username: current.username,
      };
    },
  };
}
