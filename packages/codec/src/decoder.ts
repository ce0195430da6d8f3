import { allocateBytes } from './allocate-bytes.js';
import { decodePacket } from './decode-packet.js';
import { invalidArgument } from './invalid-argument.js';
import { MalformedPacketError, MqttError, PacketTooLargeError, ProtocolError } from './mqtt-error.js';
import { PacketReader } from './packet-reader.js';
import type { Packet, ProtocolVersion } from './packet.js';
import { maximumVariableByteInteger } from './variable-byte-integer.js';

/** The largest packet MQTT can express: a 5-byte fixed header and the largest remaining length. */
export const maximumPacketSizeLimit = maximumVariableByteInteger + 5;

/** Options of `createDecoder`. */
export interface DecoderOptions {
  /** The version of the packets to decode; when absent it is learnt from the first CONNECT. */
  readonly protocolVersion?: ProtocolVersion;
  /** The largest whole packet accepted, in bytes; larger ones fail before their body is buffered. */
  readonly maximumPacketSize?: number;
}

/** An incremental decoder of one connection's byte stream. */
export interface Decoder {
  /** Appends bytes. The decoder keeps a reference and copies only packets split across chunks. */
  push(chunk: Uint8Array): void;
  /**
   * The next whole packet, or undefined when more bytes are needed. Throws an `MqttError` on bad
   * input; from then on every `push` and `next` throws an `MQTT_DECODER_CLOSED` error whose
   * `cause` is the first error.
   */
  next(): Packet | undefined;
  /** The protocol version in use: given, or learnt from the first CONNECT. */
  readonly protocolVersion: ProtocolVersion | undefined;
  /** Bytes pushed but not yet returned as packets. */
  readonly bufferedBytes: number;
}

class StreamDecoder implements Decoder {
  private readonly chunks: Uint8Array[] = [];
  private index = 0;
  private offset = 0;
  private buffered = 0;
  private version: ProtocolVersion | undefined;
  private readonly maximumPacketSize: number;
  private readonly reader = new PacketReader();
  private failure: MqttError | undefined;

  constructor(options: DecoderOptions) {
    this.version = options.protocolVersion;
    this.maximumPacketSize = options.maximumPacketSize ?? maximumPacketSizeLimit;
  }

  get protocolVersion(): ProtocolVersion | undefined {
    return this.version;
  }

  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) throw this.closed();
    if (!(chunk instanceof Uint8Array)) throw invalidArgument('push() takes a Uint8Array');
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  next(): Packet | undefined {
    if (this.failure !== undefined) throw this.closed();
    if (this.buffered < 2) return undefined;
    try {
      return this.read();
    } catch (error) {
      this.failure = MqttError.isInstance(error)
        ? error
        : new MalformedPacketError('the decoder failed on this input', { cause: error });
      this.chunks.length = 0;
      this.buffered = 0;
      throw this.failure;
    }
  }

  private closed(): MqttError {
    const failure = this.failure!;
    return new MqttError('the decoder is closed after an earlier error', {
      code: 'MQTT_DECODER_CLOSED',
      reasonCode: failure.reasonCode,
      cause: failure,
    });
  }

  /** The byte `distance` bytes past the read position, or -1 when it has not arrived yet. */
  private peek(distance: number): number {
    if (distance >= this.buffered) return -1;
    let index = this.index;
    let position = this.offset + distance;
    let chunk = this.chunks[index]!;
    while (position >= chunk.length) {
      position -= chunk.length;
      index += 1;
      chunk = this.chunks[index]!;
    }
    return chunk[position]!;
  }

  private read(): Packet | undefined {
    const chunk = this.chunks[this.index]!;
    const offset = this.offset;
    const firstByte = chunk[offset]!;
    if (this.version === undefined && firstByte >> 4 !== 1) {
      throw new ProtocolError('the first packet must be CONNECT', { statement: 'MQTT-3.1.0-1' });
    }
    let remainingLength = 0;
    let multiplier = 1;
    let headerLength = 1;
    for (;;) {
      const byte =
        offset + headerLength < chunk.length ? chunk[offset + headerLength]! : this.peek(headerLength);
      if (byte === -1) return undefined;
      if (byte === 0 && headerLength > 1) {
        throw new MalformedPacketError('remaining length not in its shortest form', {
          ...(this.version === 5 ? { statement: 'MQTT-1.5.5-1' } : {}),
        });
      }
      remainingLength += (byte & 0x7f) * multiplier;
      headerLength += 1;
      if (byte < 0x80) break;
      if (headerLength === 5) throw new MalformedPacketError('remaining length is longer than 4 bytes');
      multiplier *= 128;
    }
    const total = headerLength + remainingLength;
    if (total > this.maximumPacketSize) {
      throw new PacketTooLargeError(
        `packet of ${total} bytes exceeds the maximum of ${this.maximumPacketSize}`,
      );
    }
    if (total > this.buffered) return undefined;
    const reader = this.reader;
    if (offset + total <= chunk.length) {
      reader.reset(chunk, offset + headerLength, offset + total);
      this.consume(total);
    } else {
      this.consume(headerLength);
      reader.reset(this.take(remainingLength), 0, remainingLength);
    }
    reader.protocolVersion = this.version ?? 4;
    const packet = decodePacket(reader, firstByte);
    if (this.version === undefined && packet.type === 'connect') this.version = packet.protocolVersion;
    return packet;
  }

  private consume(length: number): void {
    this.buffered -= length;
    let offset = this.offset + length;
    const chunks = this.chunks;
    let index = this.index;
    while (index < chunks.length && offset >= chunks[index]!.length) {
      offset -= chunks[index]!.length;
      index += 1;
    }
    if (index === chunks.length) {
      // pop() is much cheaper than `length = 0` for the usual single chunk.
      if (index === 1) chunks.pop();
      else chunks.length = 0;
      index = 0;
    } else if (index >= 64) {
      chunks.splice(0, index);
      index = 0;
    }
    this.index = index;
    this.offset = offset;
  }

  /**
   * Copies the next `length` bytes, spread over several chunks, into fresh memory that is never
   * reused, so views into it stay valid.
   */
  private take(length: number): Uint8Array {
    const body = allocateBytes(length);
    let written = 0;
    while (written < length) {
      const chunk = this.chunks[this.index]!;
      const offset = this.offset;
      const count = Math.min(chunk.length - offset, length - written);
      body.set(
        offset === 0 && count === chunk.length ? chunk : chunk.subarray(offset, offset + count),
        written,
      );
      written += count;
      this.consume(count);
    }
    return body;
  }
}

/** Creates an incremental decoder; see `Decoder`. */
export function createDecoder(options: DecoderOptions = {}): Decoder {
  const { protocolVersion, maximumPacketSize } = options;
  if (
    protocolVersion !== undefined &&
    protocolVersion !== 3 &&
    protocolVersion !== 4 &&
    protocolVersion !== 5
  ) {
    throw invalidArgument(`protocolVersion ${String(protocolVersion)} is not 3, 4 or 5`);
  }
  if (
    maximumPacketSize !== undefined &&
    (!Number.isInteger(maximumPacketSize) ||
      maximumPacketSize < 2 ||
      maximumPacketSize > maximumPacketSizeLimit)
  ) {
    throw invalidArgument(`maximumPacketSize must be an integer from 2 to ${maximumPacketSizeLimit}`);
  }
  return new StreamDecoder(options);
}
