// MQTT 3.1.1 section 4.8, handling errors: a protocol violation closes the connection it came on,
// and only that one.
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { frame } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedAfter,
  connackLength,
  leave,
  payloads,
  publishPacket,
  rawClient,
  subscribe,
  uniqueId,
} from '../support/raw-client.js';

const running = brokerForFile();

/** Sends `bytes` on a fresh connection and checks that the broker closed it without a word, and only it. */
async function violate(name: string, bytes: Uint8Array): Promise<void> {
  const bystander = await rawClient(running.port, 4, uniqueId(`c311b-4.8-${name}-bystander`));
  await subscribe(bystander, [[`errors48/${name}`, 0]]);
  const raw = await rawClient(running.port, 4, uniqueId(`c311b-4.8-${name}`));
  raw.send(bytes);
  expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  bystander.send(publishPacket(`errors48/${name}`, 'still here'));
  await bystander.next('publish');
  expect(payloads(bystander)).toEqual(['still here']);
  await leave(bystander);
}

describe('MQTT 3.1.1 4.8 handling errors', () => {
  it('[MQTT-4.8.0-1] closes the connection on a packet of reserved type 0', async () => {
    await violate('type-0', frame(0x00, []));
  });

  it('[MQTT-4.8.0-1] closes the connection on a packet of type 15, which 3.1.1 reserves', async () => {
    await violate('type-15', frame(0xf0, [0x00, 0x00]));
  });

  it('[MQTT-4.8.0-1] closes the connection on a packet only a server sends (CONNACK, SUBACK, PINGRESP)', async () => {
    await violate('connack', encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 4));
    await violate('suback', encode({ type: 'suback', packetId: 1, reasonCodes: [0] }, 4));
    await violate('pingresp', encode({ type: 'pingresp' }, 4));
  });

  it('[MQTT-4.8.0-1] closes the connection on a QoS 1 PUBLISH with packet identifier 0', async () => {
    await violate('id-0', frame(0x32, [0, 1, 0x61, 0, 0, 0x78]));
  });
});
