// MQTT 3.1.1 section 3.12, PINGREQ.
import { describe, expect, it } from 'vitest';
import { brokerForFile } from '../support/file-broker.js';
import { connackLength, leave, rawClient, uniqueId } from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 3.12 PINGREQ', () => {
  it('[MQTT-3.12.4-1] answers each PINGREQ with a PINGRESP', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.12'));
    raw.send(Buffer.from([0xc0, 0x00, 0xc0, 0x00, 0xc0, 0x00]));
    await raw.next('pingresp', 2);
    expect(raw.received().subarray(connackLength)).toEqual(Buffer.from([0xd0, 0, 0xd0, 0, 0xd0, 0]));
    await leave(raw);
  });
});
