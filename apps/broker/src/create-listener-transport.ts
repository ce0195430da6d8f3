import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { Server as HttpsServer } from 'node:https';
import type { SecureContextOptions } from 'node:tls';
import type { Transport } from '@mqttkit/contracts';
import { createTcpTransport, createTlsTransport } from '@mqttkit/transport-tcp';
import { createWebSocketTransport } from '@mqttkit/transport-ws';
import { CliError } from './cli-error.js';
import { readConfiguredFile } from './read-configured-file.js';
import type { ResolvedListener } from './resolve-listeners.js';

/** A listener's transport, with what SIGHUP and shutdown need besides the transport itself. */
export interface ListenerTransport {
  readonly listener: ResolvedListener;
  readonly transport: Transport;
  /** Binds what the app owns itself (the HTTPS server of a wss listener); called before `broker.listen`. */
  bind(): Promise<void>;
  /** Reads the listener's certificates again (tls and wss), for connections accepted from now on. */
  reloadCertificates(): Promise<boolean>;
  /** Closes what the app owns itself, after the broker closed the transport. */
  close(): Promise<void>;
}

async function readCertificates(listener: ResolvedListener): Promise<SecureContextOptions> {
  const tls = listener.tls!;
  const read = (what: string, field: string, path: string): Promise<Buffer> =>
    readConfiguredFile({
      what,
      key: `${listener.configPath}.tls.${field}`,
      path,
      read: (file) => readFile(file),
    });
  return {
    cert: await read('certificate file', 'cert', tls.cert),
    key: await read('private key file', 'key', tls.key),
    ...(tls.ca === undefined ? {} : { ca: await read('CA file', 'ca', tls.ca) }),
  };
}

function bindServer(server: HttpsServer, listener: ResolvedListener): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
      const host = listener.host.includes(':') ? `[${listener.host}]` : listener.host;
      reject(new Error(`cannot listen on ${host}:${listener.port}: ${reason}`, { cause: error }));
    });
    server.listen({ host: listener.host, port: listener.port }, () => resolve());
  });
}

/**
 * Builds the transport of one listener from its configuration. Certificate files are read
 * here, so a missing one stops the start with a line naming the file and the key to fix.
 */
export async function createListenerTransport(listener: ResolvedListener): Promise<ListenerTransport> {
  const common = { name: listener.name, host: listener.host, port: listener.port };
  const idle = { bind: async () => {}, reloadCertificates: async () => false, close: async () => {} };
  const onConnectionError = (): void => {};
  switch (listener.type) {
    case 'tcp':
      return {
        listener,
        transport: createTcpTransport({
          ...common,
          proxyProtocol: listener.proxyProtocol,
          onConnectionError,
        }),
        ...idle,
      };
    case 'tls': {
      const tls = listener.tls!;
      const transport = createTlsTransport({
        ...common,
        ...(await readCertificates(listener)),
        proxyProtocol: listener.proxyProtocol,
        requestCert: tls.requestCert,
        rejectUnauthorized: tls.rejectUnauthorized,
        onConnectionError,
      });
      return {
        listener,
        transport,
        ...idle,
        reloadCertificates: async () => {
          transport.setSecureContext(await readCertificates(listener));
          return true;
        },
      };
    }
    case 'ws':
      return {
        listener,
        transport: createWebSocketTransport({
          ...common,
          path: listener.path!,
          trustProxy: listener.trustProxy,
        }),
        ...idle,
      };
    case 'wss': {
      // The app owns the HTTPS server so that SIGHUP can replace its certificates.
      const tls = listener.tls!;
      const server = createHttpsServer({
        ...(await readCertificates(listener)),
        requestCert: tls.requestCert,
        rejectUnauthorized: tls.rejectUnauthorized,
      });
      server.on('request', (_request, response) => {
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`MQTT is served over WebSocket on ${listener.path!}\n`);
      });
      const transport = createWebSocketTransport({
        name: listener.name,
        server,
        path: listener.path!,
        trustProxy: listener.trustProxy,
      });
      return {
        listener,
        transport,
        bind: () => bindServer(server, listener),
        reloadCertificates: async () => {
          server.setSecureContext(await readCertificates(listener));
          return true;
        },
        close: () =>
          new Promise((resolve) => {
            if (!server.listening) return resolve();
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    }
    default:
      throw new CliError(`unknown listener type ${String(listener.type)}`);
  }
}
