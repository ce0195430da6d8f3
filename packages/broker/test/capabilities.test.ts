import { describe, expect, it } from 'vitest';
import { createBrokerCapabilities, defaultBrokerCapabilities } from '../src/index.js';

describe('createBrokerCapabilities', () => {
  it('fills in the documented defaults and freezes the result', () => {
    const capabilities = createBrokerCapabilities();
    expect(capabilities).toEqual(defaultBrokerCapabilities);
    expect(capabilities).toMatchObject({
      maximumConnections: 100_000,
      connectTimeout: 10_000,
      receiveMaximum: 1024,
      maximumQoS: 2,
    });
    expect(Object.isFrozen(capabilities)).toBe(true);
  });

  it('keeps given values of broker and session limits', () => {
    const capabilities = createBrokerCapabilities({ maximumConnections: 10, maximumQoS: 1, sysInterval: 0 });
    expect(capabilities).toMatchObject({ maximumConnections: 10, maximumQoS: 1, sysInterval: 0 });
  });

  it('refuses values out of range, naming the key', () => {
    expect(() => createBrokerCapabilities({ maximumConnections: 0 })).toThrow(
      /'maximumConnections' must be an integer from 1/,
    );
    expect(() => createBrokerCapabilities({ connectTimeout: 1.5 })).toThrow(/'connectTimeout'/);
    expect(() => createBrokerCapabilities({ receiveMaximum: 0 })).toThrow(/receiveMaximum/);
    expect(() => createBrokerCapabilities({ nonsense: 1 } as never)).toThrow(/nonsense/);
  });
});
