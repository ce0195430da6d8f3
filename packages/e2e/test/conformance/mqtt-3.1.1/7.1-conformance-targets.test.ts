// MQTT 3.1.1 section 7, conformance: a standard client needs nothing outside the specification,
// and the broker serves at least one ordered, lossless, bidirectional byte-stream transport.
import { describe, expect, it } from 'vitest';
import { inbox } from '../../support/inbox.js';
import type { TransportName } from '../../support/start-broker.js';
import { brokerForFile } from '../support/file-broker.js';

const running = brokerForFile({ transports: ['tls'] });

/** Publishes 200 QoS 1 messages of growing size to itself and checks they came back unchanged, in order. */
async function streamInOrder(transport: TransportName): Promise<void> {
  const client = await running.client({ protocolVersion: 4, transport });
  const received = inbox(client);
  await client.subscribeAsync(`conform71/${transport}`, { qos: 1 });
  const sent = Array.from({ length: 200 }, (_, index) => `${index}:${'x'.repeat(index * 7)}`);
  await Promise.all(
    sent.map((payload) => client.publishAsync(`conform71/${transport}`, payload, { qos: 1 })),
  );
  await received.next(sent.length);
  expect(received.messages.map((message) => message.payload)).toEqual(sent);
  await client.endAsync();
}

describe('MQTT 3.1.1 7 conformance targets', () => {
  it('[MQTT-7.0.0-2] serves an unmodified MQTT.js 3.1.1 client at every QoS with no extension', async () => {
    const client = await running.client({ protocolVersion: 4, clean: true });
    const received = inbox(client);
    await client.subscribeAsync('conform70/#', { qos: 2 });
    await client.publishAsync('conform70/0', 'zero', { qos: 0 });
    await client.publishAsync('conform70/1', 'one', { qos: 1 });
    await client.publishAsync('conform70/2', 'two', { qos: 2 });
    await received.next(3);
    expect(received.messages.map(({ topic, payload, packet }) => [topic, payload, packet.qos])).toEqual([
      ['conform70/0', 'zero', 0],
      ['conform70/1', 'one', 1],
      ['conform70/2', 'two', 2],
    ]);
    await client.endAsync();
  });

  it('[MQTT-7.1.1-1] carries 200 messages in order and intact over a TCP byte stream', async () => {
    await streamInOrder('tcp');
  });

  it('[MQTT-7.1.1-1] carries 200 messages in order and intact over a TLS byte stream', async () => {
    await streamInOrder('tls');
  });
});
