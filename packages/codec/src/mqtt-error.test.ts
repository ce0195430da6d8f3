import { describe, expect, it } from 'vitest';
import {
  MalformedPacketError,
  MqttError,
  NotAuthorizedError,
  PacketTooLargeError,
  ProtocolError,
  QuotaExceededError,
  UnsupportedProtocolVersionError,
} from './mqtt-error.js';

describe('MqttError', () => {
  it.each([
    [new MalformedPacketError('m'), 'MQTT_MALFORMED_PACKET', 0x81],
    [new ProtocolError('m'), 'MQTT_PROTOCOL_ERROR', 0x82],
    [new UnsupportedProtocolVersionError('m'), 'MQTT_UNSUPPORTED_PROTOCOL_VERSION', 0x84],
    [new NotAuthorizedError('m'), 'MQTT_NOT_AUTHORIZED', 0x87],
    [new PacketTooLargeError('m'), 'MQTT_PACKET_TOO_LARGE', 0x95],
    [new QuotaExceededError('m'), 'MQTT_QUOTA_EXCEEDED', 0x97],
  ] as const)('%s carries a stable code and its reason code', (error, code, reasonCode) => {
    expect(error).toBeInstanceOf(MqttError);
    expect(error).toMatchObject({ code, reasonCode, statement: undefined });
    expect(MqttError.isInstance(error)).toBe(true);
  });

  it('names the broken statement in the message and keeps the cause', () => {
    const cause = new Error('inner');
    const error = new ProtocolError('second CONNECT', { statement: 'MQTT-3.1.0-2', cause });
    expect(error.message).toBe('second CONNECT [MQTT-3.1.0-2]');
    expect(error.statement).toBe('MQTT-3.1.0-2');
    expect(error.cause).toBe(cause);
  });

  it('recognises only MqttErrors', () => {
    expect(MqttError.isInstance(new Error('plain'))).toBe(false);
    expect(MqttError.isInstance(null)).toBe(false);
    expect(MqttError.isInstance('MQTT_PROTOCOL_ERROR')).toBe(false);
  });
});
