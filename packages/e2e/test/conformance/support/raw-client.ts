// Raw MQTT 3.1.1 and 5.0 clients for the conformance tests, on top of `openRawConnection`: connect,
// subscribe and unsubscribe with the answer awaited, a PINGREQ fence proving what did not arrive,
// hand-framed packets, and checks of the bytes a broker closes a connection with.
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { expect } from 'vitest';
import { encode, ReasonCode } from '@mqttkit/codec';
import type { Connack, Connect, Packet, ProtocolVersion, Publish, QoS, Subscription } from '@mqttkit/codec';
import { connectPacket, frame, mqttString, openRawConnection } from '../../support/raw-connection.js';
import type { RawConnection } from '../../support/raw-connection.js';

let clients = 0;

/** A client id unique within the test run. */
export function uniqueId(prefix: string): string {
  clients += 1;
  return `${prefix}-${clients}`;
}

/** CONNECT fields besides the version and client id; by default clean start and keep alive 0. */
export type ConnectOptions = Partial<Omit<Connect, 'type' | 'protocolVersion' | 'clientId'>>;

export interface ConnectedRaw {
  readonly raw: RawConnection;
  readonly connack: Connack;
}

/** Opens a raw connection, sends CONNECT and resolves with its CONNACK, whatever its reason code. */
export async function connectRaw(
  port: number,
  protocolVersion: ProtocolVersion,
  clientId: string,
  options: ConnectOptions = {},
): Promise<ConnectedRaw> {
  const raw = await openRawConnection(port, protocolVersion);
  raw.send({ ...connectPacket(clientId, protocolVersion), ...options });
  const connack = await raw.next('connack');
  return { raw, connack };
}

/** Opens a raw connection and resolves once the broker accepted its CONNECT. */
export async function rawClient(
  port: number,
  protocolVersion: ProtocolVersion,
  clientId: string,
  options: ConnectOptions = {},
): Promise<RawConnection> {
  const { raw, connack } = await connectRaw(port, protocolVersion, clientId, options);
  if (connack.reasonCode !== ReasonCode.Success) {
    throw new Error(`CONNACK 0x${connack.reasonCode.toString(16)} for ${clientId}`);
  }
  return raw;
}

/**
 * A function that connects raw clients of `protocolVersion` to the broker, with client ids made of
 * `prefix` and a number unique in the test run.
 */
export function rawClients(
  broker: { readonly port: number },
  protocolVersion: ProtocolVersion,
  prefix: string,
): (options?: ConnectOptions) => Promise<RawConnection> {
  return (options) => rawClient(broker.port, protocolVersion, uniqueId(prefix), options);
}

/** The Session Present flag of the connection's CONNACK. */
export function sessionPresent(raw: RawConnection): boolean {
  const connack = packetsOf(raw, 'connack')[0];
  if (connack === undefined) throw new Error('no CONNACK on this connection');
  return connack.sessionPresent;
}

/** Packets of one type the broker sent so far. */
export function packetsOf<T extends Packet['type']>(
  raw: RawConnection,
  type: T,
): Extract<Packet, { type: T }>[] {
  return raw.packets.filter((packet): packet is Extract<Packet, { type: T }> => packet.type === type);
}

/** The PUBLISH packets the broker sent on this connection so far. */
export function publishes(raw: RawConnection): Publish[] {
  return packetsOf(raw, 'publish');
}

/** The payloads of the PUBLISH packets received so far, as strings. */
export function payloads(raw: RawConnection): string[] {
  return publishes(raw).map((packet) => Buffer.from(packet.payload).toString());
}

const requested = new WeakMap<RawConnection, Map<string, number>>();

/**
 * Sends `packet` and resolves with the answer of type `answer` that belongs to it: the broker
 * answers a connection's requests in order, so the n-th request of a kind gets the n-th answer,
 * also when several are in flight on one connection.
 */
async function request<T extends Packet['type']>(
  raw: RawConnection,
  packet: Packet,
  answer: T,
): Promise<Extract<Packet, { type: T }>> {
  const counts = requested.get(raw) ?? new Map<string, number>();
  requested.set(raw, counts);
  const index = Math.max(counts.get(answer) ?? 0, packetsOf(raw, answer).length);
  counts.set(answer, index + 1);
  raw.send(packet);
  return raw.next(answer, index);
}

/**
 * PINGREQ, then waits for its PINGRESP: the broker handles a connection's packets in order, so
 * anything it was going to send in answer to earlier packets has been sent by then.
 */
export async function fence(raw: RawConnection): Promise<void> {
  await request(raw, { type: 'pingreq' }, 'pingresp');
}

export type SubscriptionOptions = Partial<Omit<Subscription, 'topicFilter' | 'qos'>>;

/** A subscription: No Local off, Retain As Published off, Retain Handling 0 unless given. */
export function subscription(topicFilter: string, qos: QoS, options: SubscriptionOptions = {}): Subscription {
  return { topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0, ...options };
}

/** A subscription, or `[topicFilter, qos]` for one with the default options. */
export type SubscriptionEntry = Subscription | readonly [topicFilter: string, qos: QoS];

let packetIds = 1000;

export interface RequestOptions {
  /** Default: a fresh packet id. */
  readonly packetId?: number;
}

/** Sends SUBSCRIBE and resolves with its SUBACK, checking that the SUBACK carries its packet id. */
export async function subscribe(
  raw: RawConnection,
  entries: readonly SubscriptionEntry[],
  options: RequestOptions & { readonly subscriptionIdentifier?: number } = {},
): Promise<Extract<Packet, { type: 'suback' }>> {
  const packetId = options.packetId ?? ++packetIds;
  const subscriptions = entries.map((entry) =>
    Array.isArray(entry) ? subscription(entry[0], entry[1]) : (entry as Subscription),
  );
  const suback = await request(
    raw,
    {
      type: 'subscribe',
      packetId,
      subscriptions,
      ...(options.subscriptionIdentifier === undefined
        ? {}
        : { properties: { subscriptionIdentifiers: [options.subscriptionIdentifier] } }),
    },
    'suback',
  );
  expect(suback.packetId).toBe(packetId);
  return suback;
}

/** Sends UNSUBSCRIBE and resolves with its UNSUBACK. */
export async function unsubscribe(
  raw: RawConnection,
  topicFilters: readonly string[],
  options: RequestOptions = {},
): Promise<Extract<Packet, { type: 'unsuback' }>> {
  const packetId = options.packetId ?? ++packetIds;
  return request(raw, { type: 'unsubscribe', packetId, topicFilters: [...topicFilters] }, 'unsuback');
}

export interface PublishOptions {
  readonly qos?: QoS;
  /** Default 1 when QoS is above 0. */
  readonly packetId?: number;
  readonly retain?: boolean;
  readonly dup?: boolean;
  readonly properties?: Publish['properties'];
}

/** A PUBLISH packet from the client. */
export function publishPacket(
  topic: string,
  payload: string | Uint8Array,
  options: PublishOptions = {},
): Publish {
  const qos = options.qos ?? 0;
  return {
    type: 'publish',
    topic,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: options.dup ?? false,
    ...(qos > 0 ? { packetId: options.packetId ?? 1 } : {}),
    ...(options.properties ? { properties: options.properties } : {}),
  };
}

/**
 * A PUBLISH framed by hand without properties, for topics the codec refuses to encode (wildcards,
 * U+0000): flags `(dup << 3) | (qos << 1) | retain` as given, a packet id when QoS is above 0.
 */
export function publishBytes(
  topic: string | Uint8Array,
  payload: string,
  options: PublishOptions = {},
): Buffer {
  const qos = options.qos ?? 0;
  const flags = (options.dup ? 8 : 0) | (qos << 1) | (options.retain ? 1 : 0);
  const packetId = options.packetId ?? 1;
  const id = qos > 0 ? [packetId >> 8, packetId & 0xff] : [];
  return frame(0x30 | flags, [...mqttString(topic), ...id, ...Buffer.from(payload)]);
}

/**
 * Publishes from `publisher` and waits until the broker handled it and wrote everything it routes
 * to `subscriber`: a fence on the publisher, then one on the subscriber.
 */
export async function publishTo(
  publisher: RawConnection,
  subscriber: RawConnection,
  packet: Publish,
): Promise<void> {
  publisher.send(packet);
  await fence(publisher);
  await fence(subscriber);
}

export interface Delivery {
  readonly subscriber: RawConnection;
  readonly publisher: RawConnection;
  /** The PUBLISH as the subscriber received it. */
  readonly delivered: Publish;
}

/**
 * Connects a subscriber to `topic` at `qos` and a publisher, which publishes `payload` at `qos`
 * (packet id 1); resolves once the subscriber received the message.
 */
export async function deliverOne(
  connect: () => Promise<RawConnection>,
  topic: string,
  qos: QoS,
  payload = 'x',
): Promise<Delivery> {
  const subscriber = await connect();
  await subscribe(subscriber, [[topic, qos]]);
  const publisher = await connect();
  publisher.send(publishPacket(topic, payload, { qos, packetId: 1 }));
  const delivered = await subscriber.next('publish');
  return { subscriber, publisher, delivered };
}

/** A packet identifier as its two bytes. */
export const packetIdBytes = (packetId: number): number[] => [packetId >> 8, packetId & 0xff];

/** Sends DISCONNECT (reason code 0x00 in MQTT 5) and waits for the close. */
export async function leave(raw: RawConnection): Promise<void> {
  raw.socket.end(
    encode({ type: 'disconnect', reasonCode: ReasonCode.NormalDisconnection }, raw.protocolVersion),
  );
  await raw.closed;
}

/** Closes the socket without DISCONNECT, as a network failure would (a will is due). */
export async function drop(raw: RawConnection): Promise<void> {
  raw.socket.destroy();
  await raw.closed;
}

/** MQTT 5 DISCONNECT with a reason code and no properties, as the broker writes it. */
export function disconnectBytes(reasonCode: number): Buffer {
  return Buffer.from(encode({ type: 'disconnect', reasonCode }, 5));
}

/**
 * Waits for the broker to close an MQTT 5 connection and checks that its last bytes are exactly a
 * DISCONNECT with `reasonCode` and no properties; resolves with every packet it sent.
 */
export async function closedWith(raw: RawConnection, reasonCode: number): Promise<Packet[]> {
  await raw.closed;
  const expected = disconnectBytes(reasonCode);
  const received = raw.received();
  if (!received.subarray(received.length - expected.length).equals(expected)) {
    throw new Error(
      `expected DISCONNECT 0x${reasonCode.toString(16)} as the last bytes, got ${received.toString('hex')} (${JSON.stringify(raw.packets.map((packet) => [packet.type, 'reasonCode' in packet ? packet.reasonCode : undefined]))})`,
    );
  }
  return raw.packets;
}

/** The length of a CONNACK as the broker writes it for 3.1.1. */
export const connackLength = encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 4).length;

/**
 * Waits until the broker closed the connection and resolves with what it sent after `skip` bytes
 * (the CONNACK): a 3.1.1 server closes without a word.
 */
export async function closedAfter(raw: RawConnection, skip: number): Promise<Buffer> {
  await raw.closed;
  return raw.received().subarray(skip);
}

/**
 * Connects a raw MQTT 3.1.1 client, sends `bytes`, waits until the broker closed the connection,
 * checks that it answered the CONNECT with exactly CONNACK 0x00 and resolves with what followed.
 */
export async function afterConnack(port: number, clientId: string, bytes: Uint8Array): Promise<Buffer> {
  const raw = await rawClient(port, 4, clientId);
  raw.send(bytes);
  await raw.closed;
  const received = raw.received();
  expect(received.subarray(0, connackAccepted.length)).toEqual(connackAccepted);
  return received.subarray(connackAccepted.length);
}

/**
 * Connects a raw MQTT 5 client, sends the bytes, waits until the broker closes the connection and
 * resolves with what the broker sent after the CONNACK.
 */
export async function misbehave(
  port: number,
  clientId: string,
  bytes: readonly Uint8Array[],
): Promise<Buffer> {
  const { raw, connack } = await connectRaw(port, 5, clientId);
  if (connack.reasonCode !== 0) throw new Error(`CONNECT of ${clientId} refused with ${connack.reasonCode}`);
  const length = encode(connack, 5).length;
  for (const chunk of bytes) raw.send(chunk);
  await raw.closed;
  return raw.received().subarray(length);
}

/**
 * Opens a plain socket, writes the bytes at once and resolves with everything the broker sent once
 * it closed the connection (the answer may be in a form no decoder of one version accepts).
 */
export async function sendUntilClosed(port: number, bytes: readonly Uint8Array[]): Promise<Buffer> {
  const socket = connectTcp({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  socket.write(Buffer.concat(bytes.map((chunk) => Buffer.from(chunk))));
  await closed;
  return Buffer.concat(chunks);
}

/** Splits a byte stream into whole MQTT packets (fixed header included); a trailing part is left out. */
export function splitFrames(bytes: Uint8Array): Buffer[] {
  const frames: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let cursor = offset + 1;
    for (;;) {
      if (cursor >= bytes.length) return frames;
      const byte = bytes[cursor++]!;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    if (cursor + length > bytes.length) return frames;
    frames.push(Buffer.from(bytes.subarray(offset, cursor + length)));
    offset = cursor + length;
  }
  return frames;
}

/** MQTT 3.1.1 CONNACK 0x00 with Session Present 0, byte for byte. */
export const connackAccepted = Buffer.from([0x20, 0x02, 0x00, 0x00]);
/** MQTT 3.1.1 CONNACK 0x00 with Session Present 1. */
export const connackResumed = Buffer.from([0x20, 0x02, 0x01, 0x00]);
/** MQTT 3.1.1 CONNACK with a return code and Session Present 0. */
export const connackRefused = (returnCode: number): Buffer => Buffer.from([0x20, 0x02, 0x00, returnCode]);

/** The CONNECT flag bits (MQTT 3.1.1 section 3.1.2.3, MQTT 5 section 3.1.2.3). */
export const ConnectFlag = {
  reserved: 0x01,
  cleanSession: 0x02,
  will: 0x04,
  willQoS1: 0x08,
  willQoS2: 0x10,
  willRetain: 0x20,
  password: 0x40,
  userName: 0x80,
} as const;

export interface ConnectBytesOptions {
  readonly flags: number;
  /** Payload fields in order, each already encoded (use `mqttString`). */
  readonly payload: readonly (readonly number[])[];
  readonly keepAlive?: number;
  readonly protocolName?: string;
  /** Default 4 (MQTT 3.1.1). */
  readonly protocolLevel?: number;
  /** MQTT 5 CONNECT properties, written after their one-byte length; none written when absent. */
  readonly properties?: readonly number[];
  readonly firstByte?: number;
}

/** A CONNECT built field by field, so that flags and payload may disagree. */
export function connectBytes(options: ConnectBytesOptions): Buffer {
  const keepAlive = options.keepAlive ?? 0;
  return frame(options.firstByte ?? 0x10, [
    ...mqttString(options.protocolName ?? 'MQTT'),
    options.protocolLevel ?? 4,
    options.flags,
    keepAlive >> 8,
    keepAlive & 0xff,
    ...(options.properties ? [options.properties.length, ...options.properties] : []),
    ...options.payload.flat(),
  ]);
}
