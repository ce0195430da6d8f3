export { createWebSocketTransport } from './websocket-transport.js';
export type { WebSocketTransport, WebSocketTransportOptions } from './websocket-transport.js';
