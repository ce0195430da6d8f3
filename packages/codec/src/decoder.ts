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

// Decoding is synchronous and never re-enters, so every decoder shares one reader; it lets go of
// the packet's bytes as soon as the packet is decoded, so an idle connection holds no read buffer.
const reader = new PacketReader();
const noBytes = new Uint8Array(0);

class StreamDecoder implements Decoder {
  /**
   * The chunk being read, from `offset`; undefined when nothing is buffered. Chunks pushed behind
   * it (a packet split across reads) wait in `rest` from `restIndex`; most connections never need
   * that array, and an idle one holds no bytes at all.
   */
  private head: Uint8Array | undefined;
  private offset = 0;
  private rest: Uint8Array[] | undefined;
  private restIndex = 0;
  private buffered = 0;
  private version: ProtocolVersion | undefined;
  private readonly maximumPacketSize: number;
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
    if (this.head === undefined) this.head = chunk;
    else (this.rest ??= []).push(chunk);
    this.buffered += chunk.length;
  }

  next(): Packet | undefined {
    if (this.failure !== undefined) throw this.closed();
    if (this.buffered < 2) return undefined;
    try {
      return this.read();
    } catch (error) {
      reader.reset(noBytes, 0, 0);
      this.failure = MqttError.isInstance(error)
        ? error
        : new MalformedPacketError('the decoder failed on this input', { cause: error });
      this.head = undefined;
      this.rest = undefined;
      this.restIndex = 0;
      this.offset = 0;
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
    let chunk = this.head!;
    let position = this.offset + distance;
    let index = this.restIndex;
    while (position >= chunk.length) {
      position -= chunk.length;
      chunk = this.rest![index]!;
      index += 1;
    }
    return chunk[position]!;
  }

  private read(): Packet | undefined {
    const chunk = this.head!;
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
    if (offset + total <= chunk.length) {
      reader.reset(chunk, offset + headerLength, offset + total);
      this.consume(total);
    } else {
      this.consume(headerLength);
      reader.reset(this.take(remainingLength), 0, remainingLength);
    }
    reader.protocolVersion = this.version ?? 4;
    const packet = decodePacket(reader, firstByte);
    reader.reset(noBytes, 0, 0);
    if (this.version === undefined && packet.type === 'connect') this.version = packet.protocolVersion;
    return packet;
  }

  /** Moves the read position `length` bytes on, letting go of every chunk read to its end. */
  private consume(length: number): void {
    this.buffered -= length;
    let offset = this.offset + length;
    let head = this.head!;
    while (offset >= head.length) {
      offset -= head.length;
      const rest = this.rest;
      if (rest === undefined) {
        this.head = undefined;
        this.offset = 0;
        return;
      }
      head = rest[this.restIndex]!;
      this.restIndex += 1;
      if (this.restIndex === rest.length) {
        this.rest = undefined;
        this.restIndex = 0;
      } else if (this.restIndex >= 64) {
        // Packets larger than the reads may keep `rest` from ever emptying: drop what was read.
        rest.splice(0, this.restIndex);
        this.restIndex = 0;
      }
    }
    this.head = head;
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
      const chunk = this.head!;
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
