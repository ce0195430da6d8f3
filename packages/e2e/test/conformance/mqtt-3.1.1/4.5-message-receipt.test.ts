// MQTT 3.1.1 section 4.5, message receipt: a message the broker owns goes to the session of every
// client with a matching subscription, connected or not.
import { describe, expect, it } from 'vitest';
import { brokerForFile } from '../support/file-broker.js';
import { leave, publishPacket, rawClient, subscribe, uniqueId } from '../support/raw-client.js';

const running = brokerForFile();

describe('MQTT 3.1.1 4.5 message receipt', () => {
  it('[MQTT-4.5.0-1] adds a message it acknowledged to the session of every client with a matching subscription', async () => {
    const online = await rawClient(running.port, 4, uniqueId('c311b-4.5-online'));
    await subscribe(online, [['receipt45/+', 1]]);
    const offlineId = uniqueId('c311b-4.5-offline');
    const offline = await rawClient(running.port, 4, offlineId, { clean: false });
    await subscribe(offline, [['receipt45/#', 2]]);
    await leave(offline);
    const other = await rawClient(running.port, 4, uniqueId('c311b-4.5-other'));
    await subscribe(other, [['receipt45/a/#', 0]]);
    const publisher = await rawClient(running.port, 4, uniqueId('c311b-4.5-publisher'));
    publisher.send(publishPacket('receipt45/a', 'owned', { qos: 1, packetId: 1 }));
    await publisher.next('puback');
    const live = await online.next('publish');
    expect([live.topic, live.qos]).toEqual(['receipt45/a', 1]);
    const back = await rawClient(running.port, 4, offlineId, { clean: false });
    const stored = await back.next('publish');
    expect([stored.topic, stored.qos, Buffer.from(stored.payload).toString()]).toEqual([
      'receipt45/a',
      1,
      'owned',
    ]);
    expect((await other.next('publish')).topic).toBe('receipt45/a');
    online.send({ type: 'puback', packetId: live.packetId! });
    back.send({ type: 'puback', packetId: stored.packetId! });
    for (const raw of [online, back, other, publisher]) await leave(raw);
  });
});
