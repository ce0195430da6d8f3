/**
 * A problem the user can fix (bad configuration, port in use, unreadable file): the command
 * prints its message as one line and exits with `exitCode`, without a stack trace.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: ErrorOptions & { exitCode?: number } = {}) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
  }
}
