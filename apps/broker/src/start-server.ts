import { resolve } from 'node:path';
import { createBroker } from '@mqttkit/broker';
import type { Broker } from '@mqttkit/broker';
import type { Hook, Logger, Store } from '@mqttkit/contracts';
import { createLmdbStore, StoreCorruptError } from '@mqttkit/store-lmdb';
import { createMemoryStore } from '@mqttkit/store-memory';
import { buildHooks } from './build-hooks.js';
import { CliError } from './cli-error.js';
import type { MqttkitConfig } from './config-schema.js';
import { createListenerTransport } from './create-listener-transport.js';
import type { ListenerTransport } from './create-listener-transport.js';
import { createMetrics } from './create-metrics.js';
import { resolveListeners } from './resolve-listeners.js';
import { startHttpEndpoint } from './start-http-endpoint.js';
import type { HttpEndpoint } from './start-http-endpoint.js';

/** Options of `startServer`. */
export interface StartServerOptions {
  readonly config: MqttkitConfig;
  readonly logger: Logger;
  /** Published in `$SYS/broker/version` and the start log line. */
  readonly version?: string;
  /** Hooks run before the configured auth providers (a custom broker's own). */
  readonly hooks?: readonly Hook[];
}

/** A running `mqttkit` server. */
export interface RunningServer {
  readonly broker: Broker;
  /** What it listens on, in order: `{ listener, url }`. */
  readonly listening: readonly { readonly listener: string; readonly url: string }[];
  /** The metrics endpoint's URL, when `http.port` is set. */
  readonly httpUrl: string | undefined;
  /** Reloads the password file, the ACL file and TLS certificates without dropping connections. */
  reload(): Promise<void>;
  /** Stops accepting, sends MQTT 5 clients DISCONNECT 0x8B, flushes the store and closes everything. */
  close(): Promise<void>;
}

const unavailableAddress = new Set(['EADDRNOTAVAIL', 'EAFNOSUPPORT']);

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? (error as NodeJS.ErrnoException).code;
}

function listenFix(error: unknown, transport: ListenerTransport): string {
  const where = transport.listener.configPath;
  const field = where === 'port' ? 'port (--port or MQTTKIT_PORT)' : `${where}.port`;
  switch (errorCode(error)) {
    case 'EADDRINUSE':
      return `stop the program using it or choose another ${field}`;
    case 'EACCES':
      return `ports below 1024 need privileges; choose another ${field}`;
    case 'EADDRNOTAVAIL':
      return `this machine has no such address; fix ${where === 'port' ? 'the listener host' : `${where}.host`}`;
    default:
      return `check ${where}`;
  }
}

function createStore(config: MqttkitConfig, logger: Logger): Store {
  const { persistence } = config;
  if (persistence.store === 'memory') return createMemoryStore();
  return createLmdbStore({
    path: resolve(persistence.path),
    sync: persistence.sync,
    onCorrupt: persistence.onCorrupt,
    logger,
  });
}

/** A store that cannot open becomes one line naming the file and the setting to change. */
function storeProblem(error: unknown, config: MqttkitConfig): CliError | undefined {
  if (StoreCorruptError.isInstance(error)) {
    return new CliError(
      `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}; restore a backup, or start with persistence.onCorrupt=move-aside (--set) to move it aside and start empty`,
      { cause: error },
    );
  }
  const code = errorCode(error);
  if (config.persistence.store === 'lmdb' && (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR')) {
    const message = error instanceof Error ? error.message : String(error);
    return new CliError(
      `cannot open the store in ${resolve(config.persistence.path)}: ${message}; fix persistence.path`,
      {
        cause: error,
      },
    );
  }
  return undefined;
}

/**
 * Starts the broker the configuration describes: auth hooks, store, listeners, and the metrics
 * endpoint when `http.port` is set. Problems a user can fix reject with a `CliError`.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const listeners = resolveListeners(config);
  const metrics = config.http.port === undefined ? undefined : createMetrics();
  const built = await buildHooks({ config, listeners, logger, readSys: metrics !== undefined });
  const transports: ListenerTransport[] = [];
  let broker: Broker;
  try {
    for (const listener of listeners) transports.push(await createListenerTransport(listener));
    broker = await createBroker({
      capabilities: { ...config.capabilities, sysInterval: config.sys.interval },
      hooks: [...(options.hooks ?? []), ...built.hooks, ...(metrics === undefined ? [] : [metrics.hook])],
      store: createStore(config, logger),
      logger,
      ...(options.version === undefined ? {} : { version: options.version }),
    });
  } catch (error) {
    // The hooks watch their files from creation on; without a broker to close them, close them here.
    await Promise.all(built.hooks.map((hook) => hook.close?.()));
    if (error instanceof CliError) throw error;
    const problem = storeProblem(error, config);
    if (problem !== undefined) throw problem;
    // Hooks finish their setup in init (keys, files): a refusal there is a configuration problem.
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(`cannot start the broker: ${message}; check the auth settings`, { cause: error });
  }
  let serving = true;
  let endpoint: HttpEndpoint | undefined;
  const listening: { listener: string; url: string }[] = [];
  const closeAll = async (): Promise<void> => {
    serving = false;
    await broker.close();
    await Promise.all(transports.map((transport) => transport.close()));
    metrics?.close();
    await endpoint?.close();
  };

  try {
    for (const transport of transports) {
      try {
        await transport.bind();
        const address = await broker.listen(transport.transport);
        listening.push({ listener: transport.listener.name, url: address.url });
      } catch (error) {
        if (transport.listener.optional && unavailableAddress.has(errorCode(error) ?? '')) {
          logger.warn('IPv6 loopback is unavailable; listening on IPv4 only', {
            listener: transport.listener.name,
          });
          continue;
        }
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`${message}; ${listenFix(error, transport)}`, { cause: error });
      }
    }
    if (metrics !== undefined) {
      await metrics.attach(broker);
      try {
        endpoint = await startHttpEndpoint({
          host: config.http.host,
          port: config.http.port!,
          registry: metrics.registry,
          healthy: () => serving,
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CliError(`metrics endpoint: ${message}; choose another http.port`, { cause: error });
      }
      logger.info('metrics endpoint', { url: `${endpoint.url}/metrics`, health: `${endpoint.url}/healthz` });
    }
  } catch (error) {
    await closeAll();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    broker,
    listening,
    httpUrl: endpoint?.url,
    async reload() {
      // Each file on its own: one that fails to load keeps its previous version, the rest reload.
      const tasks = [
        ...built.reloadable.map((entry) => ({
          name: entry.name,
          run: () => entry.reload().then(() => true),
        })),
        ...transports
          .filter((transport) => transport.listener.tls !== undefined)
          .map((transport) => ({
            name: `certificates of ${transport.listener.name}`,
            run: () => transport.reloadCertificates(),
          })),
      ];
      const reloaded: string[] = [];
      const failed: string[] = [];
      for (const task of tasks) {
        try {
          if (await task.run()) reloaded.push(task.name);
        } catch (error) {
          failed.push(task.name);
          logger.error(`reloading the ${task.name} failed; the previous version stays in force`, {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      logger.info('reloaded', { reloaded, failed });
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
