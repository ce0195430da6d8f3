// A WebSocket client written by hand on a plain TCP socket (RFC 6455), frame by frame: it offers
// chosen subprotocols, sends frames of any opcode cut at any byte, and decodes the MQTT packets
// carried by the server's binary frames without assuming packets and frames line up.
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import type { Socket } from 'node:net';
import { createDecoder } from '@mqttkit/codec';
import type { Packet, ProtocolVersion } from '@mqttkit/codec';
import { packetWaiter } from '../../support/raw-connection.js';

export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

export interface ServerFrame {
  readonly opcode: number;
  readonly fin: boolean;
  readonly payload: Buffer;
}

export interface RawWebSocket {
  readonly socket: Socket;
  /** The status line and headers of the handshake response (header names in lower case). */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Frames the server sent, in order. */
  readonly frames: ServerFrame[];
  /** MQTT packets decoded from the server's binary (and continuation) frames. */
  readonly packets: Packet[];
  /** Sends one masked frame. */
  sendFrame(opcode: number, payload: Uint8Array, fin?: boolean): void;
  /** Resolves with the packet of `type` number `index` (from 0), waiting for it. */
  next<T extends Packet['type']>(type: T, index?: number): Promise<Extract<Packet, { type: T }>>;
  /** Resolves once the TCP connection closed. */
  readonly closed: Promise<void>;
}

function encodeFrame(opcode: number, payload: Uint8Array, fin: boolean): Buffer {
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0, 0x80 | length])
      : length < 65_536
        ? Buffer.from([0, 0x80 | 126, length >> 8, length & 0xff])
        : Buffer.concat([Buffer.from([0, 0x80 | 127]), Buffer.alloc(8)]);
  if (length >= 65_536) header.writeBigUInt64BE(BigInt(length), 2);
  header[0] = (fin ? 0x80 : 0) | opcode;
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  return Buffer.concat([header, mask, masked]);
}

export interface RawWebSocketOptions {
  /** Default `/mqtt`. */
  readonly path?: string;
  /** The subprotocols offered; none when empty. */
  readonly protocols: readonly string[];
  /** The MQTT version the server's packets are decoded with; default 5. */
  readonly protocolVersion?: ProtocolVersion;
}

/** Opens `ws://127.0.0.1:{port}{path}` and resolves after the handshake answer. */
export async function openRawWebSocket(port: number, options: RawWebSocketOptions): Promise<RawWebSocket> {
  const { path = '/mqtt', protocols, protocolVersion = 5 } = options;
  const socket = connectTcp({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  // Not `once(socket, 'close')`: that rejects on an 'error' (a reset) before the close.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  socket.write(
    [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      ...(protocols.length > 0 ? [`Sec-WebSocket-Protocol: ${protocols.join(', ')}`] : []),
      '',
      '',
    ].join('\r\n'),
  );
  let buffered = Buffer.alloc(0);
  const head = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const text = buffered.subarray(0, end).toString();
      buffered = buffered.subarray(end + 4);
      resolve(text);
    };
    socket.on('data', onData);
    void closed.then(() => reject(new Error('closed during the handshake')));
  });
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const frames: ServerFrame[] = [];
  const packets: Packet[] = [];
  const decoder = createDecoder({ protocolVersion });
  const waiter = packetWaiter(packets, closed);
  const onData = (chunk: Buffer): void => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (buffered.length < 2) break;
      let length = buffered[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffered.length < 4) break;
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffered.length < 10) break;
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffered.length < offset + length) break;
      const frame = {
        opcode: buffered[0]! & 0x0f,
        fin: (buffered[0]! & 0x80) !== 0,
        payload: Buffer.from(buffered.subarray(offset, offset + length)),
      };
      buffered = buffered.subarray(offset + length);
      frames.push(frame);
      // Answer a close frame as a browser would, so the server can close the TCP connection at once
      // (a server that already reset the connection makes the write fail: the socket just closes).
      if (frame.opcode === Opcode.close && socket.writable) {
        socket.end(encodeFrame(Opcode.close, frame.payload, true));
      }
      if (frame.opcode === Opcode.binary || frame.opcode === Opcode.continuation) {
        decoder.push(frame.payload);
        for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) packets.push(packet);
      }
    }
    waiter.arrived();
  };
  socket.on('data', onData);
  if (buffered.length > 0) {
    const rest = buffered;
    buffered = Buffer.alloc(0);
    onData(rest);
  }
  return {
    socket,
    status: Number(statusLine.split(' ')[1]),
    headers,
    frames,
    packets,
    sendFrame(opcode, payload, fin = true) {
      socket.write(encodeFrame(opcode, payload, fin));
    },
    next: waiter.next,
    closed,
  };
}
