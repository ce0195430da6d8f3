import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectionInfo, Transport } from '@mqttkit/contracts';

export const fixture = (name: string): Buffer => readFileSync(new URL(`fixtures/${name}`, import.meta.url));

const open = new Set<Duplex>();

/** Destroys every stream accepted by `listenEcho`, so `transport.close()` can finish after a failure. */
export function destroyAccepted(): void {
  for (const stream of open) stream.destroy();
  open.clear();
}

export interface Accepted {
  stream: Duplex;
  info: ConnectionInfo;
}

/** Listens and returns a queue of accepted connections; every accepted stream echoes what it reads. */
export async function listenEcho(
  transport: Transport,
): Promise<{ port: number; next: () => Promise<Accepted> }> {
  const waiting: ((accepted: Accepted) => void)[] = [];
  const ready: Accepted[] = [];
  const address = await transport.listen((stream, info) => {
    stream.on('data', (chunk: Buffer) => stream.write(chunk));
    stream.on('error', () => stream.destroy());
    open.add(stream);
    stream.on('close', () => open.delete(stream));
    const accepted = { stream, info };
    const resolve = waiting.shift();
    if (resolve) resolve(accepted);
    else ready.push(accepted);
  });
  return {
    port: address.port,
    next: () => {
      const accepted = ready.shift();
      return accepted ? Promise.resolve(accepted) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

export async function connectTcp(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host });
  await once(socket, 'connect');
  return socket;
}

/** Writes `data` and resolves with the first `expected` bytes echoed back (default: all of `data`). */
export async function roundTrip(stream: Duplex, data: Buffer, expected = data.length): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const done = new Promise<Buffer>((resolve) => {
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= expected) {
        stream.off('data', onData);
        resolve(Buffer.concat(chunks));
      }
    };
    stream.on('data', onData);
  });
  stream.write(data);
  return done;
}
