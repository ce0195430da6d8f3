import type { Logger } from '@mqttkit/contracts';
import { watchFile } from './file-watcher.js';
import type { FileWatch } from './file-watcher.js';

/** Options of `reloadingFile`. */
export interface ReloadingFileOptions {
  /** The hook's name, for log lines. */
  readonly name: string;
  readonly path: string;
  /** Reload when the file changes. Default `true`. */
  readonly watch?: boolean;
  /** Wait this long after the last change before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** Where loads are reported until `useLogger` supplies the broker's. Default `console`. */
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  /** What a failed reload keeps, for its warning: `rules`, `users`. */
  readonly keeps: string;
  /** Reads the file and swaps in what it holds; rejects (changing nothing) when it cannot. */
  readonly load: (logger: Pick<Logger, 'info' | 'warn'>) => Promise<void>;
}

/** A file a hook serves from, loaded once, reloaded on change or on demand, one load at a time. */
export interface ReloadingFile {
  /** Loads the file again after any load under way; rejects when this load fails. */
  reload(): Promise<void>;
  /** Resolves when no load is under way (whatever their outcome). */
  settled(): Promise<void>;
  /** Reports through `logger` from now on and resolves with the first load (rejects if it failed). */
  useLogger(logger: Pick<Logger, 'info' | 'warn'>): Promise<void>;
  /** Stops watching the file. Idempotent. */
  close(): void;
}

/**
 * The loading half of the file-backed hooks (password file, ACL file): a failed reload keeps what
 * the last good load gave and logs a warning; the first load's failure surfaces through `useLogger`.
 */
export function reloadingFile(options: ReloadingFileOptions): ReloadingFile {
  let logger = options.logger ?? console;
  let queue: Promise<void> = Promise.resolve();
  let watcher: FileWatch | undefined;

  function reload(): Promise<void> {
    const next = queue.then(() => options.load(logger));
    queue = next.catch(() => undefined);
    return next;
  }

  const first = reload();
  // The first load's failure surfaces through useLogger(); here it must not be an unhandled rejection.
  first.catch(() => undefined);
  if (options.watch ?? true) {
    watcher = watchFile(options.path, {
      debounceMs: options.debounceMs ?? 200,
      onChange: () => {
        reload().catch((error: unknown) => {
          logger.warn(
            `${options.name}: keeping the previous ${options.keeps}, reloading ${options.path} failed`,
            {
              error,
            },
          );
        });
      },
    });
  }

  return {
    reload,
    settled: () => queue,
    useLogger(next) {
      logger = next;
      return first;
    },
    close() {
      watcher?.close();
      watcher = undefined;
    },
  };
}
