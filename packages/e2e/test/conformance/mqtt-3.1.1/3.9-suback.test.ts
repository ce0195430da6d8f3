// MQTT 3.1.1 section 3.9, SUBACK: the return codes, their order and their values.
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import type { Hook } from '@mqttkit/contracts';
import { frame, mqttString } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { connackLength, leave, rawClient, subscribe, uniqueId } from '../support/raw-client.js';

/** Refuses every filter under `refused/`. */
const refuseRefused: Hook = {
  name: 'refuse-refused',
  authorizeSubscribe: ({ topicFilter }) => (topicFilter.startsWith('refused/') ? { deny: 0x87 } : 'defer'),
};

const running = brokerForFile({
  capabilities: { sharedSubscriptionAvailable: false },
  hooks: [refuseRefused, allowAll({ logger: { warn: () => {} } })],
});

const connect = (prefix: string) => rawClient(running.port, 4, uniqueId(`c311b-3.9-${prefix}`));

/** A SUBSCRIBE body: packet id 1, then each filter with its requested-QoS byte. */
const subscribeBody = (...entries: (readonly [string, number])[]): number[] => [
  0,
  1,
  ...entries.flatMap(([filter, options]) => [...mqttString(filter), options]),
];

describe('MQTT 3.1.1 3.9 SUBACK return codes', () => {
  it('[MQTT-3.9.3-1] lists the return codes in the order of the filters', async () => {
    const raw = await connect('order');
    const suback = await subscribe(raw, [
      ['order/1', 1],
      ['order/2', 0],
      ['refused/3', 2],
      ['order/4', 2],
      ['order/5', 1],
    ]);
    expect(suback.reasonCodes).toEqual([1, 0, 0x80, 2, 1]);
    await leave(raw);
  });

  it('[MQTT-3.9.3-2] uses only the return codes 0x00, 0x01, 0x02 and 0x80, whatever the reason for a failure', async () => {
    const raw = await connect('allowed-codes');
    // Refused by a hook (0x87), an invalid filter (0x8F), shared subscriptions off (0x9E): MQTT 5 would tell them apart.
    raw.send(
      frame(0x82, subscribeBody(['refused/x', 1], ['bad/#/filter', 1], ['$share/group/x', 2], ['plain', 2])),
    );
    await raw.next('suback');
    expect(raw.received().subarray(connackLength)).toEqual(Buffer.from([0x90, 6, 0, 1, 0x80, 0x80, 0x80, 2]));
    await leave(raw);
  });
});
