// Child process: serves mqttkit on a free loopback port and reports the port to the parent.
import { createBroker } from '@mqttkit/broker';
import type { Hook } from '@mqttkit/contracts';
import { createTcpTransport } from '@mqttkit/transport-tcp';
import { serveChild } from './serve-child.js';

const allowEverything: Hook = {
  name: 'allow-everything',
  authenticate: () => 'allow',
  authorizePublish: () => 'allow',
  authorizeSubscribe: () => 'allow',
};

const broker = await createBroker({ hooks: [allowEverything], capabilities: { sysInterval: 0 } });
const address = await broker.listen(createTcpTransport({ port: 0 }));
serveChild({ port: address.port, close: () => broker.close(), statistics: () => ({ ...broker.statistics }) });
