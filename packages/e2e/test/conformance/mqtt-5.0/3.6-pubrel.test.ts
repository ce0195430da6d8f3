// MQTT 5.0 section 3.6, PUBREL: its fixed-header flags, the reason codes the broker sends and
// accepts, and the optional properties a small Maximum Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { frame } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { closedWith, fence, leave, publishPacket, rawClients, deliverOne } from '../support/raw-client.js';

/** The PUBREL reason codes of the standard (3.6.2.1). */
const pubrelReasonCodes = [0x00, 0x92];

const running = brokerForFile();
const connect = rawClients(running, 5, 'c50b-3.6');

describe('3.6 PUBREL', () => {
  it('[MQTT-3.6.1-1] closes a connection that sends PUBREL with fixed-header flags other than 0010 (DISCONNECT 0x81)', async () => {
    for (const flags of [0x0, 0x1, 0x3, 0x6, 0xa]) {
      const raw = await connect();
      raw.send(publishPacket('c50b/pubrel/flags', 'x', { qos: 2, packetId: 1 }));
      await raw.next('pubrec');
      raw.send(frame(0x60 | flags, [0, 1]));
      await closedWith(raw, ReasonCode.MalformedPacket);
      expect(raw.packets.filter((packet) => packet.type === 'pubcomp')).toEqual([]);
    }
  });

  it('[MQTT-3.6.1-1] accepts PUBREL with flags 0010 and completes the flow', async () => {
    const raw = await connect();
    raw.send(publishPacket('c50b/pubrel/ok', 'x', { qos: 2, packetId: 1 }));
    await raw.next('pubrec');
    raw.send(frame(0x62, [0, 1]));
    expect((await raw.next('pubcomp')).packetId).toBe(1);
    await leave(raw);
  });

  it('[MQTT-3.6.2-1] sends PUBREL reason codes only: 0x00 after a PUBREC, 0x92 for a PUBREC with an unknown packet identifier', async () => {
    const { subscriber: raw, publisher, delivered } = await deliverOne(connect, 'c50b/pubrel/codes', 2);
    raw.send({ type: 'pubrec', packetId: delivered.packetId! });
    const unknown = delivered.packetId! === 500 ? 501 : 500;
    raw.send({ type: 'pubrec', packetId: unknown });
    await fence(raw);
    const pubrels = raw.packets.filter((packet) => packet.type === 'pubrel');
    expect(pubrels.map((packet) => [packet.packetId, packet.reasonCode ?? 0])).toEqual([
      [delivered.packetId, ReasonCode.Success],
      [unknown, ReasonCode.PacketIdentifierNotFound],
    ]);
    for (const packet of pubrels) expect(pubrelReasonCodes).toContain(packet.reasonCode ?? 0);
    raw.send({ type: 'pubcomp', packetId: delivered.packetId! });
    publisher.send({ type: 'pubrel', packetId: 1 });
    await publisher.next('pubcomp');
    await leave(raw);
    await leave(publisher);
  });

  it('[MQTT-3.6.2-1] closes a connection that sends a PUBREL with a reason code PUBREL does not define (DISCONNECT 0x82)', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const raw = await connect();
    raw.send(publishPacket('c50b/pubrel/bad', 'x', { qos: 2, packetId: 1 }));
    await raw.next('pubrec');
    // 0x87 (Not authorized) is no PUBREL reason code.
    raw.send(frame(0x62, [0, 1, 0x87, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.6.2-2] [MQTT-3.6.2-3] sends a 0x92 PUBREL to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    raw.send({ type: 'pubrec', packetId: 77 });
    const pubrel = await raw.next('pubrel');
    expect([pubrel.packetId, pubrel.reasonCode]).toEqual([77, ReasonCode.PacketIdentifierNotFound]);
    expect(pubrel.properties).toBeUndefined();
    const bytes = encode(pubrel, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    await leave(raw);
  });
});
