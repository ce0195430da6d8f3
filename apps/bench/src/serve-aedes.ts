// Child process: serves Aedes (in-memory persistence, the default) on a free loopback port.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { serveChild } from './serve-child.js';

const aedes = await Aedes.createBroker();
// noDelay as mqttkit's TCP transport and the benchmark's Mosquitto config set it.
const server = createServer({ noDelay: true }, aedes.handle);
server.listen(0, '127.0.0.1');
await once(server, 'listening');
// No graceful close: with a flood still queued, aedes.close() overflows mqemitter's stack, and the
// process exits right after anyway.
serveChild({ port: (server.address() as AddressInfo).port, close: async () => {} });
