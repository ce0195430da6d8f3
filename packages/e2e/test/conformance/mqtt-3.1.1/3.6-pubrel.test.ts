// MQTT 3.1.1 section 3.6, PUBREL: the fixed header's reserved flags.
import { describe, expect, it } from 'vitest';
import { frame } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  fence,
  leave,
  publishPacket,
  rawClient,
  uniqueId,
} from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 3.6 PUBREL', () => {
  it('[MQTT-3.6.1-1] accepts a PUBREL with flags 0010 and answers it with PUBCOMP', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.6-good'));
    raw.send(publishPacket('pubrel/good', 'x', { qos: 2, packetId: 5 }));
    await raw.next('pubrec');
    raw.send(frame(0x62, [0, 5]));
    expect(await raw.next('pubcomp')).toEqual({ type: 'pubcomp', packetId: 5 });
    await leave(raw);
  });

  it('[MQTT-3.6.1-1] closes the connection on a PUBREL with flags 0000', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.6-zero'));
    raw.send(publishPacket('pubrel/zero', 'x', { qos: 2, packetId: 5 }));
    await raw.next('pubrec');
    raw.send(frame(0x60, [0, 5]));
    expect(await closedAfter(raw, connackLength + 4)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.6.1-1] closes the connection on a PUBREL with flags 0011', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.6-three'));
    await fence(raw);
    raw.send(frame(0x63, [0, 5]));
    expect(await closedAfter(raw, connackLength + 2)).toEqual(Buffer.alloc(0));
  });
});
