import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import mqtt from 'mqtt';
import type { Hook } from '@mqttkit/contracts';
import { createBroker } from '../src/index.js';
import type { Broker, BrokerOptions } from '../src/index.js';

/** Lets everyone do everything: the tests' stand-in for `allowAll()`. */
export const allowEverything: Hook = {
  name: 'allow-everything',
  authenticate: () => 'allow',
  authorizePublish: () => 'allow',
  authorizeSubscribe: () => 'allow',
};

export interface Running {
  readonly broker: Broker;
  readonly port: number;
  readonly url: string;
  /** MQTT.js clients made with `client()`, ended by `stop()`. */
  client(options?: mqtt.IClientOptions): Promise<mqtt.MqttClient>;
  stop(): Promise<void>;
}

/** A broker served on a loopback socket with a free port, through `broker.handle`. */
export async function startBroker(options: BrokerOptions = { hooks: [allowEverything] }): Promise<Running> {
  const broker = await createBroker({
    ...options,
    capabilities: { sysInterval: 0, ...options.capabilities },
  });
  const server: Server = createServer((socket) =>
    broker.handle(socket, {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      listener: 'test',
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `mqtt://127.0.0.1:${port}`;
  const clients: mqtt.MqttClient[] = [];
  return {
    broker,
    port,
    url,
    async client(clientOptions = {}) {
      const client = await mqtt.connectAsync(url, {
        reconnectPeriod: 0,
        connectTimeout: 5000,
        ...clientOptions,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await broker.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Collects messages of a client; `next(n)` resolves with the first n (waiting for them). */
export function inbox(client: mqtt.MqttClient): {
  messages: { topic: string; payload: string; packet: mqtt.IPublishPacket }[];
  next(count?: number): Promise<{ topic: string; payload: string; packet: mqtt.IPublishPacket }[]>;
} {
  const messages: { topic: string; payload: string; packet: mqtt.IPublishPacket }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), packet });
    for (const waiter of [...waiters]) {
      if (messages.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  return {
    messages,
    next(count = 1) {
      if (messages.length >= count) return Promise.resolve(messages.slice(0, count));
      return new Promise((resolve) =>
        waiters.push({ count, resolve: () => resolve(messages.slice(0, count)) }),
      );
    },
  };
}
