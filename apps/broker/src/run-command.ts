import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configFlags, toConfigSources } from './config-flags.js';
import { createLogger } from './create-logger.js';
import { loadConfig } from './load-config.js';
import { packageVersion } from './package-version.js';
import { startServer } from './start-server.js';

export const runUsage = `Usage: mqttkit [options]

Starts the broker. Without configuration it listens on 127.0.0.1:1883 and [::1]:1883 and lets
anonymous clients connect there only.

Options:
  -c, --config <file>     configuration file (YAML or JSON); or MQTTKIT_CONFIG
      --set <path=value>  set one key, e.g. --set log.level=debug (repeatable)
  -p, --port <port>       port of the default loopback listeners
      --log-level <level> trace, debug, info, warn, error, fatal or silent
      --http-port <port>  serve /metrics and /healthz on this port
      --data-dir <dir>    directory of the durable store (default ./mqttkit-data)
      --debug             print stack traces of errors
  -h, --help              this help

Commands: config print, passwd, acl check (mqttkit <command> --help)`;

/**
 * Runs the broker until SIGINT or SIGTERM: then it stops accepting, sends MQTT 5 clients
 * DISCONNECT 0x8B, flushes the store and exits 0, or 1 when that takes longer than
 * `shutdownTimeout`. SIGHUP reloads the password file, ACL file and certificates.
 */
export async function runCommand(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: configFlags,
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    process.stdout.write(`${runUsage}\n`);
    return;
  }
  const { config, file } = await loadConfig(toConfigSources(values, process.env));
  const logger = createLogger(config.log);
  const version = packageVersion();
  const server = await startServer({ config, logger, version });
  process.on('SIGHUP', () => {
    server.reload().catch((error: unknown) => {
      logger.error('reload failed', { error: error instanceof Error ? error.message : String(error) });
    });
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn('second signal: exiting at once', { signal });
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown took longer than shutdownTimeout; exiting', {
        shutdownTimeout: config.shutdownTimeout,
      });
      logger.flush();
      process.exit(1);
    }, config.shutdownTimeout);
    server.close().then(
      () => {
        clearTimeout(timer);
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error: error instanceof Error ? error.message : String(error) });
        logger.flush();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Announced only once the signal handlers are in place: a supervisor (or a test) that sends
  // SIGTERM as soon as it reads this line must get the graceful shutdown, not the default exit.
  logger.info('mqttkit started', {
    version,
    configFile: file ?? null,
    listening: server.listening.map((entry) => entry.url),
    store: config.persistence.store,
    ...(config.persistence.store === 'lmdb' ? { storePath: resolve(config.persistence.path) } : {}),
  });
}
