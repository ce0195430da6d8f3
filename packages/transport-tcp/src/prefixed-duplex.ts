import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * A socket with bytes put back in front of it. TLS wraps a plain socket's native handle and would
 * never see bytes already read into JavaScript (those after a PROXY header), so in that case it
 * wraps this stream instead.
 */
export class PrefixedDuplex extends Duplex {
  private prefix: Buffer | undefined;

  constructor(
    private readonly socket: Socket,
    prefix: Buffer,
  ) {
    super();
    this.prefix = prefix;
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
    socket.pause();
  }

  override _read(): void {
    if (this.prefix) {
      const prefix = this.prefix;
      this.prefix = undefined;
      this.push(prefix);
    }
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy(error ?? undefined);
    callback(error);
  }
}
