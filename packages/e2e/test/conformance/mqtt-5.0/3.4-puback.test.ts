// MQTT 5.0 section 3.4, PUBACK: the reason codes the broker sends and accepts, and the optional
// properties a small Maximum Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { frame } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { deniedPrefix, deniedUndefinedPrefix, denyThenAllow } from '../support/hooks.js';
import {
  closedWith,
  fence,
  leave,
  publishes,
  publishPacket,
  rawClients,
  deliverOne,
  packetIdBytes,
} from '../support/raw-client.js';

/** The PUBACK reason codes of the standard (3.4.2.1). */
const pubackReasonCodes = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

const running = brokerForFile({ hooks: denyThenAllow() });
const connect = rawClients(running, 5, 'c50b-3.4');

describe('3.4 PUBACK', () => {
  it('[MQTT-3.4.2-1] answers with PUBACK reason codes only: 0x00 accepted, 0x87 not authorized, 0x91 packet identifier in use', async () => {
    const raw = await connect();
    raw.send(publishPacket('c50b/puback/ok', 'x', { qos: 1, packetId: 1 }));
    raw.send(publishPacket(`${deniedPrefix}puback`, 'x', { qos: 1, packetId: 2 }));
    // Packet identifier 3 is taken by an unfinished QoS 2 flow.
    raw.send(publishPacket('c50b/puback/qos2', 'x', { qos: 2, packetId: 3 }));
    raw.send(publishPacket('c50b/puback/reuse', 'x', { qos: 1, packetId: 3 }));
    await fence(raw);
    const pubacks = raw.packets.filter((packet) => packet.type === 'puback');
    expect(pubacks.map((packet) => [packet.packetId, packet.reasonCode ?? 0])).toEqual([
      [1, ReasonCode.Success],
      [2, ReasonCode.NotAuthorized],
      [3, ReasonCode.PacketIdentifierInUse],
    ]);
    for (const packet of pubacks) expect(pubackReasonCodes).toContain(packet.reasonCode ?? 0);
    raw.send({ type: 'pubrel', packetId: 3 });
    await raw.next('pubcomp');
    await leave(raw);
  });

  it('[MQTT-3.4.2-1] closes a connection that sends a PUBACK with a reason code PUBACK does not define (DISCONNECT 0x82)', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const { subscriber: raw, publisher, delivered } = await deliverOne(connect, 'c50b/puback/bad', 1);
    // 0x04 (Disconnect with Will Message) is no PUBACK reason code.
    raw.send(frame(0x40, [...packetIdBytes(delivered.packetId!), 0x04, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
    await leave(publisher);
  });

  it('[MQTT-3.4.2-2] [MQTT-3.4.2-3] sends a refusing PUBACK to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    raw.send(publishPacket(`${deniedPrefix}puback-small`, 'x', { qos: 1, packetId: 9 }));
    const puback = await raw.next('puback');
    expect(puback.reasonCode).toBe(ReasonCode.NotAuthorized);
    expect(puback.properties).toBeUndefined();
    const bytes = encode(puback, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    expect(publishes(raw)).toEqual([]);
    await leave(raw);
  });

  it('[MQTT-3.4.2-1] answers a PUBLISH a hook refuses with a code PUBACK does not define (0x86) with PUBACK 0x87', async () => {
    const raw = await connect();
    raw.send(publishPacket(`${deniedUndefinedPrefix}puback`, 'x', { qos: 1, packetId: 4 }));
    const puback = await raw.next('puback');
    expect([puback.packetId, puback.reasonCode]).toEqual([4, ReasonCode.NotAuthorized]);
    await leave(raw);
  });
});
