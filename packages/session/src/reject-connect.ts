import { ReasonCode } from '@mqttkit/codec';
import type { Connect } from '@mqttkit/codec';
import type { SessionAction } from './session-action.js';

/** The failure codes CONNACK may carry (spec 3.2.2.2). */
const connackFailureCodes = new Set<number>([
  0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b,
  0x9c, 0x9d, 0x9f,
]);

/**
 * The actions that refuse a CONNECT: a CONNACK with `reasonCode` (the codec maps it to a 3.1.1
 * return code) and Session Present 0 [MQTT-3.2.2-6], then closing the connection
 * [MQTT-3.2.2-7]. Use it for the outcome of authentication. A code CONNACK does not define (a
 * hook may deny with any failure code) goes out as 0x80 Unspecified error [MQTT-3.2.2-8].
 */
export function rejectConnect(connect: Connect, reasonCode: number): SessionAction[] {
  const sent = connackFailureCodes.has(reasonCode) ? reasonCode : ReasonCode.UnspecifiedError;
  return [
    { type: 'send', packet: { type: 'connack', sessionPresent: false, reasonCode: sent } },
    {
      type: 'disconnect',
      reasonCode: sent,
      sendDisconnect: false,
      message: `CONNECT from '${connect.clientId}' refused with reason code 0x${reasonCode.toString(16)}`,
    },
  ];
}
