import { describe, expect, it } from 'vitest';
import { StoreClosedError } from './store-closed-error.js';

describe('StoreClosedError', () => {
  it('names the refused operation and carries a stable code', () => {
    const error = new StoreClosedError('getSession', { cause: new Error('shutdown') });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('StoreClosedError');
    expect(error.code).toBe('MQTT_STORE_CLOSED');
    expect(error.message).toBe('The store is closed: getSession refused');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('is recognised across copies of the package by its marker, and nothing else is', () => {
    const marker = Symbol.for('@mqttkit/store.closed.error');
    expect(StoreClosedError.isInstance(new StoreClosedError('flush'))).toBe(true);
    expect(StoreClosedError.isInstance({ [marker]: true })).toBe(true);
    expect(StoreClosedError.isInstance(new Error('closed'))).toBe(false);
    expect(StoreClosedError.isInstance(undefined)).toBe(false);
    expect(StoreClosedError.isInstance('MQTT_STORE_CLOSED')).toBe(false);
  });
});
