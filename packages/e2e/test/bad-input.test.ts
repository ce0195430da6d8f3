// Bad input over a raw socket: each case closes only the offending connection, MQTT 5 clients get
// DISCONNECT with the reason code the spec asks for (checked byte for byte), and a client connected
// alongside keeps receiving every message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mqtt from 'mqtt';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { ProtocolVersion } from '@mqttkit/codec';
import { inbox } from './support/inbox.js';
import type { Inbox } from './support/inbox.js';
import { connectPacket, frame, mqttString, openRawConnection } from './support/raw-connection.js';
import { startBroker } from './support/start-broker.js';
import type { RunningBroker } from './support/start-broker.js';

const maximumPacketSize = 1024;

let running: RunningBroker;
let bystander: mqtt.MqttClient;
let heard: Inbox;
let sent = 0;
const bystanderEvents: string[] = [];

beforeAll(async () => {
  running = await startBroker({
    capabilities: { maximumPacketSize, connectTimeout: 300, topicAliasMaximum: 2 },
  });
  bystander = await running.client({ protocolVersion: 5, clientId: 'bystander' });
  bystander.on('close', () => bystanderEvents.push('close'));
  bystander.on('disconnect', () => bystanderEvents.push('disconnect'));
  heard = inbox(bystander);
  await bystander.subscribeAsync('heartbeat', { qos: 1 });
});

afterAll(async () => {
  // Every heartbeat arrived, in order, on the one connection.
  expect(heard.messages.map((message) => message.payload)).toEqual(
    Array.from({ length: sent }, (_, index) => String(index)),
  );
  expect(bystanderEvents).toEqual([]);
  await running.stop();
  expect(running.errors).toEqual([]);
});

/** The bystander publishes to itself; resolves once the message came back. */
async function heartbeat(): Promise<void> {
  const payload = String(sent++);
  await bystander.publishAsync('heartbeat', payload, { qos: 1 });
  await expect.poll(() => heard.messages.at(-1)?.payload).toBe(payload);
}

interface Misbehaviour {
  readonly protocolVersion: ProtocolVersion;
  /** Send a CONNECT first and wait for its CONNACK. Default true. */
  readonly connect?: boolean;
  readonly bytes: readonly Uint8Array[];
}

/**
 * Opens a raw connection, sends the bytes while a heartbeat is in flight, waits until the broker
 * closes the connection and resolves with what the broker sent after the CONNACK.
 */
async function misbehave({ protocolVersion, connect = true, bytes }: Misbehaviour): Promise<Buffer> {
  const raw = await openRawConnection(running.port, protocolVersion);
  let connackLength = 0;
  if (connect) {
    raw.send(connectPacket(`bad-${protocolVersion}-${sent}`, protocolVersion));
    const connack = await raw.next('connack');
    expect(connack.reasonCode).toBe(0);
    connackLength = encode(connack, protocolVersion).length;
  }
  const beat = heartbeat();
  for (const chunk of bytes) raw.send(chunk);
  await raw.closed;
  await beat;
  await heartbeat();
  return raw.received().subarray(connackLength);
}

/** DISCONNECT with a reason code and no properties, as the broker writes it. */
const disconnectBytes = (reasonCode: number): Buffer =>
  Buffer.from(encode({ type: 'disconnect', reasonCode }, 5));

// PUBLISH QoS 0 on topic "t" with an empty property list (MQTT 5) or none (3.1.1).
const publishBody = (protocolVersion: ProtocolVersion, topic: number[]): number[] =>
  protocolVersion === 5 ? [...topic, 0] : topic;

const versions = [
  [4, '3.1.1'],
  [5, '5.0'],
] as const;

describe('bad input', () => {
  for (const [protocolVersion, label] of versions) {
    const expectClose = (received: Buffer, reasonCode: number): void => {
      // 3.1.1 has no DISCONNECT from the server: the connection just closes.
      expect(received).toEqual(protocolVersion === 5 ? disconnectBytes(reasonCode) : Buffer.alloc(0));
    };

    it(`[MQTT-4.13.1-1] closes on a packet whose fields run past its remaining length (MQTT ${label})`, async () => {
      // PUBLISH with remaining length 3 whose topic claims 10 bytes.
      const received = await misbehave({ protocolVersion, bytes: [frame(0x30, [0, 10, 0x61])] });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-1.5.3-1] [MQTT-1.5.4-1] closes on ill-formed UTF-8 in a topic name (MQTT ${label})`, async () => {
      const topic = mqttString(Buffer.from([0x61, 0xff, 0xfe, 0x62]));
      const received = await misbehave({
        protocolVersion,
        bytes: [frame(0x30, [...publishBody(protocolVersion, topic), 0x78])],
      });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-1.5.3-2] [MQTT-1.5.4-2] closes on U+0000 in a topic filter (MQTT ${label})`, async () => {
      const body =
        protocolVersion === 5
          ? [0, 1, 0, ...mqttString('a\u0000b'), 1]
          : [0, 1, ...mqttString('a\u0000b'), 1];
      const received = await misbehave({ protocolVersion, bytes: [frame(0x82, body)] });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-2.2.2-2] [MQTT-3.8.1-1] closes on a SUBSCRIBE with reserved flag bits 0000 instead of 0010 (MQTT ${label})`, async () => {
      const body = protocolVersion === 5 ? [0, 1, 0, ...mqttString('a'), 1] : [0, 1, ...mqttString('a'), 1];
      const received = await misbehave({ protocolVersion, bytes: [frame(0x80, body)] });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-3.6.1-1] closes on a PUBREL with reserved flag bits 0000 (MQTT ${label})`, async () => {
      const received = await misbehave({ protocolVersion, bytes: [frame(0x60, [0, 1])] });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-3.3.1-4] closes on a PUBLISH with both QoS bits set (MQTT ${label})`, async () => {
      const received = await misbehave({
        protocolVersion,
        bytes: [frame(0x36, [...publishBody(protocolVersion, mqttString('t')), 0x78])],
      });
      expectClose(received, ReasonCode.MalformedPacket);
    });

    it(`[MQTT-3.2.2-15] closes on a remaining length over the maximum packet size before the body arrives (MQTT ${label})`, async () => {
      // Only the fixed header of a 2,000-byte PUBLISH: the broker must not wait for the body.
      const header = frame(0x30, new Uint8Array(2000)).subarray(0, 3);
      const received = await misbehave({ protocolVersion, bytes: [header] });
      expectClose(received, ReasonCode.PacketTooLarge);
    });

    it(`[MQTT-3.1.0-2] closes on a second CONNECT (MQTT ${label})`, async () => {
      const received = await misbehave({
        protocolVersion,
        bytes: [encode(connectPacket('again', protocolVersion), protocolVersion)],
      });
      expectClose(received, ReasonCode.ProtocolError);
    });

    it(`[MQTT-3.3.2-2] closes on a PUBLISH topic name with a wildcard (MQTT ${label})`, async () => {
      const received = await misbehave({
        protocolVersion,
        bytes: [frame(0x30, [...publishBody(protocolVersion, mqttString('a/+')), 0x78])],
      });
      // It parses, but the protocol forbids it: a Protocol Error (0x90 is for names a server declines by policy).
      expectClose(received, ReasonCode.ProtocolError);
    });

    it(`[MQTT-3.1.0-1] [MQTT-3.1.4-1] closes without a byte when the first packet is a PUBLISH (MQTT ${label})`, async () => {
      const received = await misbehave({
        protocolVersion,
        connect: false,
        bytes: [frame(0x30, [...publishBody(protocolVersion, mqttString('early')), 0x78])],
      });
      expect(received).toEqual(Buffer.alloc(0));
    });
  }

  it('[MQTT-3.1.2-3] closes without accepting a CONNECT whose reserved flag bit is set', async () => {
    const connect = Buffer.from(encode(connectPacket('reserved', 5), 5));
    connect[9] = connect[9]! | 0x01;
    const received = await misbehave({ protocolVersion: 5, connect: false, bytes: [connect] });
    // Closing at once is allowed, and so is a CONNACK 0x81 first; an accepting CONNACK is not.
    expect([
      Buffer.alloc(0),
      Buffer.from(
        encode({ type: 'connack', sessionPresent: false, reasonCode: ReasonCode.MalformedPacket }, 5),
      ),
    ]).toContainEqual(received);
  });

  it('[MQTT-3.14.1-1] answers a DISCONNECT with reserved flag bits set with DISCONNECT 0x81', async () => {
    const received = await misbehave({ protocolVersion: 5, bytes: [frame(0xe1, [])] });
    expect(received).toEqual(disconnectBytes(ReasonCode.MalformedPacket));
  });

  it('[MQTT-3.2.2-17] answers a Topic Alias above the announced maximum with DISCONNECT 0x94', async () => {
    // PUBLISH "t" with properties: Topic Alias (0x23) = 3, above the maximum of 2.
    const received = await misbehave({
      protocolVersion: 5,
      bytes: [frame(0x30, [...mqttString('t'), 3, 0x23, 0, 3, 0x78])],
    });
    expect(received).toEqual(disconnectBytes(ReasonCode.TopicAliasInvalid));
  });

  it('[MQTT-3.3.2-8] answers Topic Alias 0 with DISCONNECT 0x82', async () => {
    // 0x94 is defined for an alias above the maximum; alias 0 is a plain Protocol Error.
    const received = await misbehave({
      protocolVersion: 5,
      bytes: [frame(0x30, [...mqttString('t'), 3, 0x23, 0, 0, 0x78])],
    });
    expect(received).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });

  it('answers a DISCONNECT that sets a Session Expiry Interval after CONNECT had none with DISCONNECT 0x82', async () => {
    // DISCONNECT 0x00 with Session Expiry Interval (0x11) = 10.
    const received = await misbehave({
      protocolVersion: 5,
      bytes: [frame(0xe0, [0x00, 5, 0x11, 0, 0, 0, 10])],
    });
    expect(received).toEqual(disconnectBytes(ReasonCode.ProtocolError));
  });

  it('announces the maximum packet size in CONNACK', async () => {
    const raw = await openRawConnection(running.port, 5);
    raw.send(connectPacket('announce', 5));
    const connack = await raw.next('connack');
    expect(connack.properties).toMatchObject({ maximumPacketSize, topicAliasMaximum: 2 });
    raw.socket.end(encode({ type: 'disconnect', reasonCode: 0 }, 5));
    await raw.closed;
  });

  for (const [protocolVersion, label] of versions) {
    it(`closes a connection that sends nothing within the connect timeout (MQTT ${label} listener)`, async () => {
      const raw = await openRawConnection(running.port, protocolVersion);
      const opened = Date.now();
      const beat = heartbeat();
      await raw.closed;
      await beat;
      expect(Date.now() - opened).toBeGreaterThanOrEqual(250);
      expect(raw.received()).toEqual(Buffer.alloc(0));
      await heartbeat();
    });

    it(`closes a connection that stops half way through a CONNECT once the connect timeout passes (MQTT ${label})`, async () => {
      const connect = encode(connectPacket('half', protocolVersion), protocolVersion);
      const received = await misbehave({ protocolVersion, connect: false, bytes: [connect.subarray(0, 6)] });
      expect(received).toEqual(Buffer.alloc(0));
    });
  }
});
