// MQTT 5.0 section 4.13: a Malformed Packet or Protocol Error closes the connection, after a
// DISCONNECT (or CONNACK) with the reason code where one can be sent, and nothing behind it is handled.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { disconnectBytes, rawClient } from '../support/raw-client.js';

// Clients without an Authentication Method are allowed; any method is unknown (CONNACK 0x8C).
const plainOnly: Hook = {
  name: 'c50c-plain-only',
  authenticate: ({ authenticationMethod }) => (authenticationMethod === undefined ? 'allow' : 'defer'),
  authorizePublish: () => 'allow',
  authorizeSubscribe: () => 'allow',
};

const running = brokerForFile({ hooks: [plainOnly] });

const pingreq = encode({ type: 'pingreq' }, 5);

/** Connects, sends `bytes` followed by a PINGREQ in one write, and resolves with what came after CONNACK. */
async function afterConnack(clientId: string, bytes: Buffer, properties = {}): Promise<Buffer> {
  const raw = await rawClient(running.port, 5, clientId, { properties });
  const connackLength = raw.received().length;
  raw.send(Buffer.concat([bytes, pingreq]));
  await raw.closed;
  return raw.received().subarray(connackLength);
}

describe('4.13 handling errors', () => {
  it('[MQTT-4.13.1-1] closes the connection on a Malformed Packet after DISCONNECT 0x81, handling nothing behind it', async () => {
    // PUBLISH whose topic length (10) runs past its remaining length (3).
    expect(await afterConnack('malformed', frame(0x30, [0, 10, 0x61]))).toEqual(
      disconnectBytes(ReasonCode.MalformedPacket),
    );
  });

  it('[MQTT-4.13.1-1] closes the connection on a Protocol Error after DISCONNECT 0x82, handling nothing behind it', async () => {
    // PUBLISH with Topic Alias 0, which the protocol forbids.
    expect(
      await afterConnack('protocol-error', frame(0x30, [...mqttString('t'), 3, 0x23, 0, 0, 0x78])),
    ).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });

  it('[MQTT-4.13.2-1] closes the connection after a CONNACK with a reason code of 0x80 or above, handling nothing sent behind CONNECT', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(
      Buffer.concat([
        encode({ ...connectPacket('refused', 5), properties: { authenticationMethod: 'UNKNOWN' } }, 5),
        pingreq,
      ]),
    );
    await raw.closed;
    expect(raw.received()).toEqual(
      Buffer.from(
        encode({ type: 'connack', sessionPresent: false, reasonCode: ReasonCode.BadAuthenticationMethod }, 5),
      ),
    );
  });

  it('[MQTT-4.13.2-1] closes the connection when a CONNACK 0x8C is due even though the client’s Maximum Packet Size keeps it from being sent', async () => {
    // CONNACK 0x8C with an empty property list takes 5 bytes; this client accepts packets of at most 4.
    const raw = await openRawConnection(running.port, 5);
    raw.send(
      Buffer.concat([
        encode(
          {
            ...connectPacket('too-small', 5),
            properties: { maximumPacketSize: 4, authenticationMethod: 'UNKNOWN' },
          },
          5,
        ),
        pingreq,
      ]),
    );
    await raw.closed;
    expect(raw.received()).toEqual(Buffer.alloc(0));
  });
});
