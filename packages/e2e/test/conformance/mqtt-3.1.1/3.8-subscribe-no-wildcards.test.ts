// MQTT 3.1.1 section 3.8 on a broker configured without wildcard subscriptions.
import { describe, expect, it } from 'vitest';
import { brokerForFile } from '../support/file-broker.js';
import { leave, payloads, publishPacket, rawClient, subscribe, uniqueId } from '../support/raw-client.js';

const running = brokerForFile({ capabilities: { wildcardSubscriptionAvailable: false } });

describe('MQTT 3.1.1 3.8 SUBSCRIBE without wildcard support', () => {
  it('[MQTT-3.8.3-2] rejects every filter with a wildcard and accepts the plain ones', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.8-nowild'));
    const suback = await subscribe(raw, [
      ['nowild/#', 1],
      ['nowild/+/a', 1],
      ['#', 0],
      ['nowild/a', 1],
    ]);
    expect(suback.reasonCodes).toEqual([0x80, 0x80, 0x80, 1]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-3.8-nowild-publisher'));
    publisher.send(publishPacket('nowild/b', 'b'));
    publisher.send(publishPacket('nowild/x/a', 'x'));
    publisher.send(publishPacket('nowild/a', 'a'));
    // Only the plain filter subscribed: the messages routed before it are not delivered.
    await raw.next('publish');
    expect(payloads(raw)).toEqual(['a']);
    await leave(raw);
    await leave(publisher);
  });
});
