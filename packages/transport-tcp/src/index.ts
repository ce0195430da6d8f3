export { createTcpTransport } from './tcp-transport.js';
export { createTlsTransport } from './tls-transport.js';
export { ProxyHeaderError } from './proxy-header.js';
export type { TcpTransportOptions } from './tcp-transport.js';
export type { TlsTransportOptions, TlsTransport } from './tls-transport.js';
export type { ListenerOptions } from './socket-listener.js';
