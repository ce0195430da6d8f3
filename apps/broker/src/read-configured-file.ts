import { AuthFileError } from '@mqttkit/auth';
import { CliError } from './cli-error.js';

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

/** Reads a file the configuration names, turning failures into one line with the key to fix. */
export async function readConfiguredFile<T>(options: {
  readonly what: string;
  readonly key: string;
  readonly path: string;
  readonly read: (path: string) => Promise<T>;
}): Promise<T> {
  try {
    return await options.read(options.path);
  } catch (error) {
    if (error instanceof AuthFileError)
      throw new CliError(`${options.what} ${error.message}; fix the file or ${options.key}`, {
        cause: error,
      });
    throw new CliError(
      `cannot read ${options.what} ${options.path}: ${describe(error)}; fix ${options.key} or the file's permissions`,
      {
        cause: error,
      },
    );
  }
}
