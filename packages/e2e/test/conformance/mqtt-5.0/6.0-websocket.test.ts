// MQTT 5.0 section 6: MQTT over WebSocket. A hand-written WebSocket client checks the subprotocol
// the listener selects, packets cut across frames either way, and the refusal of text frames.
import { beforeAll, describe, expect, it } from 'vitest';
import { encode } from '@mqttkit/codec';
import { connectPacket } from '../../support/raw-connection.js';
import { brokerForFile } from '../support/file-broker.js';
import { Opcode, openRawWebSocket } from '../support/websocket-client.js';
import type { RawWebSocket } from '../support/websocket-client.js';

const running = brokerForFile({ transports: ['ws'] });
let port: number;
beforeAll(async () => {
  port = Number(new URL(running.urls.ws!).port);
});

/** A WebSocket offering `mqtt` that has sent CONNECT in one binary frame and got CONNACK 0x00. */
async function connected(clientId: string): Promise<RawWebSocket> {
  const webSocket = await openRawWebSocket(port, { protocols: ['mqtt'] });
  webSocket.sendFrame(Opcode.binary, encode(connectPacket(clientId, 5), 5));
  expect((await webSocket.next('connack')).reasonCode).toBe(0);
  return webSocket;
}

/** Sends DISCONNECT, then the WebSocket close frame (1000), and waits for the close. */
async function close(webSocket: RawWebSocket): Promise<void> {
  webSocket.sendFrame(Opcode.binary, encode({ type: 'disconnect', reasonCode: 0 }, 5));
  webSocket.sendFrame(Opcode.close, Buffer.from([0x03, 0xe8]));
  await webSocket.closed;
}

describe('6 MQTT over WebSocket', () => {
  it('[MQTT-6.0.0-4] selects and returns the subprotocol mqtt, whatever else the client offers first', async () => {
    for (const offered of [['mqtt'], ['chat', 'mqtt'], ['mqttv3.1', 'mqtt']]) {
      const webSocket = await openRawWebSocket(port, { protocols: offered });
      expect([webSocket.status, webSocket.headers['sec-websocket-protocol']]).toEqual([101, 'mqtt']);
      webSocket.socket.destroy();
      await webSocket.closed;
    }
  });

  it('[MQTT-6.0.0-1] carries MQTT in binary frames, and closes the connection on a text frame', async () => {
    const webSocket = await connected('ws-text');
    webSocket.sendFrame(
      Opcode.binary,
      encode(
        {
          type: 'subscribe',
          packetId: 1,
          subscriptions: [
            { topicFilter: 'ws/text', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
          ],
        },
        5,
      ),
    );
    await webSocket.next('suback');
    expect(webSocket.frames.every((frame) => frame.opcode === Opcode.binary)).toBe(true);
    // A well-formed PUBLISH whose bytes are all ASCII, so valid UTF-8 text: it must not be taken.
    const publish = encode(
      { type: 'publish', topic: 'ws/text', payload: Buffer.from('hi'), qos: 0, retain: false, dup: false },
      5,
    );
    expect(publish.every((byte) => byte < 0x80)).toBe(true);
    webSocket.sendFrame(Opcode.text, publish);
    webSocket.sendFrame(Opcode.binary, encode({ type: 'pingreq' }, 5));
    await webSocket.closed;
    expect(webSocket.packets.map((packet) => packet.type)).toEqual(['connack', 'suback']);
  });

  it('[MQTT-6.0.0-2] reads packets cut across frames, several in one frame and split over continuation frames', async () => {
    const webSocket = await openRawWebSocket(port, { protocols: ['mqtt'] });
    const connect = encode(connectPacket('ws-split', 5), 5);
    // CONNECT cut into three frames of one fragmented message, the cut inside the fixed header.
    webSocket.sendFrame(Opcode.binary, connect.subarray(0, 1), false);
    webSocket.sendFrame(Opcode.continuation, connect.subarray(1, 5), false);
    webSocket.sendFrame(Opcode.continuation, connect.subarray(5), true);
    await webSocket.next('connack');
    const subscribe = encode(
      {
        type: 'subscribe',
        packetId: 1,
        subscriptions: [
          { topicFilter: 'ws/split', qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        ],
      },
      5,
    );
    const publish = encode(
      {
        type: 'publish',
        topic: 'ws/split',
        payload: Buffer.from('x'.repeat(300)),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 2,
      },
      5,
    );
    // SUBSCRIBE, PINGREQ and half a PUBLISH in one message; the other half in the next.
    webSocket.sendFrame(
      Opcode.binary,
      Buffer.concat([subscribe, encode({ type: 'pingreq' }, 5), publish.subarray(0, 150)]),
    );
    webSocket.sendFrame(Opcode.binary, publish.subarray(150));
    const echoed = await webSocket.next('publish');
    expect([echoed.topic, Buffer.from(echoed.payload).toString()]).toEqual(['ws/split', 'x'.repeat(300)]);
    expect(webSocket.packets.map((packet) => packet.type)).toEqual(
      expect.arrayContaining(['connack', 'suback', 'pingresp', 'puback', 'publish']),
    );
    await close(webSocket);
  });
});
