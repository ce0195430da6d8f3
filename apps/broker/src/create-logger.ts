import pino from 'pino';
import pretty from 'pino-pretty';
import type { Logger } from '@mqttkit/contracts';
import type { MqttkitConfig } from './config-schema.js';

/** The app's logger: the `Logger` the broker and hooks use, and a way to flush it before exit. */
export interface AppLogger extends Logger {
  /** Writes what is buffered; call before `process.exit`. */
  flush(): void;
}

/**
 * A pino logger writing JSON lines to stdout, or readable lines when `format` is `pretty`, or
 * `auto` and stdout is a terminal.
 */
export function createLogger(
  options: MqttkitConfig['log'],
  isTerminal = process.stdout.isTTY === true,
): AppLogger {
  const readable = options.format === 'pretty' || (options.format === 'auto' && isTerminal);
  const destination = readable
    ? pretty({
        colorize: isTerminal,
        sync: true,
        ignore: 'pid,hostname',
        translateTime: 'SYS:HH:MM:ss.l',
        singleLine: true,
      })
    : pino.destination({ dest: 1, sync: true });
  const logger = pino(
    { level: options.level, serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err } },
    destination,
  );
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, details?: Readonly<Record<string, unknown>>): void => {
      if (details === undefined) logger[level](message);
      else logger[level](details, message);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    flush: () => logger.flush(),
  };
}
