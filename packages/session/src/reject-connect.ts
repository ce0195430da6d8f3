import type { Connect } from '@mqttkit/codec';
import type { SessionAction } from './session-action.js';

/**
 * The actions that refuse a CONNECT: a CONNACK with `reasonCode` (the codec maps it to a 3.1.1
 * return code) and Session Present 0 [MQTT-3.2.2-6], then closing the connection
 * [MQTT-3.2.2-7]. Use it for the outcome of authentication.
 */
export function rejectConnect(connect: Connect, reasonCode: number): SessionAction[] {
  return [
    { type: 'send', packet: { type: 'connack', sessionPresent: false, reasonCode } },
    {
      type: 'disconnect',
      reasonCode,
      sendDisconnect: false,
      message: `CONNECT from '${connect.clientId}' refused with reason code 0x${reasonCode.toString(16)}`,
    },
  ];
}
