// MQTT 3.1.1 section 6, MQTT over WebSocket: binary frames only, packets cut anywhere by frame
// boundaries, and the "mqtt" subprotocol; with a WebSocket client written by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { connectPacket } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { leave, payloads, publishPacket, rawClient, subscribe, uniqueId } from '../support/raw-client.js';
import { Opcode, openRawWebSocket } from '../support/websocket-client.js';
import type { RawWebSocket } from '../support/websocket-client.js';

const running = brokerForFile({ transports: ['ws'] });
let port: number;
beforeAll(async () => {
  port = Number(new URL(running.urls.ws!).port);
});

const connectBytes = (clientId: string): Uint8Array => encode(connectPacket(clientId, 4), 4);

async function connected(prefix: string): Promise<RawWebSocket> {
  const webSocket = await openRawWebSocket(port, { protocols: ['mqtt'], protocolVersion: 4 });
  webSocket.sendFrame(Opcode.binary, connectBytes(uniqueId(`c311b-6.0-${prefix}`)));
  expect((await webSocket.next('connack')).reasonCode).toBe(0);
  return webSocket;
}

describe('MQTT 3.1.1 6 WebSocket', () => {
  it('[MQTT-6.0.0-1] closes the connection on a PUBLISH sent in a text frame, without forwarding it', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-6.0-text-subscriber'));
    await subscribe(subscriber, [['ws60/text', 0]]);
    const webSocket = await connected('text');
    // Every byte of this PUBLISH is ASCII, so the frame is valid text: only its type is wrong.
    const publish = encode(
      {
        type: 'publish',
        topic: 'ws60/text',
        payload: Buffer.from('text'),
        qos: 0,
        retain: false,
        dup: false,
      },
      4,
    );
    webSocket.sendFrame(Opcode.text, publish);
    await webSocket.closed;
    expect(webSocket.packets.map((packet) => packet.type)).toEqual(['connack']);
    subscriber.send(publishPacket('ws60/text', 'marker'));
    await subscriber.next('publish');
    expect(payloads(subscriber)).toEqual(['marker']);
    await leave(subscriber);
  });

  it('[MQTT-6.0.0-1] closes the connection on a CONNECT sent in a text frame', async () => {
    const webSocket = await openRawWebSocket(port, { protocols: ['mqtt'], protocolVersion: 4 });
    webSocket.sendFrame(Opcode.text, connectBytes(uniqueId('c311b-6.0-text-connect')));
    await webSocket.closed;
    expect(webSocket.packets).toEqual([]);
  });

  it('[MQTT-6.0.0-1] sends its MQTT packets in binary frames', async () => {
    const webSocket = await connected('binary');
    webSocket.sendFrame(Opcode.binary, encode({ type: 'pingreq' }, 4));
    await webSocket.next('pingresp');
    expect(webSocket.frames.map((frame) => frame.opcode)).toEqual([Opcode.binary, Opcode.binary]);
    webSocket.sendFrame(Opcode.binary, encode({ type: 'disconnect' }, 4));
    await webSocket.closed;
  });

  it('[MQTT-6.0.0-2] reads packets cut across frames and several packets in one frame', async () => {
    const webSocket = await openRawWebSocket(port, { protocols: ['mqtt'], protocolVersion: 4 });
    const connect = connectBytes(uniqueId('c311b-6.0-split'));
    // The CONNECT in three frames, cut inside the fixed header and inside the client id.
    webSocket.sendFrame(Opcode.binary, connect.subarray(0, 1));
    webSocket.sendFrame(Opcode.binary, connect.subarray(1, connect.length - 3));
    webSocket.sendFrame(Opcode.binary, connect.subarray(connect.length - 3));
    await webSocket.next('connack');
    const subscribe = encode(
      {
        type: 'subscribe',
        packetId: 3,
        subscriptions: [
          { topicFilter: 'ws60/a', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      4,
    );
    const publish = encode(
      { type: 'publish', topic: 'ws60/a', payload: Buffer.from('split'), qos: 0, retain: false, dup: false },
      4,
    );
    const ping = encode({ type: 'pingreq' }, 4);
    // SUBSCRIBE and the start of a PUBLISH in one frame, the rest of it and a PINGREQ in a
    // fragmented message (a frame without FIN, then a continuation frame).
    const stream = Buffer.concat([subscribe, publish, ping]);
    const cut = subscribe.length + 4;
    webSocket.sendFrame(Opcode.binary, stream.subarray(0, cut));
    webSocket.sendFrame(Opcode.binary, stream.subarray(cut, cut + 2), false);
    webSocket.sendFrame(Opcode.continuation, stream.subarray(cut + 2));
    await webSocket.next('pingresp');
    expect(webSocket.packets.map((packet) => packet.type)).toEqual([
      'connack',
      'suback',
      'publish',
      'pingresp',
    ]);
    const delivered = webSocket.packets[2];
    expect(delivered?.type === 'publish' && Buffer.from(delivered.payload).toString()).toBe('split');
    webSocket.sendFrame(Opcode.binary, encode({ type: 'disconnect' }, 4));
    await webSocket.closed;
  });

  it('[MQTT-6.0.0-4] selects the subprotocol "mqtt" in the handshake', async () => {
    const only = await openRawWebSocket(port, { protocols: ['mqtt'], protocolVersion: 4 });
    expect([only.status, only.headers['sec-websocket-protocol']]).toEqual([101, 'mqtt']);
    only.socket.destroy();
    const among = await openRawWebSocket(port, { protocols: ['chat', 'mqtt', 'soap'], protocolVersion: 4 });
    expect([among.status, among.headers['sec-websocket-protocol']]).toEqual([101, 'mqtt']);
    among.socket.destroy();
  });

  it('[MQTT-6.0.0-4] serves MQTT to an MQTT.js client over WebSocket', async () => {
    const subscriber = await rawClient(running.port, 4, uniqueId('c311b-6.0-tcp-subscriber'));
    await subscribe(subscriber, [['ws60/js', 0]]);
    const client = await running.client({ protocolVersion: 4, transport: 'ws' });
    await client.publishAsync('ws60/js', 'over websocket', { qos: 1 });
    await subscriber.next('publish');
    expect(payloads(subscriber)).toEqual(['over websocket']);
    await client.endAsync();
    await leave(subscriber);
  });
});
