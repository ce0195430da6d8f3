import type { Hook, Logger } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { watchFile } from './file-watcher.js';
import type { FileWatch } from './file-watcher.js';
import { PasswordTable } from './password-table.js';
import type { PasswordTableOptions } from './password-table.js';
import { readPasswordFile } from './password-file-format.js';

/** Options of `passwordFile`. */
export interface PasswordFileOptions extends PasswordTableOptions {
  /** Path of a `mosquitto_passwd` file (`$6$` and `$7$` hashes; `$scrypt$` also accepted). */
  readonly path: string;
  /** Reload when the file changes. Default `true`. */
  readonly watch?: boolean;
  /** Wait this long after the last change before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** Hook name. Default `password-file`. */
  readonly name?: string;
  /** Where reload failures are reported until the broker's `init` supplies its logger. Default `console`. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
}

/** The password-file hook, with control over reloading. */
export interface PasswordFileHook extends Hook {
  /** Reads the file again. Rejects (keeping the previous users) when it cannot be read or parsed. */
  reload(): Promise<void>;
  /** Stops watching the file. Idempotent. */
  close(): void;
}

/**
 * Authenticates clients against a `mosquitto_passwd` file, reloading it when it changes. A file
 * that fails to load leaves the previous users in force; until one loads, clients get 0x88.
 */
export function passwordFile(options: PasswordFileOptions): PasswordFileHook {
  const name = options.name ?? 'password-file';
  let logger: Pick<Logger, 'info' | 'warn'> = options.logger ?? console;
  let table: PasswordTable | undefined;
  let queue: Promise<void> = Promise.resolve();
  let watcher: FileWatch | undefined;

  async function load(): Promise<void> {
    const entries = await readPasswordFile(options.path);
    table = PasswordTable.from(entries, { allowPlaintext: false, source: options.path });
    logger.info(`${name}: loaded ${table.size} user(s) from ${options.path}`);
  }

  function reload(): Promise<void> {
    const next = queue.then(load);
    queue = next.catch(() => undefined);
    return next;
  }

  const ready = reload();
  // The first load's failure surfaces through init(); here it must not be an unhandled rejection.
  ready.catch(() => undefined);
  if (options.watch ?? true) {
    watcher = watchFile(options.path, {
      debounceMs: options.debounceMs ?? 200,
      onChange: () => {
        reload().catch((error: unknown) => {
          logger.warn(`${name}: keeping the previous users, reloading ${options.path} failed`, { error });
        });
      },
    });
  }

  return {
    name,
    reload,
    async init(context) {
      logger = context.logger;
      await ready;
    },
    async authenticate(context) {
      await queue;
      if (table === undefined)
        return { deny: ReasonCode.ServerUnavailable, reason: `${options.path} is not loaded` };
      return table.authenticate(context, options);
    },
    close() {
      watcher?.close();
      watcher = undefined;
    },
  };
}
