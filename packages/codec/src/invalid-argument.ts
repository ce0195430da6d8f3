import { MqttError } from './mqtt-error.js';
import { ReasonCode } from './reason-code.js';

/**
 * The error the encoder throws when asked to encode a packet the specification does not allow:
 * a programmer error, so it carries `MQTT_INVALID_ARGUMENT` and the reason code the peer would
 * answer such a packet with.
 */
export function invalidArgument(message: string, statement?: string): MqttError {
  return new MqttError(message, {
    code: 'MQTT_INVALID_ARGUMENT',
    reasonCode: ReasonCode.MalformedPacket,
    ...(statement === undefined ? {} : { statement }),
  });
}
