// MQTT 5.0 section 3.7, PUBCOMP: the reason codes the broker sends and accepts, and the optional
// properties a small Maximum Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { frame } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedWith,
  fence,
  leave,
  publishPacket,
  rawClients,
  deliverOne,
  packetIdBytes,
} from '../support/raw-client.js';

/** The PUBCOMP reason codes of the standard (3.7.2.1). */
const pubcompReasonCodes = [0x00, 0x92];

const running = brokerForFile();
const connect = rawClients(running, 5, 'c50b-3.7');

describe('3.7 PUBCOMP', () => {
  it('[MQTT-3.7.2-1] sends PUBCOMP reason codes only: 0x00 after a PUBREL, 0x92 for a PUBREL with an unknown packet identifier', async () => {
    const raw = await connect();
    raw.send(publishPacket('c50b/pubcomp/codes', 'x', { qos: 2, packetId: 1 }));
    await raw.next('pubrec');
    raw.send({ type: 'pubrel', packetId: 1 });
    raw.send({ type: 'pubrel', packetId: 2 });
    await fence(raw);
    const pubcomps = raw.packets.filter((packet) => packet.type === 'pubcomp');
    expect(pubcomps.map((packet) => [packet.packetId, packet.reasonCode ?? 0])).toEqual([
      [1, ReasonCode.Success],
      [2, ReasonCode.PacketIdentifierNotFound],
    ]);
    for (const packet of pubcomps) expect(pubcompReasonCodes).toContain(packet.reasonCode ?? 0);
    await leave(raw);
  });

  it('[MQTT-3.7.2-1] closes a connection that sends a PUBCOMP with a reason code PUBCOMP does not define (DISCONNECT 0x82)', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const { subscriber: raw, publisher, delivered } = await deliverOne(connect, 'c50b/pubcomp/bad', 2);
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    await raw.next('pubrel');
    // 0x80 (Unspecified error) is no PUBCOMP reason code.
    raw.send(frame(0x70, [...packetIdBytes(delivered.packetId!), 0x80, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
    publisher.send({ type: 'pubrel', packetId: 1 });
    await publisher.next('pubcomp');
    await leave(publisher);
  });

  it('[MQTT-3.7.2-2] [MQTT-3.7.2-3] sends a 0x92 PUBCOMP to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    raw.send({ type: 'pubrel', packetId: 78 });
    const pubcomp = await raw.next('pubcomp');
    expect([pubcomp.packetId, pubcomp.reasonCode]).toEqual([78, ReasonCode.PacketIdentifierNotFound]);
    expect(pubcomp.properties).toBeUndefined();
    const bytes = encode(pubcomp, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    await leave(raw);
  });
});
