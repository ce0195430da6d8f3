// Child process: Node's latency floor for the latency scenario. It answers CONNECT and SUBSCRIBE
// and writes every PUBLISH frame, unparsed, to every socket that subscribed: framing only, no MQTT
// decoding, no routing, no session. It serves no other scenario.
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { serveNetServer } from './serve-child.js';

const connack = Buffer.from([0x20, 0x02, 0x00, 0x00]);
const sockets = new Set<Socket>();
const subscribers = new Set<Socket>();

interface Frame {
  readonly type: number;
  readonly start: number;
  readonly bodyStart: number;
  readonly end: number;
}

/** Splits `bytes` into MQTT frames; returns where the first incomplete frame starts. */
function frames(bytes: Buffer, onFrame: (frame: Frame) => void): number {
  let offset = 0;
  while (offset < bytes.length) {
    let length = 0;
    let multiplier = 1;
    let index = offset + 1;
    let complete = false;
    while (index < bytes.length && index < offset + 5) {
      const byte = bytes[index]!;
      index += 1;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) {
        complete = true;
        break;
      }
    }
    if (!complete || index + length > bytes.length) break;
    onFrame({ type: bytes[offset]! >> 4, start: offset, bodyStart: index, end: index + length });
    offset = index + length;
  }
  return offset;
}

const server = createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  let pending: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    const bytes = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    // Runs of consecutive PUBLISH frames go out as one slice of the chunk, as they came in.
    let runStart = -1;
    let runEnd = -1;
    const forward = (): void => {
      if (runStart === -1) return;
      const run = bytes.subarray(runStart, runEnd);
      for (const subscriber of subscribers) subscriber.write(run);
      runStart = -1;
    };
    const used = frames(bytes, ({ type, start, bodyStart, end }) => {
      if (type === 3) {
        if (runStart === -1) runStart = start;
        runEnd = end;
        return;
      }
      forward();
      if (type === 1) socket.write(connack);
      else if (type === 8) {
        subscribers.add(socket);
        socket.write(Buffer.from([0x90, 0x03, bytes[bodyStart]!, bytes[bodyStart + 1]!, 0x00]));
      }
    });
    forward();
    pending = used < bytes.length ? Buffer.from(bytes.subarray(used)) : undefined;
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    sockets.delete(socket);
    subscribers.delete(socket);
  });
});
await serveNetServer(server, sockets);
