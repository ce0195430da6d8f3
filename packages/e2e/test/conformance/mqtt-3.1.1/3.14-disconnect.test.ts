// MQTT 3.1.1 section 3.14, DISCONNECT: reserved flags, nothing after it, and the will it discards.
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

const will = (topic: string) => ({ topic, payload: Buffer.from('will'), qos: 0, retain: false }) as const;

describe('MQTT 3.1.1 3.14 DISCONNECT', () => {
  it('[MQTT-3.14.1-1] treats a DISCONNECT with reserved flag bits set as malformed: it closes and publishes the will', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-3.14-flags-sub'));
    await subscribe(subscriber, [['flags14/#', 0]]);
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.14-flags'), {
      will: will('flags14/gone'),
    });
    raw.send(frame(0xe2, []));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
    // A well-formed DISCONNECT would have discarded the will.
    expect((await subscriber.next('publish')).topic).toBe('flags14/gone');
    await leave(subscriber);
  });

  it('[MQTT-3.14.4-1] closes the network connection itself once DISCONNECT arrived, even if the client keeps it open', async () => {
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.14-close'));
    // write, not end: the client's side stays open, so only the broker can close the socket.
    raw.send(encode({ type: 'disconnect' }, 4));
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.14.4-2] ignores packets that follow DISCONNECT on the same connection', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-3.14-after-sub'));
    await subscribe(subscriber, [['after14/#', 0]]);
    const raw = await rawClient(running.port, 4, uniqueId('c311b-3.14-after'));
    raw.send(
      Buffer.concat([
        encode({ type: 'disconnect' }, 4),
        encode(publishPacket('after14/late', 'late'), 4),
        encode({ type: 'pingreq' }, 4),
      ]),
    );
    expect(await closedAfter(raw, connackLength)).toEqual(Buffer.alloc(0));
    const marker = await rawClient(running.port, 4, uniqueId('c311b-3.14-after-marker'));
    marker.send(publishPacket('after14/marker', 'marker'));
    await subscriber.next('publish');
    expect(payloads(subscriber)).toEqual(['marker']);
    await leave(marker);
    await leave(subscriber);
  });

  it('[MQTT-3.14.4-3] discards the will of a client that disconnects with DISCONNECT', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-3.14-will-sub'));
    await subscribe(subscriber, [['will14/#', 0]]);
    const leaving = await rawClient(running.port, 4, uniqueId('c311b-3.14-will'), {
      will: will('will14/gone'),
    });
    await leave(leaving);
    // A will that survived the DISCONNECT would be published at the latest when the session ends,
    // which for a clean session is when the connection closes: before this marker is routed.
    const marker = await rawClient(running.port, 4, uniqueId('c311b-3.14-will-marker'));
    marker.send(publishPacket('will14/marker', 'marker'));
    await subscriber.next('publish');
    expect(payloads(subscriber)).toEqual(['marker']);
    await leave(marker);
    await leave(subscriber);
  });

  it('[MQTT-3.14.4-3] still publishes the will of a client whose connection drops without DISCONNECT', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-3.14-drop-sub'));
    await subscribe(subscriber, [['drop14/#', 0]]);
    const dropping = await rawClient(running.port, 4, uniqueId('c311b-3.14-drop'), {
      will: will('drop14/gone'),
    });
    dropping.socket.destroy();
    expect((await subscriber.next('publish')).topic).toBe('drop14/gone');
    await leave(subscriber);
  });
});
