import { MqttError } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { createSessionCapabilities, defaultSessionCapabilities } from './session-capabilities.js';
import type { SessionCapabilitiesInput } from './session-capabilities.js';

describe('createSessionCapabilities', () => {
  it('fills in the documented defaults and freezes the result', () => {
    const capabilities = createSessionCapabilities();
    expect(capabilities).toEqual(defaultSessionCapabilities);
    expect(Object.isFrozen(capabilities)).toBe(true);
  });

  it('keeps given values and ignores undefined ones', () => {
    const capabilities = createSessionCapabilities({
      receiveMaximum: 10,
      maximumQoS: 1,
      serverKeepAlive: undefined,
    });
    expect(capabilities.receiveMaximum).toBe(10);
    expect(capabilities.maximumQoS).toBe(1);
    expect(capabilities.serverKeepAlive).toBeUndefined();
  });

  it.each<[string, SessionCapabilitiesInput]>([
    ['receiveMaximum 0', { receiveMaximum: 0 }],
    ['receiveMaximum above 65535', { receiveMaximum: 65_536 }],
    ['fractional topicAliasMaximum', { topicAliasMaximum: 1.5 }],
    ['maximumPacketSize 0', { maximumPacketSize: 0 }],
    ['negative maximumQueuedBytes', { maximumQueuedBytes: -1 }],
    ['maximumQoS 3', { maximumQoS: 3 as never }],
    ['serverKeepAlive above 65535', { serverKeepAlive: 70_000 }],
    ['non-boolean retainAvailable', { retainAvailable: 1 as never }],
    ['unknown key', { receiveMaximun: 5 } as never],
  ])('refuses %s with MQTT_INVALID_ARGUMENT', (_name, input) => {
    let error: unknown;
    try {
      createSessionCapabilities(input);
    } catch (caught) {
      error = caught;
    }
    expect(MqttError.isInstance(error)).toBe(true);
    expect((error as MqttError).code).toBe('MQTT_INVALID_ARGUMENT');
  });
});
