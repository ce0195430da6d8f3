// MQTT 3.1.1 sections 3.1.3.1 and 3.1.4: which Client Identifiers the broker accepts, the ids it
// assigns, CONNACK 0x02 for the ones it rejects, and nothing processed after a rejected CONNECT.
import { describe, expect, it } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { allowEveryone } from '../support/hooks.js';
import {
  connackRefused,
  fence,
  leave,
  publishPacket,
  rawClient,
  sendUntilClosed,
  subscribe,
  subscription,
} from '../support/raw-client.js';

/** Client ids the hook saw for CONNECTs that carried an empty one. */
const assigned: string[] = [];
const gate: Hook = {
  name: 'c311a-client-id-gate',
  authenticate({ client, connect }) {
    if (connect.clientId === '') assigned.push(client.clientId);
    if (client.clientId.startsWith('reject-async-')) {
      // Decided a turn later, while the packets sent behind the CONNECT wait.
      return new Promise((resolve) =>
        setImmediate(() => resolve({ deny: ReasonCode.ClientIdentifierNotValid })),
      );
    }
    return client.clientId.startsWith('reject-') ? { deny: ReasonCode.ClientIdentifierNotValid } : 'defer';
  },
};

const running = brokerForFile({ hooks: [gate, allowEveryone()] });

const identifierRejected = connackRefused(0x02);

describe('MQTT 3.1.1 section 3.1 client identifier', () => {
  it('[MQTT-3.1.3-5] accepts ClientIds of 1 to 23 bytes made of 0-9, a-z and A-Z', async () => {
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const ids = [alphabet.slice(0, 23), alphabet.slice(23, 46), alphabet.slice(46), 'Z'];
    expect(ids.map((id) => id.length)).toEqual([23, 23, 16, 1]);
    for (const clientId of ids) {
      const raw = await rawClient(running.port, 4, clientId);
      await leave(raw);
    }
  });

  it('[MQTT-3.1.3-6] assigns each client with an empty ClientId a unique id and serves it as if that id had been sent', async () => {
    const first = await rawClient(running.port, 4, '');
    const second = await rawClient(running.port, 4, '');
    expect(assigned).toHaveLength(2);
    expect(assigned[0]).not.toBe('');
    expect(assigned[0]).not.toBe(assigned[1]);
    // No takeover between them: both connections work.
    await subscribe(first, [['assigned/first', 0]], { packetId: 1 });
    await subscribe(second, [['assigned/second', 0]], { packetId: 1 });
    first.send(publishPacket('assigned/second', 'to second'));
    second.send(publishPacket('assigned/first', 'to first'));
    expect(Buffer.from((await first.next('publish')).payload).toString()).toBe('to first');
    expect(Buffer.from((await second.next('publish')).payload).toString()).toBe('to second');
    await Promise.all([leave(first), leave(second)]);
  });

  it('[MQTT-3.1.3-7] [MQTT-3.1.3-8] answers an empty ClientId with CleanSession 0 with CONNACK 0x02 and closes the connection', async () => {
    const received = await sendUntilClosed(running.port, [
      encode({ ...connectPacket('', 4), clean: false }, 4),
    ]);
    expect(received).toEqual(identifierRejected);
  });

  it('[MQTT-3.1.3-9] answers a ClientId the server rejects with CONNACK 0x02 and closes the connection', async () => {
    const received = await sendUntilClosed(running.port, [encode(connectPacket('reject-me', 4), 4)]);
    expect(received).toEqual(identifierRejected);
  });

  it('[MQTT-3.1.4-5] processes nothing a client sent after a CONNECT it rejected by ClientId', async () => {
    const received = await sendUntilClosed(running.port, [
      encode(connectPacket('reject-then-publish', 4), 4),
      encode(publishPacket('after-reject/hook', 'must not be kept', { retain: true }), 4),
      encode({ type: 'subscribe', packetId: 1, subscriptions: [subscription('after-reject/#', 0)] }, 4),
      encode({ type: 'pingreq' }, 4),
    ]);
    // No SUBACK, no PINGRESP.
    expect(received).toEqual(identifierRejected);
    const reader = await rawClient(running.port, 4, 'after-reject-reader');
    await subscribe(reader, [['after-reject/#', 0]], { packetId: 1 });
    await fence(reader);
    expect(reader.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(reader);
  });

  it('[MQTT-3.1.4-5] processes nothing a client sent after a CONNECT that an asynchronous hook rejected', async () => {
    const received = await sendUntilClosed(running.port, [
      encode(connectPacket('reject-async-then-publish', 4), 4),
      encode(
        publishPacket('after-reject/async', 'must not be kept', { qos: 1, packetId: 1, retain: true }),
        4,
      ),
      encode({ type: 'pingreq' }, 4),
    ]);
    // No PUBACK, no PINGRESP.
    expect(received).toEqual(identifierRejected);
    const reader = await rawClient(running.port, 4, 'after-async-reader');
    await subscribe(reader, [['after-reject/#', 0]], { packetId: 1 });
    await fence(reader);
    expect(reader.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(reader);
  });

  it('[MQTT-3.1.4-5] processes nothing a client sent after a CONNECT refused for an empty ClientId with CleanSession 0', async () => {
    const received = await sendUntilClosed(running.port, [
      encode({ ...connectPacket('', 4), clean: false }, 4),
      encode(publishPacket('after-reject/screen', 'must not be kept', { retain: true }), 4),
      encode({ type: 'pingreq' }, 4),
    ]);
    expect(received).toEqual(identifierRejected);
    const reader = await rawClient(running.port, 4, 'after-screen-reader');
    await subscribe(reader, [['after-reject/#', 0]], { packetId: 1 });
    await fence(reader);
    expect(reader.packets.filter((packet) => packet.type === 'publish')).toEqual([]);
    await leave(reader);
  });
});
