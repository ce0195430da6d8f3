import type { TLSSocket } from 'node:tls';
import type { ClientCertificate } from './client-info.js';

/**
 * The certificate a client sent on a server-side TLS socket, in the contracts' shape; undefined
 * when it sent none. Transports call it after the handshake (mTLS).
 */
export function toClientCertificate(
  socket: Pick<TLSSocket, 'getPeerCertificate' | 'authorized'>,
): ClientCertificate | undefined {
  const certificate = socket.getPeerCertificate();
  if (!certificate || !certificate.raw) return undefined;
  const subject = certificate.subject ?? {};
  const commonName = Array.isArray(subject.CN) ? subject.CN[0] : subject.CN;
  return {
    ...(commonName === undefined ? {} : { subjectCommonName: commonName }),
    subject: Object.entries(subject)
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
      .join(','),
    fingerprint256: certificate.fingerprint256,
    raw: certificate.raw,
    authorized: socket.authorized,
  };
}
