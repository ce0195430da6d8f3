// A plain TCP socket speaking MQTT byte by byte: for input no real client would send, and for
// checking the exact bytes the broker answers with.
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { createDecoder, encode } from '@mqttkit/codec';
import type { Connect, Packet, ProtocolVersion } from '@mqttkit/codec';

export interface RawConnection {
  readonly socket: Socket;
  /** The protocol version packets are encoded and decoded with. */
  readonly protocolVersion: ProtocolVersion;
  /** Every byte the broker sent, in order. */
  readonly received: () => Buffer;
  /** The packets decoded from `received`. */
  readonly packets: Packet[];
  /** Writes bytes as they are, or a packet encoded for the connection's version. */
  send(data: Uint8Array | Packet): void;
  /** Resolves with the packet of `type` number `index` (from 0) the broker sent, waiting for it. */
  next<T extends Packet['type']>(type: T, index?: number): Promise<Extract<Packet, { type: T }>>;
  /** Resolves once the broker closed the socket. */
  readonly closed: Promise<void>;
}

export async function openRawConnection(
  port: number,
  protocolVersion: ProtocolVersion,
): Promise<RawConnection> {
  const socket = connectTcp({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  const packets: Packet[] = [];
  const decoder = createDecoder({ protocolVersion });
  // The broker resets sockets it gives up on; that is a close like any other here.
  socket.on('error', () => {});
  // Not `once(socket, 'close')`, which rejects when a reset ('error') comes before the close.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waiter = packetWaiter(packets, closed);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    decoder.push(chunk);
    for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) packets.push(packet);
    waiter.arrived();
  });
  return {
    socket,
    protocolVersion,
    received: () => Buffer.concat(chunks),
    packets,
    send(data) {
      socket.write(data instanceof Uint8Array ? data : encode(data, protocolVersion));
    },
    next: waiter.next,
    closed,
  };
}

export interface PacketWaiter {
  /** Resolves with the packet of `type` number `index` (from 0) in `packets`, waiting for it. */
  next<T extends Packet['type']>(type: T, index?: number): Promise<Extract<Packet, { type: T }>>;
  /** To be called after packets were appended. */
  arrived(): void;
}

/** Waits for packets appended to `packets`; a wait rejects once `closed` resolves without its packet. */
export function packetWaiter(packets: readonly Packet[], closed: Promise<void>): PacketWaiter {
  const waiters = new Set<() => boolean>();
  return {
    next<T extends Packet['type']>(type: T, index = 0): Promise<Extract<Packet, { type: T }>> {
      const find = (): Extract<Packet, { type: T }> | undefined =>
        packets.filter((packet): packet is Extract<Packet, { type: T }> => packet.type === type)[index];
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        void closed.then(() => reject(new Error(`connection closed before a ${type} arrived`)));
        waiters.add(() => {
          const packet = find();
          if (packet) resolve(packet);
          return packet !== undefined;
        });
      });
    },
    arrived() {
      for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
    },
  };
}

/** CONNECT with clean start, the given client id and keep alive 0 (or `keepAlive`). */
export function connectPacket(clientId: string, protocolVersion: ProtocolVersion, keepAlive = 0): Connect {
  return { type: 'connect', protocolVersion, clientId, clean: true, keepAlive };
}

/** Frames a packet by hand: the first byte, the remaining length, then the body. */
export function frame(firstByte: number, body: readonly number[] | Uint8Array): Buffer {
  const length: number[] = [];
  let remaining = body.length;
  do {
    let byte = remaining % 128;
    remaining = Math.floor(remaining / 128);
    if (remaining > 0) byte |= 0x80;
    length.push(byte);
  } while (remaining > 0);
  return Buffer.concat([Buffer.from([firstByte, ...length]), Buffer.from(body)]);
}

/** A UTF-8 string as MQTT writes it: two length bytes, then the bytes. */
export function mqttString(value: string | Uint8Array): number[] {
  const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(value);
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}
