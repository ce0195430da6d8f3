const marker = Symbol.for('@mqttkit/store.closed.error');

/**
 * What every `Store` method rejects with once `close()` was called: the broker is shutting down,
 * so the write cannot be kept and should not be retried on this store.
 */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  /** Stable, for logs and checks across package copies. */
  readonly code = 'MQTT_STORE_CLOSED';
  private readonly [marker] = true;

  /** `operation` names the refused method, such as `getSession`. */
  constructor(operation: string, options?: ErrorOptions) {
    super(`The store is closed: ${operation} refused`, options);
  }

  /** True for any `StoreClosedError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is StoreClosedError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}
