const marker = Symbol.for('@mqttkit/store.corrupt.error');

/**
 * What `open()` rejects with when the data on disk cannot be trusted: a file that is not an LMDB
 * database, one cut short, one written by another program or a newer layout, or an entry that
 * does not decode. The broker refuses to start rather than run without data it acknowledged;
 * `onCorrupt: 'move-aside'` keeps the file under another name and starts empty instead.
 */
export class StoreCorruptError extends Error {
  override readonly name = 'StoreCorruptError';
  /** Stable, for logs and checks across package copies. */
  readonly code = 'MQTT_STORE_CORRUPT';
  /** The database file at fault. */
  readonly file: string;
  private readonly [marker] = true;

  constructor(file: string, problem: string, options?: ErrorOptions) {
    super(`The mqttkit store ${file} is corrupt or unreadable: ${problem}`, options);
    this.file = file;
  }

  /** True for any `StoreCorruptError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is StoreCorruptError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
