export { createWebSocketTransport } from './websocket-transport.js';
export type { WebSocketTransportOptions } from './websocket-transport.js';
