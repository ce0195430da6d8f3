/** The logging interface the broker hands to hooks. `details` carries structured fields. */
export interface Logger {
  /** Diagnostic detail, off by default. */
  debug(message: string, details?: Readonly<Record<string, unknown>>): void;
  /** Normal operation worth recording. */
  info(message: string, details?: Readonly<Record<string, unknown>>): void;
  /** Something an operator should look at, such as an insecure setting. */
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
  /** A failure the broker survived. */
  error(message: string, details?: Readonly<Record<string, unknown>>): void;
}
