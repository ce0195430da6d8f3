// MQTT 5.0 section 4.6: every topic is an Ordered Topic for non-shared subscriptions, so each
// publisher's messages reach a subscriber in the order they were sent, per topic and QoS.
import { describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import type { QoS } from '@mqttkit/codec';
import { inbox } from '../../support/inbox.js';
import { brokerForFile } from '../support/file-broker.js';
import { leave, publishes, publishPacket, rawClient, subscribe } from '../support/raw-client.js';

const running = brokerForFile();

describe('4.6 message ordering', () => {
  it('[MQTT-4.6.0-5] forwards one publisher’s messages on one topic and QoS in the order they arrived', async () => {
    const subscribers = await Promise.all([
      running.client({ protocolVersion: 5 }),
      running.client({ protocolVersion: 4 }),
    ]);
    const inboxes = subscribers.map(inbox);
    for (const subscriber of subscribers) await subscriber.subscribeAsync('ordered/topic', { qos: 2 });
    const raw = await rawClient(running.port, 5, 'ordered-publisher');
    const count = 60;
    // All pipelined in one write.
    raw.send(
      Buffer.concat(
        Array.from({ length: count }, (_, index) =>
          encode(publishPacket('ordered/topic', String(index), { qos: 1, packetId: index + 1 }), 5),
        ),
      ),
    );
    const expected = Array.from({ length: count }, (_, index) => String(index));
    for (const received of inboxes) {
      expect((await received.next(count)).map((message) => message.payload)).toEqual(expected);
    }
    await leave(raw);
  });

  it('[MQTT-4.6.0-6] treats every topic as ordered for non-shared subscriptions: each topic and QoS keeps its order when a wildcard mixes them', async () => {
    const reader = await rawClient(running.port, 5, 'ordered-reader');
    await subscribe(reader, [['mixed/#', 2]]);
    const raw = await rawClient(running.port, 5, 'mixed-publisher');
    const sent: [string, QoS, string][] = [];
    let packetId = 0;
    for (let index = 0; index < 30; index += 1) {
      const qos = (index % 3) as QoS;
      const topic = `mixed/${index % 2 === 0 ? 'even' : 'odd'}`;
      sent.push([topic, qos, String(index)]);
      raw.send(publishPacket(topic, String(index), { qos, ...(qos === 0 ? {} : { packetId: ++packetId }) }));
    }
    await reader.next('publish', sent.length - 1);
    const key = (topic: string, qos: number): string => `${topic}@${qos}`;
    const streams = (entries: [string, number, string][]): Map<string, string[]> => {
      const byStream = new Map<string, string[]>();
      for (const [topic, qos, payload] of entries) {
        byStream.set(key(topic, qos), [...(byStream.get(key(topic, qos)) ?? []), payload]);
      }
      return byStream;
    };
    const received = publishes(reader).map((packet): [string, number, string] => [
      packet.topic,
      packet.qos,
      Buffer.from(packet.payload).toString(),
    ]);
    expect(streams(received)).toEqual(streams(sent));
    await leave(raw);
    await leave(reader);
  });
});
