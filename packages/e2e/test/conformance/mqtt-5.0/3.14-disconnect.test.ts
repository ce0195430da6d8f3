// MQTT 5.0 section 3.14, DISCONNECT: when the broker may send it, its flags, reason codes and
// properties, and what happens around it (nothing sent after it, the close, the will).
import { describe, expect, it } from 'vitest';
import { allowAll } from '@mqttkit/auth';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Disconnect } from '@mqttkit/codec';
import type { Hook } from '@mqttkit/contracts';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';
import { startBroker } from '../../support/start-broker.js';
import { brokerForFile } from '../support/file-broker.js';
import {
  closedWith,
  fence,
  leave,
  publishes,
  publishPacket,
  rawClient,
  subscribe,
  subscription,
  rawClients,
} from '../support/raw-client.js';

/** The DISCONNECT reason codes of the standard (3.14.2.1). */
const disconnectReasonCodes = [
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
  0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];

/** Client ids starting with this are refused at CONNECT with 0x87. */
const refusedPrefix = 'c50b-3.14-refused';

const refuseHook: Hook = {
  name: 'c50b-refuse',
  authenticate: ({ client }) =>
    client.clientId.startsWith(refusedPrefix) ? { deny: ReasonCode.NotAuthorized } : 'defer',
};

const running = brokerForFile({
  hooks: [refuseHook, allowAll({ logger: { warn: () => {} } })],
  capabilities: { topicAliasMaximum: 2 },
});
let clients = 0;
const connect = rawClients(running, 5, 'c50b-3.14');

const disconnects = (raw: RawConnection): Disconnect[] =>
  raw.packets.filter((packet): packet is Disconnect => packet.type === 'disconnect');

describe('3.14.0 DISCONNECT before CONNACK', () => {
  it('[MQTT-3.14.0-1] refuses a CONNECT with a CONNACK failure code and no DISCONNECT', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket(`${refusedPrefix}-1`, 5));
    await raw.closed;
    expect(raw.received()).toEqual(
      Buffer.from(
        encode({ type: 'connack', sessionPresent: false, reasonCode: ReasonCode.NotAuthorized }, 5),
      ),
    );
  });

  it('[MQTT-3.14.0-1] closes a connection whose first packet is not CONNECT without sending DISCONNECT', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(frame(0x30, [...mqttString('c50b/early'), 0, 0x78]));
    await raw.closed;
    expect(raw.received()).toEqual(Buffer.alloc(0));
  });

  it('[MQTT-3.14.0-1] closes a connection with a malformed CONNECT without sending DISCONNECT', async () => {
    const raw = await openRawConnection(running.port, 5);
    const connect = Buffer.from(encode(connectPacket('c50b-3.14-malformed', 5), 5));
    // Set the reserved bit of the Connect Flags.
    connect[9] = connect[9]! | 0x01;
    raw.send(connect);
    await raw.closed;
    expect(disconnects(raw)).toEqual([]);
    expect(raw.packets.every((packet) => packet.type === 'connack' && packet.reasonCode >= 0x80)).toBe(true);
  });
});

describe('3.14.1 DISCONNECT fixed header', () => {
  it('[MQTT-3.14.1-1] answers a DISCONNECT with reserved flag bits set with DISCONNECT 0x81', async () => {
    for (const flags of [0x1, 0x2, 0x4, 0x8]) {
      const raw = await connect();
      raw.send(frame(0xe0 | flags, [0x00, 0x00]));
      await closedWith(raw, ReasonCode.MalformedPacket);
    }
  });
});

describe('3.14.2 DISCONNECT variable header', () => {
  it('[MQTT-3.14.2-1] [MQTT-3.14.2-2] sends DISCONNECT with defined reason codes and never a Session Expiry Interval', async () => {
    const sent: Disconnect[] = [];
    const persistent = { properties: { sessionExpiryInterval: 30 } };
    // Session taken over: 0x8E.
    const clientId = `c50b-3.14-taken-${++clients}`;
    const taken = await rawClient(running.port, 5, clientId, persistent);
    const taker = await rawClient(running.port, 5, clientId, persistent);
    await closedWith(taken, ReasonCode.SessionTakenOver);
    sent.push(...disconnects(taken));
    await leave(taker);
    // Protocol Error: a second CONNECT.
    const again = await connect(persistent);
    again.send(connectPacket('c50b-3.14-again', 5));
    await closedWith(again, ReasonCode.ProtocolError);
    sent.push(...disconnects(again));
    // Malformed Packet: a PUBLISH with QoS 3.
    const malformed = await connect(persistent);
    malformed.send(frame(0x36, [...mqttString('c50b/qos3'), 0, 1, 0, 0x78]));
    await closedWith(malformed, ReasonCode.MalformedPacket);
    sent.push(...disconnects(malformed));
    // Topic Alias invalid: an alias above the maximum of 2.
    const alias = await connect(persistent);
    alias.send(publishPacket('c50b/alias', 'x', { properties: { topicAlias: 3 } }));
    await closedWith(alias, ReasonCode.TopicAliasInvalid);
    sent.push(...disconnects(alias));
    // Server shutting down: 0x8B.
    const stopping = await startBroker();
    const stopped = await rawClient(stopping.port, 5, 'c50b-3.14-stopped', persistent);
    await stopping.stop();
    await closedWith(stopped, ReasonCode.ServerShuttingDown);
    sent.push(...disconnects(stopped));
    expect(sent.map((packet) => packet.reasonCode)).toEqual([0x8e, 0x82, 0x81, 0x94, 0x8b]);
    for (const packet of sent) {
      expect(disconnectReasonCodes).toContain(packet.reasonCode ?? 0);
      expect(packet.properties?.sessionExpiryInterval).toBeUndefined();
    }
  });

  it('[MQTT-3.14.2-1] answers a DISCONNECT with a reason code DISCONNECT does not define with DISCONNECT 0x82', async () => {
    // The packet parses; a value the protocol does not allow is a Protocol Error (MQTT 5.0 1.2).
    const raw = await connect();
    raw.send(frame(0xe0, [0x05, 0x00]));
    await closedWith(raw, ReasonCode.ProtocolError);
  });

  it('[MQTT-3.14.2-3] [MQTT-3.14.2-4] sends DISCONNECT to a client with a small Maximum Packet Size whole, without Reason String or User Properties', async () => {
    // Room for the CONNACK (nothing larger is ever sent) and a bare DISCONNECT, none for a Reason String.
    const maximumPacketSize = 16;
    const clientId = `c50b-3.14-small-${++clients}`;
    const raw = await rawClient(running.port, 5, clientId, { properties: { maximumPacketSize } });
    const taker = await rawClient(running.port, 5, clientId);
    await closedWith(raw, ReasonCode.SessionTakenOver);
    const [disconnect] = disconnects(raw);
    expect(disconnect!.properties).toBeUndefined();
    expect(encode(disconnect!, 5).length).toBeLessThanOrEqual(maximumPacketSize);
    await leave(taker);
  });
});

describe('3.14.4 DISCONNECT actions', () => {
  it('[MQTT-3.14.4-1] [MQTT-3.14.4-2] sends nothing after its DISCONNECT, messages for the client included, and closes the connection itself', async () => {
    const raw = await connect();
    await subscribe(raw, [subscription('c50b/after/#', 0)]);
    const publisher = await connect();
    for (let index = 0; index < 20; index += 1) publisher.send(publishPacket(`c50b/after/${index}`, 'x'));
    // A QoS 3 PUBLISH: the broker answers DISCONNECT 0x81 while messages keep coming.
    raw.send(frame(0x36, [...mqttString('c50b/qos3'), 0, 1, 0, 0x78]));
    for (let index = 20; index < 40; index += 1) publisher.send(publishPacket(`c50b/after/${index}`, 'x'));
    await fence(publisher);
    // The client never ends its side: `closed` resolves because the broker closed the connection.
    const packets = await closedWith(raw, ReasonCode.MalformedPacket);
    expect(packets.at(-1)?.type).toBe('disconnect');
    expect(packets.filter((packet) => packet.type === 'disconnect')).toHaveLength(1);
    await leave(publisher);
  });

  it('[MQTT-3.14.4-2] closes the connection after a client’s DISCONNECT even when the client leaves its side open, sending nothing back', async () => {
    const raw = await connect();
    const before = raw.received().length;
    raw.send({ type: 'disconnect', reasonCode: ReasonCode.NormalDisconnection });
    await raw.closed;
    expect(raw.received().length).toBe(before);
  });

  it('[MQTT-3.14.4-3] does not publish the will of a client that sends DISCONNECT 0x00, but does for 0x04', async () => {
    const watcher = await connect();
    await subscribe(watcher, [subscription('c50b/will/#', 0)]);
    const will = (topic: string) => ({ topic, payload: Buffer.from('gone'), qos: 0 as const, retain: false });
    const normal = await connect({ will: will('c50b/will/normal') });
    normal.socket.end(encode({ type: 'disconnect', reasonCode: ReasonCode.NormalDisconnection }, 5));
    await normal.closed;
    const withWill = await connect({ will: will('c50b/will/asked') });
    withWill.socket.end(encode({ type: 'disconnect', reasonCode: ReasonCode.DisconnectWithWillMessage }, 5));
    await withWill.closed;
    await watcher.next('publish');
    await fence(watcher);
    expect(publishes(watcher).map((packet) => packet.topic)).toEqual(['c50b/will/asked']);
    await leave(watcher);
  });
});
