import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/** Stops a file watch. */
export interface FileWatch {
  close(): void;
}

/**
 * Calls `onChange` once per burst of changes to `path`, `debounceMs` after the last one. It
 * watches the directory, not the file, because editors and `mosquitto_passwd` replace files by
 * renaming, which ends a watch on the old inode. The watch does not keep the process alive.
 */
export function watchFile(path: string, options: { debounceMs: number; onChange: () => void }): FileWatch {
  const name = basename(path);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watcher: FSWatcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
    if (filename !== null && filename.toString() !== name) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      options.onChange();
    }, options.debounceMs);
    timer.unref();
  });
  // A watch error (directory removed) leaves the last loaded contents in force.
  watcher.on('error', () => watcher.close());
  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
    },
  };
}
