import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encode } from '@mqttkit/codec';
import type { Packet, QoS } from '@mqttkit/codec';
import { FrameReader } from './frame-reader.js';
import type { Frame } from './frame-reader.js';

/** Packet types by number (MQTT 2.1.2). */
export const PacketNumber = {
  connack: 2,
  publish: 3,
  puback: 4,
  suback: 9,
} as const;

/** The options of `connectLoadClient`. */
export interface LoadClientOptions {
  readonly port: number;
  readonly clientId: string;
  /** Seconds; the benchmark never pings, so keep it longer than a run. Default 600. */
  readonly keepAlive?: number;
  /** Packet types (a `FrameReader.types` mask) whose bodies `onPacket` needs. Default none. */
  readonly bodyTypes?: number;
  /** Called for every packet after the handshake packets (CONNACK, SUBACK) the client handles itself. */
  readonly onPacket?: (frame: Frame) => void;
}

/**
 * A bare MQTT 3.1.1 client over a raw socket for load generation: packets are encoded once by
 * `@mqttkit/codec`, and incoming bytes are only split into frames, never decoded.
 */
export class LoadClient {
  private waiting:
    { type: number; resolve: (frame: Frame) => void; reject: (error: Error) => void } | undefined;
  private closedError: Error | undefined;

  private readonly onPacket: ((frame: Frame) => void) | undefined;

  constructor(
    readonly socket: Socket,
    options: Pick<LoadClientOptions, 'bodyTypes' | 'onPacket'>,
  ) {
    this.onPacket = options.onPacket;
    const bodyTypes = (options.bodyTypes ?? 0) | FrameReader.types(PacketNumber.connack, PacketNumber.suback);
    const reader = new FrameReader(bodyTypes, (frame) => this.dispatch(frame));
    socket.on('data', (chunk: Buffer) => reader.push(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('connection closed by the broker')));
  }

  /** Sends one packet (handshake traffic; the load itself writes pre-encoded bytes to `socket`). */
  send(packet: Packet): void {
    this.socket.write(encode(packet, 4));
  }

  /** Subscribes and waits for the SUBACK; rejects when the broker refuses the subscription. */
  async subscribe(topicFilter: string, qos: QoS): Promise<void> {
    const suback = this.expect(PacketNumber.suback);
    this.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [{ topicFilter, qos, noLocal: false, retainAsPublished: false, retainHandling: 0 }],
    });
    const frame = await suback;
    const granted = frame.body![frame.bodyOffset + 2]!;
    if (granted >= 0x80)
      throw new Error(`subscription to ${topicFilter} refused (0x${granted.toString(16)})`);
  }

  /** Closes the socket without DISCONNECT, as a crashed client would; the benchmark is over. */
  close(): void {
    this.closedError = new Error('closed by the benchmark');
    this.socket.destroy();
  }

  expect(type: number): Promise<Frame> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiting = { type, resolve, reject };
    });
  }

  private dispatch(frame: Frame): void {
    const waiting = this.waiting;
    if (waiting !== undefined && frame.header >> 4 === waiting.type) {
      this.waiting = undefined;
      waiting.resolve(frame);
      return;
    }
    this.onPacket?.(frame);
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(this.closedError);
  }
}

/** Opens a socket, sends CONNECT (clean session) and waits for a successful CONNACK. */
export async function connectLoadClient(options: LoadClientOptions): Promise<LoadClient> {
  const socket = connect({ port: options.port, host: '127.0.0.1', noDelay: true });
  const client = new LoadClient(socket, options);
  const connack = client.expect(PacketNumber.connack);
  client.send({
    type: 'connect',
    protocolVersion: 4,
    clean: true,
    keepAlive: options.keepAlive ?? 600,
    clientId: options.clientId,
  });
  const frame = await connack;
  const returnCode = frame.body![frame.bodyOffset + 1]!;
  if (returnCode !== 0) {
    client.close();
    throw new Error(`${options.clientId}: CONNACK return code ${returnCode}`);
  }
  return client;
}
