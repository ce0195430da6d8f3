// MQTT 5.0 section 3.11, UNSUBACK: its reason codes, their order, and the optional properties a
// small Maximum Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { brokerForFile } from '../support/file-broker.js';
import { leave, subscribe, subscription, unsubscribe, rawClients } from '../support/raw-client.js';

/** The Unsubscribe reason codes of the standard (3.11.3). */
const unsubscribeReasonCodes = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];

const running = brokerForFile();
const connect = rawClients(running, 5, 'c50b-3.11');

describe('3.11 UNSUBACK', () => {
  it('[MQTT-3.11.2-1] [MQTT-3.11.2-2] sends an UNSUBACK to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    await subscribe(raw, [subscription('c50b/unsuback-small/a', 1)]);
    const unsuback = await unsubscribe(raw, ['c50b/unsuback-small/a', 'c50b/unsuback-small/none']);
    expect(unsuback.reasonCodes).toEqual([ReasonCode.Success, ReasonCode.NoSubscriptionExisted]);
    expect(unsuback.properties).toBeUndefined();
    const bytes = encode(unsuback, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    await leave(raw);
  });

  it('[MQTT-3.11.3-1] puts the reason codes in the order of the Topic Filters', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/unorder/b', 1), subscription('c50b/unorder/d', 1)]);
    const unsuback = await unsubscribe(raw, [
      'c50b/unorder/a',
      'c50b/unorder/b',
      'c50b/unorder/c',
      'c50b/unorder/d',
      'c50b/unorder/e',
    ]);
    expect(unsuback.reasonCodes).toEqual([
      ReasonCode.NoSubscriptionExisted,
      ReasonCode.Success,
      ReasonCode.NoSubscriptionExisted,
      ReasonCode.Success,
      ReasonCode.NoSubscriptionExisted,
    ]);
    await leave(raw);
  });

  it('[MQTT-3.11.3-2] uses only Unsubscribe reason codes, one for each Topic Filter received', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/uncodes/+', 1), subscription('$share/c50b/c50b/uncodes/x', 1)]);
    const filters = [
      'c50b/uncodes/+',
      '$share/c50b/c50b/uncodes/x',
      'c50b/uncodes/#/bad',
      'c50b/uncodes/none',
      '#',
    ];
    const unsuback = await unsubscribe(raw, filters);
    expect(unsuback.reasonCodes).toHaveLength(filters.length);
    expect(unsuback.reasonCodes.slice(0, 2)).toEqual([ReasonCode.Success, ReasonCode.Success]);
    for (const code of unsuback.reasonCodes) expect(unsubscribeReasonCodes).toContain(code);
    await leave(raw);
  });
});
