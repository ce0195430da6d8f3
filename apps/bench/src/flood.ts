import type { Socket } from 'node:net';
import { encode } from '@mqttkit/codec';
import type { Publish } from '@mqttkit/codec';

const batchBytes = 64 * 1024;
const writesPerTurn = 16;

/** `packet` encoded once and repeated to fill about 64 KB: the unit a flooding publisher writes. */
export function publishBatch(packet: Publish): Buffer {
  const one = encode(packet, 4);
  const copies = Math.max(1, Math.floor(batchBytes / one.length));
  const batch = Buffer.allocUnsafe(copies * one.length);
  for (let copy = 0; copy < copies; copy += 1) batch.set(one, copy * one.length);
  return batch;
}

/**
 * Writes the same batch as fast as the socket drains it, until `running()` turns false. Yields to
 * the event loop every few writes so the other clients in this process are served too.
 */
export function flood(socket: Socket, batch: Buffer, running: () => boolean): void {
  const pump = (): void => {
    for (let write = 0; write < writesPerTurn; write += 1) {
      if (!running() || socket.destroyed) return;
      if (!socket.write(batch)) {
        socket.once('drain', pump);
        return;
      }
    }
    setImmediate(pump);
  };
  pump();
}
