import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * An independent client side of SCRAM-SHA-256 (RFC 5802 section 3), written from the RFC for the
 * tests so the server is checked against the algorithm, not against itself.
 */
export interface ScramTestClient {
  readonly clientFirst: Uint8Array;
  /** Takes server-first-message and returns client-final-message. */
  respond(serverFirst: Uint8Array): Uint8Array;
  /** Whether server-final-message carries the signature the server must produce. */
  verifyServerFinal(serverFinal: Uint8Array): boolean;
}

export interface ScramTestClientOptions {
  readonly username: string;
  readonly password: string;
  readonly clientNonce?: string;
  readonly gs2Header?: string;
  /** Replace the nonce the client echoes, to test the server's nonce check. */
  readonly tamperNonce?: (nonce: string) => string;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function hmac(key: Uint8Array, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

export function createScramTestClient(options: ScramTestClientOptions): ScramTestClient {
  const gs2Header = options.gs2Header ?? 'n,,';
  const clientNonce = options.clientNonce ?? randomBytes(18).toString('base64');
  const username = options.username.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const clientFirstBare = `n=${username},r=${clientNonce}`;
  let expectedServerSignature: Buffer | undefined;

  return {
    clientFirst: encoder.encode(gs2Header + clientFirstBare),
    respond(serverFirstBytes) {
      const serverFirst = decoder.decode(serverFirstBytes);
      const attributes = new Map(serverFirst.split(',').map((part) => [part.slice(0, 1), part.slice(2)]));
      const nonce = attributes.get('r') ?? '';
      if (!nonce.startsWith(clientNonce)) throw new Error('server nonce does not extend the client nonce');
      const salt = Buffer.from(attributes.get('s') ?? '', 'base64');
      const iterations = Number(attributes.get('i'));
      const saltedPassword = pbkdf2Sync(options.password, salt, iterations, 32, 'sha256');
      const clientKey = hmac(saltedPassword, 'Client Key');
      const storedKey = createHash('sha256').update(clientKey).digest();
      const echoedNonce = options.tamperNonce?.(nonce) ?? nonce;
      const withoutProof = `c=${Buffer.from(gs2Header).toString('base64')},r=${echoedNonce}`;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = hmac(storedKey, authMessage);
      const proof = Buffer.from(clientKey.map((byte, index) => byte ^ (clientSignature[index] ?? 0)));
      expectedServerSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
      return encoder.encode(`${withoutProof},p=${proof.toString('base64')}`);
    },
    verifyServerFinal(serverFinalBytes) {
      const serverFinal = decoder.decode(serverFinalBytes);
      if (expectedServerSignature === undefined || !serverFinal.startsWith('v=')) return false;
      const signature = Buffer.from(serverFinal.slice(2), 'base64');
      return (
        signature.length === expectedServerSignature.length &&
        timingSafeEqual(signature, expectedServerSignature)
      );
    },
  };
}
