// MQTT 5.0 section 3.12, PINGREQ: the broker answers each one with a PINGRESP.
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { brokerForFile } from '../support/file-broker.js';
import { leave, rawClient } from '../support/raw-client.js';

const running = brokerForFile();

describe('3.12 PINGREQ', () => {
  it('[MQTT-3.12.4-1] answers each PINGREQ with a PINGRESP, also several sent in one write', async () => {
    const raw = await rawClient(running.port, 5, 'c50b-3.12-ping');
    const connackLength = raw.received().length;
    raw.send({ type: 'pingreq' });
    await raw.next('pingresp');
    const pingreq = Buffer.from(encode({ type: 'pingreq' }, 5));
    raw.send(Buffer.concat([pingreq, pingreq, pingreq]));
    await raw.next('pingresp', 3);
    expect(raw.received().subarray(connackLength)).toEqual(Buffer.from('d000d000d000d000', 'hex'));
    await leave(raw);
  });
});
