// MQTT 5.0 section 3.9, SUBACK: its reason codes, their order, and the optional properties a
// small Maximum Packet Size leaves out.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import { brokerForFile } from '../support/file-broker.js';
import { deniedPrefix, deniedUndefinedPrefix, denyThenAllow } from '../support/hooks.js';
import { leave, subscribe, subscription, rawClients } from '../support/raw-client.js';

/** The Subscribe reason codes of the standard (3.9.3). */
const subscribeReasonCodes = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];

const running = brokerForFile({
  hooks: denyThenAllow(),
  capabilities: { sharedSubscriptionAvailable: false, wildcardSubscriptionAvailable: false },
});
const connect = rawClients(running, 5, 'c50b-3.9');

describe('3.9 SUBACK', () => {
  it('[MQTT-3.9.2-1] [MQTT-3.9.2-2] sends a failing SUBACK to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    const maximumPacketSize = 16;
    const raw = await connect({ properties: { maximumPacketSize } });
    const suback = await subscribe(raw, [
      subscription(`${deniedPrefix}suback`, 1),
      subscription('c50b/suback/+', 1),
      subscription('$share/c50b/suback', 1),
    ]);
    expect(suback.reasonCodes).toEqual([
      ReasonCode.NotAuthorized,
      ReasonCode.WildcardSubscriptionsNotSupported,
      ReasonCode.SharedSubscriptionsNotSupported,
    ]);
    expect(suback.properties).toBeUndefined();
    const bytes = encode(suback, 5);
    expect(bytes.length).toBeLessThanOrEqual(maximumPacketSize);
    expect(raw.received().includes(Buffer.from(bytes))).toBe(true);
    await leave(raw);
  });

  it('[MQTT-3.9.3-1] puts the reason codes in the order of the Topic Filters', async () => {
    const raw = await connect();
    const filters = [
      subscription('c50b/order/2', 2),
      subscription(`${deniedPrefix}order`, 0),
      subscription('c50b/order/0', 0),
      subscription('c50b/order/#', 1),
      subscription('c50b/order/1', 1),
    ];
    const suback = await subscribe(raw, filters);
    expect(suback.reasonCodes).toEqual([
      2,
      ReasonCode.NotAuthorized,
      0,
      ReasonCode.WildcardSubscriptionsNotSupported,
      1,
    ]);
    const reversed = await subscribe(raw, [...filters].reverse());
    expect(reversed.reasonCodes).toEqual([
      1,
      ReasonCode.WildcardSubscriptionsNotSupported,
      0,
      ReasonCode.NotAuthorized,
      2,
    ]);
    await leave(raw);
  });

  it('[MQTT-3.9.3-2] uses only Subscribe reason codes, one for each Topic Filter received', async () => {
    const raw = await connect();
    const filters = [
      subscription('c50b/codes/a', 1),
      subscription('c50b/codes/#', 1),
      subscription('c50b/codes/#/bad', 1),
      subscription('$share/c50b/codes', 1),
      subscription(`${deniedPrefix}codes`, 1),
      subscription('c50b/codes/a', 2),
      subscription('c50b/codes/b', 0),
    ];
    const suback = await subscribe(raw, filters);
    expect(suback.reasonCodes).toHaveLength(filters.length);
    for (const code of suback.reasonCodes) expect(subscribeReasonCodes).toContain(code);
    await leave(raw);
  });

  it('[MQTT-3.9.3-2] answers a subscription a hook refuses with a code SUBACK does not define (0x86) with 0x87', async () => {
    const raw = await connect();
    const suback = await subscribe(raw, [
      subscription('c50b/undefined-code/a', 1),
      subscription(`${deniedUndefinedPrefix}suback`, 1),
    ]);
    expect(suback.reasonCodes).toEqual([ReasonCode.GrantedQoS1, ReasonCode.NotAuthorized]);
    await leave(raw);
  });
});
