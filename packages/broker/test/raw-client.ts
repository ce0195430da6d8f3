import { once } from 'node:events';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createDecoder, encode } from '@mqttkit/codec';
import type { Packet, ProtocolVersion } from '@mqttkit/codec';

/** A client that speaks MQTT through the codec, to check the broker packet by packet. */
export interface RawClient {
  readonly socket: Socket;
  send(packet: Packet): void;
  /** The next packet from the broker. */
  next(): Promise<Packet>;
  /** Resolves when the broker closed the connection. */
  closed(): Promise<void>;
}

export async function rawClient(port: number, protocolVersion: ProtocolVersion): Promise<RawClient> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  const decoder = createDecoder({ protocolVersion });
  const queue: Packet[] = [];
  const waiting: ((packet: Packet) => void)[] = [];
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => {
    decoder.push(chunk);
    for (let packet = decoder.next(); packet !== undefined; packet = decoder.next()) {
      const resolve = waiting.shift();
      if (resolve) resolve(packet);
      else queue.push(packet);
    }
  });
  socket.on('error', () => {});
  return {
    socket,
    send: (packet) => socket.write(encode(packet, protocolVersion)),
    next: () =>
      queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve)),
    closed: () => ended,
  };
}
