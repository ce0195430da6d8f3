// MQTT 5.0 section 3.5, PUBREC: the reason codes the broker sends and accepts, and the optional
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
  publishPacket,
  rawClients,
  deliverOne,
  packetIdBytes,
} from '../support/raw-client.js';

/** The PUBREC reason codes of the standard (3.5.2.1). */
const pubrecReasonCodes = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];

const running = brokerForFile({ hooks: denyThenAllow() });
const connect = rawClients(running, 5, 'c50b-3.5');

describe('3.5 PUBREC', () => {
  it('[MQTT-3.5.2-1] answers with PUBREC reason codes only: 0x00 accepted (also for a repeat), 0x87 not authorized', async () => {
    const raw = await connect();
    raw.send(publishPacket('c50b/pubrec/ok', 'x', { qos: 2, packetId: 1 }));
    raw.send(publishPacket('c50b/pubrec/ok', 'x', { qos: 2, packetId: 1, dup: true }));
    raw.send(publishPacket(`${deniedPrefix}pubrec`, 'x', { qos: 2, packetId: 2 }));
    await fence(raw);
    const pubrecs = raw.packets.filter((packet) => packet.type === 'pubrec');
    expect(pubrecs.map((packet) => [packet.packetId, packet.reasonCode ?? 0])).toEqual([
      [1, ReasonCode.Success],
      [1, ReasonCode.Success],
      [2, ReasonCode.NotAuthorized],
    ]);
    for (const packet of pubrecs) expect(pubrecReasonCodes).toContain(packet.reasonCode ?? 0);
    raw.send({ type: 'pubrel', packetId: 1 });
    await raw.next('pubcomp');
    await leave(raw);
  });

  it('[MQTT-3.5.2-1] closes a connection that sends a PUBREC with a reason code PUBREC does not define (DISCONNECT 0x82)', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const { subscriber: raw, publisher, delivered } = await deliverOne(connect, 'c50b/pubrec/bad', 2);
    // 0x92 (Packet Identifier not found) belongs to PUBREL and PUBCOMP, not to PUBREC.
    raw.send(frame(0x50, [...packetIdBytes(delivered.packetId!), 0x92, 0]));
    await closedWith(raw, ReasonCode.ProtocolError);
    publisher.send({ type: 'pubrel', packetId: 1 });
    await publisher.next('pubcomp');
    await leave(publisher);
  });

  it('[MQTT-3.5.2-2] [MQTT-3.5.2-3] sends a refusing PUBREC to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    raw.send(publishPacket(`${deniedPrefix}pubrec-small`, 'x', { qos: 2, packetId: 9 }));
    const pubrec = await raw.next('pubrec');
    expect(pubrec.reasonCode).toBe(ReasonCode.NotAuthorized);
    expect(pubrec.properties).toBeUndefined();
    const bytes = encode(pubrec, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    await leave(raw);
  });

  it('[MQTT-3.5.2-1] answers a PUBLISH a hook refuses with a code PUBREC does not define (0x86) with PUBREC 0x87', async () => {
    const raw = await connect();
    raw.send(publishPacket(`${deniedUndefinedPrefix}pubrec`, 'x', { qos: 2, packetId: 4 }));
    const pubrec = await raw.next('pubrec');
    expect([pubrec.packetId, pubrec.reasonCode]).toEqual([4, ReasonCode.NotAuthorized]);
    await leave(raw);
  });
});
