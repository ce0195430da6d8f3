// A broker listening on loopback with free ports over TCP, TLS (client certificates required),
// WebSocket and WebSocket over TLS, plus a factory of MQTT.js clients that `stop()` ends.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { allowAll } from '@mqttkit/auth';
import { createBroker } from '@mqttkit/broker';
import type { Broker, BrokerCapabilitiesInput } from '@mqttkit/broker';
import type { Hook, Logger, Store } from '@mqttkit/contracts';
import { createTcpTransport, createTlsTransport } from '@mqttkit/transport-tcp';
import { createWebSocketTransport } from '@mqttkit/transport-ws';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** The test CA and certificates (copied from transport-tcp's fixtures; server valid for 127.0.0.1). */
export const certificates = {
  ca: fixture('ca.pem'),
  serverCert: fixture('server.pem'),
  serverKey: fixture('server-key.pem'),
  clientCert: fixture('client.pem'),
  clientKey: fixture('client-key.pem'),
};

export type TransportName = 'tcp' | 'tls' | 'ws' | 'wss';

export interface StartBrokerOptions {
  readonly capabilities?: BrokerCapabilitiesInput;
  /** Default: `allowAll()`. */
  readonly hooks?: readonly Hook[];
  /** Listeners besides TCP. Default: none. */
  readonly transports?: readonly Exclude<TransportName, 'tcp'>[];
  /** Default: the broker's own memory store. */
  readonly store?: Store;
}

export interface ClientOptions extends mqtt.IClientOptions {
  /** Default `tcp`. */
  readonly transport?: TransportName;
}

export interface RunningBroker {
  readonly broker: Broker;
  /** The TCP port, for raw sockets and the command-line clients. */
  readonly port: number;
  readonly urls: Readonly<Partial<Record<TransportName, string>>>;
  /** Connects an MQTT.js client (no reconnects) and resolves once CONNACK arrived. */
  client(options?: ClientOptions): Promise<mqtt.MqttClient>;
  /** Starts connecting an MQTT.js client without waiting for CONNACK. */
  connect(options?: ClientOptions): mqtt.MqttClient;
  /** Errors the broker logged: an end-to-end run expects none. */
  readonly errors: string[];
  stop(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<RunningBroker> {
  const errors: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, details) => errors.push(`${message} ${JSON.stringify(details ?? {})}`),
  };
  const broker = await createBroker({
    hooks: options.hooks ?? [allowAll({ logger: { warn: () => {} } })],
    capabilities: { sysInterval: 0, ...options.capabilities },
    ...(options.store === undefined ? {} : { store: options.store }),
    logger,
  });
  const urls: Partial<Record<TransportName, string>> = {};
  const tcp = await broker.listen(createTcpTransport({ port: 0 }));
  urls.tcp = `mqtt://127.0.0.1:${tcp.port}`;
  for (const name of options.transports ?? []) {
    if (name === 'tls') {
      const tls = createTlsTransport({
        port: 0,
        key: certificates.serverKey,
        cert: certificates.serverCert,
        ca: certificates.ca,
        requestCert: true,
      });
      urls.tls = `mqtts://127.0.0.1:${(await broker.listen(tls)).port}`;
    } else {
      const tls =
        name === 'wss' ? { tls: { key: certificates.serverKey, cert: certificates.serverCert } } : {};
      const address = await broker.listen(createWebSocketTransport({ port: 0, ...tls }));
      urls[name] = `${name}://127.0.0.1:${address.port}/mqtt`;
    }
  }

  const clients: mqtt.MqttClient[] = [];
  const connect = (clientOptions: ClientOptions = {}): mqtt.MqttClient => {
    const { transport = 'tcp', ...rest } = clientOptions;
    const url = urls[transport];
    if (url === undefined) throw new Error(`the broker has no ${transport} listener`);
    const secure =
      transport === 'tls' || transport === 'wss'
        ? {
            ca: certificates.ca,
            servername: 'localhost',
            ...(transport === 'tls' ? { key: certificates.clientKey, cert: certificates.clientCert } : {}),
          }
        : {};
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...secure, ...rest });
    // Failures surface through the awaited operations; an unhandled 'error' event would crash the worker.
    client.on('error', () => {});
    clients.push(client);
    return client;
  };

  return {
    broker,
    port: tcp.port,
    urls,
    errors,
    connect,
    client: (clientOptions) =>
      new Promise((resolve, reject) => {
        const client = connect(clientOptions);
        client.once('connect', () => resolve(client));
        client.once('error', reject);
        client.once('close', () => reject(new Error('closed before CONNACK')));
      }),
    async stop() {
      await Promise.all(clients.map((client) => client.endAsync(true)));
      await broker.close();
    },
  };
}
