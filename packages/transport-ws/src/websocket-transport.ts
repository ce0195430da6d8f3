import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContextOptions, TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { toClientCertificate } from '@mqttkit/contracts';
import type { ConnectionHandler, ConnectionInfo, Transport, TransportAddress } from '@mqttkit/contracts';

/** Options of a WebSocket listener. */
export interface WebSocketTransportOptions {
  /** The listener's name in `ConnectionInfo.listener` and logs. Default: its URL. */
  readonly name?: string;
  /** The address to bind when the transport owns its server. Default `127.0.0.1`. */
  readonly host?: string;
  /** The port to bind when the transport owns its server; 0 picks a free one. Default 8080 (WSS: 8081). */
  readonly port?: number;
  /** The HTTP path MQTT is served on. Default `/mqtt`. */
  readonly path?: string;
  /**
   * An existing `http.Server` or `https.Server` to attach to instead of listening: the transport
   * takes upgrade requests for `path` and leaves every other request to the server's owner.
   */
  readonly server?: HttpServer;
  /** Serve WSS with these certificates (ignored with `server`, whose own TLS applies). */
  readonly tls?: SecureContextOptions & {
    readonly requestCert?: boolean;
    readonly rejectUnauthorized?: boolean;
  };
  /** Largest WebSocket message accepted, in bytes. Default 16 MiB; keep it at least the broker's maximum packet size. */
  readonly maxPayload?: number;
  /**
   * Take the client address from `X-Forwarded-For` (the first address), for a listener behind an HTTP
   * proxy. Default false: the header is trivially forged by clients that reach the listener directly.
   */
  readonly trustProxy?: boolean;
}

/** Subprotocols served, best first: MQTT 3.1.1 and 5.0 register `mqtt` [MQTT-6.0.0-3]; `mqttv3.1` is MQTT 3.1's. */
const subprotocols = ['mqtt', 'mqttv3.1'];

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

function forwardedAddress(request: IncomingMessage): string | undefined {
  const header = request.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header[0] : header;
  const first = value?.split(',')[0]?.trim();
  return first ? first : undefined;
}

/** A WebSocket listener; with WSS on a server of its own, certificates can be replaced live. */
export interface WebSocketTransport extends Transport {
  /**
   * Uses new certificates for connections accepted from now on (SIGHUP reload), without dropping
   * open ones. Only for WSS on a server of its own; an attached server's owner reloads its own.
   */
  setSecureContext(options: SecureContextOptions): void;
}

class WebSocketListener implements WebSocketTransport {
  readonly kind: 'ws' | 'wss';
  private readonly path: string;
  private readonly server: HttpServer;
  private readonly ownsServer: boolean;
  private readonly webSockets: WebSocketServer;
  // Tracked by WebSocket, not stream: the stream of `createWebSocketStream` emits 'close' only when destroyed.
  private readonly open = new Set<WebSocket>();
  private readonly host: string;
  private readonly port: number;
  private handler: ConnectionHandler | undefined;
  private bound: TransportAddress | undefined;
  private closing: Promise<void> | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.upgrade(request, socket, head);

  constructor(private readonly options: WebSocketTransportOptions) {
    this.path = options.path ?? '/mqtt';
    const secure = options.server ? options.server instanceof HttpsServer : options.tls !== undefined;
    this.kind = secure ? 'wss' : 'ws';
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? (this.kind === 'wss' ? 8081 : 8080);
    this.ownsServer = options.server === undefined;
    this.server =
      options.server ??
      (options.tls
        ? createHttpsServer({ ...options.tls, requestCert: options.tls.requestCert ?? false })
        : createHttpServer());
    if (this.ownsServer) {
      this.server.on('request', (_request, response) => {
        response
          .writeHead(404, { 'content-type': 'text/plain' })
          .end(`MQTT is served over WebSocket on ${this.path}\n`);
      });
    }
    this.webSockets = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload ?? 16 * 1024 * 1024,
      perMessageDeflate: false,
      handleProtocols: (offered) => subprotocols.find((protocol) => offered.has(protocol)) ?? false,
    });
  }

  /** The configured name, else the listener's URL (with the bound port once listening on port 0). */
  get name(): string {
    return (
      this.options.name ??
      `${this.kind}://${formatHost(this.host)}:${this.bound?.port ?? this.port}${this.path}`
    );
  }

  async listen(handler: ConnectionHandler): Promise<TransportAddress> {
    if (this.handler) throw new Error(`listener ${this.name} is already listening`);
    this.handler = handler;
    this.server.on('upgrade', this.onUpgrade);
    if (this.ownsServer) {
      await new Promise<void>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException): void => {
          this.handler = undefined;
          this.server.off('upgrade', this.onUpgrade);
          const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
          reject(
            new Error(`cannot listen on ${formatHost(this.host)}:${this.port}: ${reason}`, { cause: error }),
          );
        };
        this.server.once('error', onError);
        this.server.listen({ host: this.host, port: this.port }, () => {
          this.server.off('error', onError);
          resolve();
        });
      });
    }
    const address = this.server.address() as AddressInfo | null;
    const host = address?.address ?? this.host;
    const port = address?.port ?? this.port;
    this.bound = { host, port, url: `${this.kind}://${formatHost(host)}:${port}${this.path}` };
    return this.bound;
  }

  address(): TransportAddress | undefined {
    return this.bound;
  }

  setSecureContext(options: SecureContextOptions): void {
    if (!this.ownsServer || !(this.server instanceof HttpsServer)) {
      throw new Error(`listener ${this.name} has no TLS server of its own to reload`);
    }
    this.server.setSecureContext(options);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.bound = undefined;
      this.server.off('upgrade', this.onUpgrade);
      const closed = [...this.open].map(
        (webSocket) => new Promise((resolve) => webSocket.once('close', resolve)),
      );
      this.webSockets.close();
      if (this.ownsServer && this.server.listening) {
        await new Promise<void>((resolve) => {
          this.server.close(() => resolve());
          this.server.closeIdleConnections();
        });
      }
      await Promise.all(closed);
    })();
    return this.closing;
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (pathOf(request) !== this.path) {
      // On a server of its own, nothing else answers upgrades; on a shared one, others may.
      if (this.ownsServer) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (this.closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      this.open.add(webSocket);
      webSocket.once('close', () => this.open.delete(webSocket));
      // Registered before the stream's own listener, so a text frame never reaches the broker:
      // MQTT travels in binary frames only, anything else closes the connection [MQTT-6.0.0-1].
      webSocket.on('message', (_data, isBinary) => {
        if (isBinary) return;
        webSocket.close(1003, 'MQTT needs binary frames');
        // Destroyed before its own listener runs: a destroyed stream drops what is pushed to it.
        stream.destroy();
      });
      const stream = createWebSocketStream(webSocket);
      this.handler!(stream, this.connectionInfo(request));
    });
  }

  private connectionInfo(request: IncomingMessage): ConnectionInfo {
    const socket = request.socket as Socket;
    const forwarded = this.options.trustProxy ? forwardedAddress(request) : undefined;
    const certificate = 'getPeerCertificate' in socket ? toClientCertificate(socket as TLSSocket) : undefined;
    return {
      transport: this.kind,
      listener: this.name,
      remoteAddress: forwarded ?? socket.remoteAddress ?? '',
      remotePort: forwarded ? 0 : (socket.remotePort ?? 0),
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      proxied: forwarded !== undefined,
      ...(certificate ? { certificate } : {}),
    };
  }
}

/**
 * A WebSocket listener (`ws://`, or `wss://` with `tls`) serving MQTT on `path` with the `mqtt`
 * subprotocol, on a server of its own or attached to an existing `http.Server`.
 *
 * ```ts
 * const transport = createWebSocketTransport({ port: 8080, path: '/mqtt' });
 * await transport.listen((stream, info) => broker.handle(stream, info));
 * ```
 */
export function createWebSocketTransport(options: WebSocketTransportOptions = {}): WebSocketTransport {
  return new WebSocketListener(options);
}
