import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  ClientCertificate,
  ConnectionHandler,
  ConnectionInfo,
  Transport,
  TransportAddress,
  TransportKind,
} from '@mqttkit/contracts';
import { readProxyHeader } from './proxy-header.js';
import type { ProxiedAddress } from './proxy-header.js';

/** Options every socket listener shares. */
export interface ListenerOptions {
  /** The listener's name in `ConnectionInfo.listener` and logs. Default: its URL. */
  readonly name?: string;
  /** The address to bind. Default `127.0.0.1`: opening the broker to a network is a deliberate setting. */
  readonly host?: string;
  /** The port to bind; 0 picks a free one. */
  readonly port?: number;
  /** The listen backlog. Default: Node's (511). */
  readonly backlog?: number;
  /** With an IPv6 `host`, refuse IPv4-mapped connections. Default false. */
  readonly ipv6Only?: boolean;
  /** Expect a PROXY protocol v1 or v2 header on every connection (behind a load balancer). Default false. */
  readonly proxyProtocol?: boolean;
  /** Milliseconds to wait for the PROXY header, and for a TLS handshake. Default 10,000. */
  readonly handshakeTimeout?: number;
  /** Called with errors of single connections before they reach the broker (bad PROXY header, TLS). */
  readonly onConnectionError?: (error: Error) => void;
}

/** The layer a listener adds on top of the TCP socket (TLS), given the bytes already read. */
export type SecureLayer = (layer: {
  socket: Socket;
  rest: Buffer;
  timeout: number;
}) => Promise<{ stream: Duplex; certificate: ClientCertificate | undefined }>;

interface ListenerSetup {
  readonly kind: TransportKind;
  readonly scheme: string;
  readonly defaultPort: number;
  readonly secure?: SecureLayer;
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

// Shared by every socket rather than a closure per connection.
function destroyOnError(this: Socket): void {
  this.destroy();
}

/** A TCP listener, optionally reading PROXY headers and adding a layer such as TLS. */
export class SocketListener implements Transport {
  readonly kind: TransportKind;
  private readonly server: Server;
  private readonly host: string;
  private readonly port: number;
  private readonly handshakeTimeout: number;
  private handler: ConnectionHandler | undefined;
  private bound: TransportAddress | undefined;
  /** The name while bound, built once and shared by every connection's `ConnectionInfo`. */
  private boundName: string | undefined;
  /**
   * The bound address when it is not a wildcard: every accepted socket's local end then, so it is
   * not asked of each socket (which caches it in an object of its own for as long as it is open).
   */
  private localEnd: { readonly address: string; readonly port: number } | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ListenerOptions,
    private readonly setup: ListenerSetup,
  ) {
    this.kind = setup.kind;
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? setup.defaultPort;
    this.handshakeTimeout = options.handshakeTimeout ?? 10_000;
    this.server = createServer({ noDelay: true, pauseOnConnect: false });
    this.server.on('connection', (socket) => this.accept(socket));
  }

  /** The configured name, else the listener's URL (with the bound port once listening on port 0). */
  get name(): string {
    const port = this.bound?.port ?? this.port;
    return this.options.name ?? `${this.setup.scheme}://${formatHost(this.host)}:${port}`;
  }

  listen(handler: ConnectionHandler): Promise<TransportAddress> {
    if (this.handler) return Promise.reject(new Error(`listener ${this.name} is already listening`));
    this.handler = handler;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        this.handler = undefined;
        const reason = error.code === 'EADDRINUSE' ? 'address already in use' : error.message;
        reject(
          new Error(`cannot listen on ${formatHost(this.host)}:${this.port}: ${reason}`, { cause: error }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(
        { host: this.host, port: this.port, backlog: this.options.backlog, ipv6Only: this.options.ipv6Only },
        () => {
          this.server.off('error', onError);
          const address = this.server.address() as AddressInfo;
          this.bound = {
            host: address.address,
            port: address.port,
            url: `${this.setup.scheme}://${formatHost(address.address)}:${address.port}`,
          };
          this.boundName = this.name;
          const wildcard = address.address === '0.0.0.0' || address.address === '::';
          this.localEnd = wildcard ? undefined : { address: address.address, port: address.port };
          resolve(this.bound);
        },
      );
    });
  }

  address(): TransportAddress | undefined {
    return this.bound;
  }

  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      this.bound = undefined;
      this.boundName = undefined;
      this.localEnd = undefined;
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    return this.closing;
  }

  private accept(socket: Socket): void {
    socket.on('error', destroyOnError);
    this.prepare(socket).then(
      ({ stream, info }) => {
        if (this.closing) {
          stream.destroy();
          return;
        }
        this.handler!(stream, info);
        // A handler that listens for errors itself (the broker does) keeps the only error listener:
        // one listener rather than an array of two, for as long as the connection is open.
        if (stream === socket && socket.listenerCount('error') > 1) socket.off('error', destroyOnError);
      },
      (error: Error) => {
        socket.destroy();
        this.options.onConnectionError?.(error);
      },
    );
  }

  private async prepare(socket: Socket): Promise<{ stream: Duplex; info: ConnectionInfo }> {
    let source: ProxiedAddress | undefined;
    let rest: Buffer = Buffer.alloc(0);
    if (this.options.proxyProtocol) {
      ({ source, rest } = await readProxyHeader(socket, this.handshakeTimeout));
    }
    let stream: Duplex = socket;
    let certificate: ClientCertificate | undefined;
    if (this.setup.secure) {
      ({ stream, certificate } = await this.setup.secure({ socket, rest, timeout: this.handshakeTimeout }));
    } else if (rest.length > 0) {
      socket.unshift(rest);
    }
    const info: ConnectionInfo = {
      transport: this.kind,
      listener: this.boundName ?? this.name,
      remoteAddress: source?.address ?? socket.remoteAddress ?? '',
      remotePort: source?.port ?? socket.remotePort ?? 0,
      localAddress: this.localEnd?.address ?? socket.localAddress ?? '',
      localPort: this.localEnd?.port ?? socket.localPort ?? 0,
      proxied: source !== undefined,
      ...(certificate ? { certificate } : {}),
    };
    return { stream, info };
  }
}
