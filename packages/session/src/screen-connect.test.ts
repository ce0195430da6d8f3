import { ReasonCode } from '@mqttkit/codec';
import type { Connect } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { connectPacket } from '../test/session-harness.js';
import { rejectConnect } from './reject-connect.js';
import { screenConnect } from './screen-connect.js';
import { createSessionCapabilities, defaultSessionCapabilities } from './session-capabilities.js';

const will = { topic: 'will', payload: new Uint8Array(), qos: 0 as const, retain: false };

function refusal(connect: Connect, capabilities = defaultSessionCapabilities): number | undefined {
  const screening = screenConnect(connect, capabilities);
  return screening.accepted ? undefined : screening.problem.reasonCode;
}

describe('screenConnect', () => {
  it('accepts a valid CONNECT as it is', () => {
    const connect = connectPacket({ will });
    expect(screenConnect(connect, defaultSessionCapabilities)).toEqual({ accepted: true, connect });
  });

  it('[MQTT-3.1.0-1] closes the connection without CONNACK when the first packet is not CONNECT', () => {
    const screening = screenConnect({ type: 'pingreq' }, defaultSessionCapabilities);
    expect(screening).toMatchObject({
      accepted: false,
      problem: { reasonCode: ReasonCode.ProtocolError, statement: 'MQTT-3.1.0-1' },
      actions: [{ type: 'disconnect', sendDisconnect: false, reasonCode: ReasonCode.ProtocolError }],
    });
  });

  it('[MQTT-3.1.2-2] refuses an unsupported protocol version with 0x84', () => {
    expect(refusal(connectPacket({ protocolVersion: 6 as never }))).toBe(
      ReasonCode.UnsupportedProtocolVersion,
    );
  });

  it('[MQTT-3.1.3-8] refuses an empty 3.1.1 client id without clean session, and any empty id when not allowed', () => {
    expect(refusal(connectPacket({ protocolVersion: 4, clientId: '', clean: false }))).toBe(0x85);
    expect(refusal(connectPacket({ protocolVersion: 4, clientId: '', clean: true }))).toBeUndefined();
    const strict = createSessionCapabilities({ allowEmptyClientId: false });
    expect(refusal(connectPacket({ clientId: '' }), strict)).toBe(ReasonCode.ClientIdentifierNotValid);
  });

  it('refuses Receive Maximum 0 and Maximum Packet Size 0 as protocol errors', () => {
    expect(refusal(connectPacket({ properties: { receiveMaximum: 0 } }))).toBe(ReasonCode.ProtocolError);
    expect(refusal(connectPacket({ properties: { maximumPacketSize: 0 } }))).toBe(ReasonCode.ProtocolError);
  });

  it('refuses an invalid will topic with 0x90', () => {
    expect(refusal(connectPacket({ will: { ...will, topic: 'a/#' } }))).toBe(ReasonCode.TopicNameInvalid);
  });

  it('[MQTT-3.2.2-12] [MQTT-3.2.2-13] refuses a will above the maximum QoS or retained without retain support', () => {
    const limited = createSessionCapabilities({ maximumQoS: 0, retainAvailable: false });
    expect(refusal(connectPacket({ will: { ...will, qos: 1 } }), limited)).toBe(ReasonCode.QoSNotSupported);
    expect(refusal(connectPacket({ will: { ...will, retain: true } }), limited)).toBe(
      ReasonCode.RetainNotSupported,
    );
  });
});

describe('rejectConnect', () => {
  it('[MQTT-3.2.2-6] [MQTT-3.2.2-7] sends CONNACK with the reason code and Session Present 0, then closes', () => {
    expect(rejectConnect(connectPacket(), ReasonCode.NotAuthorized)).toEqual([
      {
        type: 'send',
        packet: { type: 'connack', sessionPresent: false, reasonCode: ReasonCode.NotAuthorized },
      },
      expect.objectContaining({
        type: 'disconnect',
        reasonCode: ReasonCode.NotAuthorized,
        sendDisconnect: false,
      }),
    ]);
  });

  it('[MQTT-3.2.2-8] sends 0x80 in place of a code CONNACK does not define', () => {
    for (const reasonCode of [
      ReasonCode.SessionTakenOver,
      ReasonCode.TopicAliasInvalid,
      ReasonCode.Success,
    ]) {
      expect(rejectConnect(connectPacket(), reasonCode)[0]).toEqual({
        type: 'send',
        packet: { type: 'connack', sessionPresent: false, reasonCode: ReasonCode.UnspecifiedError },
      });
    }
  });
});
