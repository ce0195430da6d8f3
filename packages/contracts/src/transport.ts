import type { Duplex } from 'node:stream';
import type { ClientCertificate, TransportKind } from './client-info.js';

/** What a transport knows about a new connection before any MQTT byte is read. */
export interface ConnectionInfo {
  /** The transport the connection came in on. */
  readonly transport: TransportKind;
  /** The name of the listener that accepted the connection. */
  readonly listener: string;
  /**
   * The peer's IP address (IPv6 unbracketed): the socket's, or the original client's when the
   * listener reads the PROXY protocol or trusts a forwarding header.
   */
  readonly remoteAddress: string;
  /** The peer's port, with the same origin as `remoteAddress`. */
  readonly remotePort: number;
  /** The local address the connection arrived at. */
  readonly localAddress: string;
  /** The local port the connection arrived at. */
  readonly localPort: number;
  /** True when `remoteAddress` came from a PROXY protocol header or a forwarding header. */
  readonly proxied: boolean;
  /** The client's TLS certificate, when the listener requested one and the client sent it. */
  readonly certificate?: ClientCertificate;
}

/** Receives each new connection of a transport. It must not throw. */
export type ConnectionHandler = (stream: Duplex, info: ConnectionInfo) => void;

/** Where a transport listens once `listen()` resolved. */
export interface TransportAddress {
  /** The host or IP address the listener is bound to. */
  readonly host: string;
  /** The bound port; the real one when the options asked for port 0. */
  readonly port: number;
  /** A URL-like description for logs, e.g. `mqtt://127.0.0.1:1883` or `ws://[::1]:8080/mqtt`. */
  readonly url: string;
}

/**
 * A listener that produces one `Duplex` per client connection (STYLE HS-20). Transports know
 * nothing of MQTT: the broker reads and writes the stream.
 */
export interface Transport {
  /** The listener's name, used in `ConnectionInfo.listener`, logs and metrics. */
  readonly name: string;
  /** The kind of connections this transport produces. */
  readonly kind: TransportKind;
  /** Starts listening; rejects with a clear error when the address cannot be bound. */
  listen(handler: ConnectionHandler): Promise<TransportAddress>;
  /** The bound address, or undefined before `listen()` resolved and after `close()`. */
  address(): TransportAddress | undefined;
  /**
   * Stops accepting connections at once. Resolves when every connection this transport handed
   * out has closed, so a caller closes its clients between calling and awaiting. Idempotent.
   */
  close(): Promise<void>;
}
