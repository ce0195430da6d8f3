// MQTT 5.0 section 4.2: MQTT runs over an ordered, lossless, bidirectional byte stream (TCP here).
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { inbox } from '../../support/inbox.js';
import { brokerForFile } from '../support/file-broker.js';
import { leave, packetsOf, publishPacket, rawClient } from '../support/raw-client.js';

const running = brokerForFile();

describe('4.2 network connections', () => {
  it('[MQTT-4.2.0-1] serves MQTT over TCP as a byte stream: packets cut at any byte arrive whole and in order, both ways', async () => {
    const subscriber = await running.client({ protocolVersion: 5 });
    const heard = inbox(subscriber);
    await subscriber.subscribeAsync('stream/#', { qos: 1 });
    const raw = await rawClient(running.port, 5, 'streamer');
    const count = 50;
    const bytes = Buffer.concat(
      Array.from({ length: count }, (_, index) =>
        encode(publishPacket(`stream/${index}`, `stream/${index}`, { qos: 1, packetId: index + 1 }), 5),
      ),
    );
    // Chunks of 7 bytes cut through headers, topics and payloads alike.
    for (let offset = 0; offset < bytes.length; offset += 7) raw.send(bytes.subarray(offset, offset + 7));
    await raw.next('puback', count - 1);
    expect(packetsOf(raw, 'puback').map((packet) => packet.packetId)).toEqual(
      Array.from({ length: count }, (_, index) => index + 1),
    );
    expect((await heard.next(count)).map((message) => message.topic)).toEqual(
      Array.from({ length: count }, (_, index) => `stream/${index}`),
    );
    await leave(raw);
  });
});
