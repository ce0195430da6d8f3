import { createSecureContext, createServer as createTlsServer, TLSSocket } from 'node:tls';
import type { SecureContext, SecureContextOptions } from 'node:tls';
import type { Transport } from '@mqttkit/contracts';
import { toClientCertificate } from '@mqttkit/contracts';
import { PrefixedDuplex } from './prefixed-duplex.js';
import { SocketListener } from './socket-listener.js';
import type { ListenerOptions, SecureLayer } from './socket-listener.js';

/** Options of a TLS listener: the listener options plus Node's secure context options. */
export interface TlsTransportOptions extends ListenerOptions, SecureContextOptions {
  /** Ask clients for a certificate (mTLS). Default false. */
  readonly requestCert?: boolean;
  /** With `requestCert`, close connections whose certificate the CAs do not verify. Default true. */
  readonly rejectUnauthorized?: boolean;
}

/** A TLS listener whose certificates can be replaced without dropping connections. */
export interface TlsTransport extends Transport {
  /** Uses new certificates and keys for connections accepted from now on (SIGHUP reload). */
  setSecureContext(options: SecureContextOptions): void;
}

// Node keeps the result of a server handshake's certificate check on the TLS handle; its own
// tls.Server reads it the same way, in the 'secure' handler it does not export.
interface VerifiableHandle {
  verifyError(): (Error & { code?: string }) | null;
}

/**
 * A TLS listener (`mqtts://`, default port 8883), with client certificates when `requestCert` is set.
 *
 * ```ts
 * const transport = createTlsTransport({ port: 8883, key, cert });
 * await transport.listen((stream, info) => broker.handle(stream, info));
 * ```
 */
export function createTlsTransport(options: TlsTransportOptions): TlsTransport {
  const requestCert = options.requestCert ?? false;
  const rejectUnauthorized = options.rejectUnauthorized ?? true;
  let context: SecureContext = createSecureContext(options);
  // A server object that never listens: TLSSocket needs one for session resumption events.
  const server = createTlsServer({});

  const secure: SecureLayer = ({ socket, rest, timeout }) =>
    new Promise((resolve, reject) => {
      const base = rest.length > 0 ? new PrefixedDuplex(socket, rest) : socket;
      const tlsSocket = new TLSSocket(base, {
        isServer: true,
        server,
        secureContext: context,
        requestCert,
        rejectUnauthorized,
      });
      const timer = setTimeout(
        () => fail(new Error(`TLS handshake not finished within ${timeout} ms`)),
        timeout,
      );
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        tlsSocket.destroy();
        reject(error);
      };
      tlsSocket.on('error', fail);
      const onClose = (): void => fail(new Error('connection closed during the TLS handshake'));
      tlsSocket.once('close', onClose);
      tlsSocket.once('secure', () => {
        if (requestCert) {
          const handle = (tlsSocket as unknown as { _handle: VerifiableHandle | null })._handle;
          const verifyError = handle?.verifyError() ?? null;
          if (verifyError) {
            tlsSocket.authorizationError = verifyError;
            if (rejectUnauthorized)
              return fail(
                new Error(`client certificate refused: ${verifyError.code ?? verifyError.message}`),
              );
          } else {
            tlsSocket.authorized = true;
          }
        }
        settled = true;
        clearTimeout(timer);
        tlsSocket.off('error', fail);
        tlsSocket.off('close', onClose);
        resolve({ stream: tlsSocket, certificate: requestCert ? toClientCertificate(tlsSocket) : undefined });
      });
    });

  const listener = new SocketListener(options, { kind: 'tls', scheme: 'mqtts', defaultPort: 8883, secure });
  return Object.assign(listener, {
    setSecureContext(next: SecureContextOptions): void {
      context = createSecureContext(next);
    },
  });
}
