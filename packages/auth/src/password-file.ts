import type { Hook, Logger } from '@mqttkit/contracts';
import { ReasonCode } from '@mqttkit/contracts';
import { reloadingFile } from './reloading-file.js';
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
  let table: PasswordTable | undefined;
  const file = reloadingFile({
    name,
    path: options.path,
    keeps: 'users',
    ...(options.watch === undefined ? {} : { watch: options.watch }),
    ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    async load(logger) {
      const entries = await readPasswordFile(options.path);
      table = PasswordTable.from(entries, { allowPlaintext: false, source: options.path });
      logger.info(`${name}: loaded ${table.size} user(s) from ${options.path}`);
    },
  });

  return {
    name,
    reload: file.reload,
    async init(context) {
      await file.useLogger(context.logger);
    },
    async authenticate(context) {
      await file.settled();
      if (table === undefined)
        return { deny: ReasonCode.ServerUnavailable, reason: `${options.path} is not loaded` };
      return table.authenticate(context, options);
    },
    close: file.close,
  };
}
