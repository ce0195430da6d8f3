/**
 * The SCRAM message grammar of RFC 5802 section 7 for the two messages a server receives. Parsing
 * returns values: a SCRAM `server-error` name on failure, never an exception.
 */

/** `server-error-value` names of RFC 5802 section 7 that this server can send. */
export const ScramServerError = {
  InvalidEncoding: 'invalid-encoding',
  ExtensionsNotSupported: 'extensions-not-supported',
  InvalidProof: 'invalid-proof',
  ChannelBindingsDontMatch: 'channel-bindings-dont-match',
  ChannelBindingNotSupported: 'channel-binding-not-supported',
  InvalidUsernameEncoding: 'invalid-username-encoding',
  OtherError: 'other-error',
} as const;

export type ScramServerError = (typeof ScramServerError)[keyof typeof ScramServerError];

export interface ClientFirstMessage {
  /** `gs2-header` exactly as sent, echoed back base64-encoded in the client-final `c=` attribute. */
  readonly gs2Header: string;
  readonly username: string;
  readonly authorizationId: string | undefined;
  readonly clientNonce: string;
  /** `client-first-message-bare`, the first part of the AuthMessage. */
  readonly bare: string;
}

export interface ClientFinalMessage {
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Uint8Array;
  /** `client-final-message-without-proof`, the last part of the AuthMessage. */
  readonly withoutProof: string;
}

export type ParseResult<T> =
  { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: ScramServerError };

// printable = %x21-2B / %x2D-7E: visible ASCII without ','.
const printable = /^[\x21-\x2b\x2d-\x7e]+$/;
const base64Text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const sha256Length = 32;

function failure<T>(error: ScramServerError): ParseResult<T> {
  return { ok: false, error };
}

/** Decodes a `saslname`: `=2C` is ',', `=3D` is '=', any other '=' is an encoding error. */
function decodeSaslName(value: string): string | undefined {
  if (value.length === 0 || /=(?!2C|3D)/.test(value)) return undefined;
  return value.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function decodeUtf8(data: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
}

function attribute(part: string | undefined, name: string): string | undefined {
  return part !== undefined && part.startsWith(`${name}=`) ? part.slice(name.length + 1) : undefined;
}

export function parseClientFirstMessage(data: Uint8Array): ParseResult<ClientFirstMessage> {
  const text = decodeUtf8(data);
  if (text === undefined) return failure(ScramServerError.InvalidEncoding);
  const parts = text.split(',');
  const [cbindFlag, authzid, ...bareParts] = parts;
  if (cbindFlag === undefined || authzid === undefined) return failure(ScramServerError.InvalidEncoding);
  // We never advertise SCRAM-SHA-256-PLUS, so "p=" (client requires channel binding) cannot succeed.
  if (cbindFlag.startsWith('p=')) return failure(ScramServerError.ChannelBindingNotSupported);
  if (cbindFlag !== 'n' && cbindFlag !== 'y') return failure(ScramServerError.InvalidEncoding);
  let authorizationId: string | undefined;
  if (authzid !== '') {
    const encoded = attribute(authzid, 'a');
    authorizationId = encoded === undefined ? undefined : decodeSaslName(encoded);
    if (authorizationId === undefined) return failure(ScramServerError.InvalidEncoding);
  }
  const [usernamePart, noncePart] = bareParts;
  if (usernamePart?.startsWith('m=') === true) return failure(ScramServerError.ExtensionsNotSupported);
  const encodedUsername = attribute(usernamePart, 'n');
  if (encodedUsername === undefined) return failure(ScramServerError.InvalidEncoding);
  const username = decodeSaslName(encodedUsername);
  if (username === undefined) return failure(ScramServerError.InvalidUsernameEncoding);
  const clientNonce = attribute(noncePart, 'r');
  if (clientNonce === undefined || !printable.test(clientNonce))
    return failure(ScramServerError.InvalidEncoding);
  return {
    ok: true,
    message: {
      gs2Header: `${cbindFlag},${authzid},`,
      username,
      authorizationId,
      clientNonce,
      bare: bareParts.join(','),
    },
  };
}

export function parseClientFinalMessage(data: Uint8Array): ParseResult<ClientFinalMessage> {
  const text = decodeUtf8(data);
  if (text === undefined) return failure(ScramServerError.InvalidEncoding);
  const proofIndex = text.lastIndexOf(',p=');
  if (proofIndex < 0) return failure(ScramServerError.InvalidEncoding);
  const withoutProof = text.slice(0, proofIndex);
  const proofText = text.slice(proofIndex + 3);
  const [bindingPart, noncePart] = withoutProof.split(',');
  const channelBinding = attribute(bindingPart, 'c');
  const nonce = attribute(noncePart, 'r');
  if (channelBinding === undefined || !base64Text.test(channelBinding))
    return failure(ScramServerError.InvalidEncoding);
  if (nonce === undefined || !printable.test(nonce)) return failure(ScramServerError.InvalidEncoding);
  if (!base64Text.test(proofText)) return failure(ScramServerError.InvalidEncoding);
  const proof = new Uint8Array(Buffer.from(proofText, 'base64'));
  if (proof.length !== sha256Length) return failure(ScramServerError.InvalidProof);
  return { ok: true, message: { channelBinding, nonce, proof, withoutProof } };
}

/** Encodes a `saslname` for the client side (used by tests and by clients built on this package). */
export function encodeSaslName(value: string): string {
  return value.replace(/=/g, '=3D').replace(/,/g, '=2C');
}
