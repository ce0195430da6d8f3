// Child process: Node's own floor for the idle-memory scenario. A bare `net` server that keeps
// every socket, answers the first bytes (the CONNECT) with a successful 3.1.1 CONNACK and ignores
// the rest: no MQTT parsing, no session, no timers. It serves no other scenario.
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { serveNetServer } from './serve-child.js';

const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const sockets = new Set<Socket>();

const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  socket.once('data', () => socket.write(connack));
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});
await serveNetServer(server, sockets);
