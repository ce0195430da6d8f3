import { MalformedPacketError, ProtocolError } from './mqtt-error.js';
import type { ProtocolVersion } from './packet.js';
import { Utf8Problem, decodeAscii, decodeUtf8, findUtf8Problem } from './utf8-string.js';

const empty = new Uint8Array(0);

// Brokers see the same topic names over and over: a small direct-mapped cache of recent ASCII
// topics, verified byte by byte, saves building the string (and its garbage) on a hit.
const topicCacheSize = 256;
const topicCache: (string | undefined)[] = new Array<string | undefined>(topicCacheSize).fill(undefined);

function sameAscii(text: string, bytes: Uint8Array, start: number): boolean {
  const length = text.length;
  for (let index = 0; index < length; index++) {
    if (text.charCodeAt(index) !== bytes[start + index]) return false;
  }
  return true;
}

/**
 * A cursor over the body of one packet. Every read checks the packet's end and throws a
 * `MalformedPacketError` past it, so no input can make the decoder read out of bounds.
 * One instance is reused for every packet: decoding is synchronous and never re-enters.
 */
export class PacketReader {
  bytes: Uint8Array = empty;
  position = 0;
  end = 0;
  protocolVersion: ProtocolVersion = 4;

  reset(bytes: Uint8Array, start: number, end: number): void {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
  }

  /** The statement id of the version being read: `v3v4` for 3.1 and 3.1.1, `v5` for 5.0. */
  statement(v3v4: string | undefined, v5: string | undefined): string | undefined {
    return this.protocolVersion === 5 ? v5 : v3v4;
  }

  malformed(message: string, v3v4?: string, v5?: string): MalformedPacketError {
    const statement = this.statement(v3v4, v5);
    return new MalformedPacketError(message, statement === undefined ? undefined : { statement });
  }

  protocolError(message: string, v3v4?: string, v5?: string): ProtocolError {
    const statement = this.statement(v3v4, v5);
    return new ProtocolError(message, statement === undefined ? undefined : { statement });
  }

  get remaining(): number {
    return this.end - this.position;
  }

  byte(): number {
    if (this.position >= this.end) throw this.truncated();
    return this.bytes[this.position++]!;
  }

  uint16(): number {
    const position = this.position;
    if (position + 2 > this.end) throw this.truncated();
    this.position = position + 2;
    return (this.bytes[position]! << 8) | this.bytes[position + 1]!;
  }

  uint32(): number {
    const position = this.position;
    if (position + 4 > this.end) throw this.truncated();
    this.position = position + 4;
    const bytes = this.bytes;
    return (
      bytes[position]! * 0x1000000 +
      ((bytes[position + 1]! << 16) | (bytes[position + 2]! << 8) | bytes[position + 3]!)
    );
  }

  /** A non-zero Packet Identifier [MQTT-2.3.1-1] [MQTT-2.2.1-3]. */
  packetId(): number {
    const packetId = this.uint16();
    if (packetId === 0) throw this.protocolError('packet identifier 0', 'MQTT-2.3.1-1', 'MQTT-2.2.1-3');
    return packetId;
  }

  variableByteInteger(): number {
    let value = 0;
    let multiplier = 1;
    for (let count = 0; count < 4; count++) {
      const byte = this.byte();
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (byte === 0 && count > 0) {
          throw this.malformed('variable byte integer not in its shortest form', undefined, 'MQTT-1.5.5-1');
        }
        return value;
      }
      multiplier *= 128;
    }
    throw this.malformed('variable byte integer longer than 4 bytes');
  }

  /** A UTF-8 Encoded String [MQTT-1.5.3-1] [MQTT-1.5.3-2] [MQTT-1.5.4-1] [MQTT-1.5.4-2]. */
  string(): string {
    const length = this.uint16();
    const start = this.position;
    const end = start + length;
    if (end > this.end) throw this.truncated();
    this.position = end;
    const bytes = this.bytes;
    let index = start;
    while (index < end) {
      const byte = bytes[index]!;
      if (byte === 0 || byte >= 0x80) break;
      index += 1;
    }
    if (index === end) return decodeAscii(bytes, start, end);
    const problem = findUtf8Problem(bytes, index, end);
    if (problem === Utf8Problem.nullCharacter) {
      throw this.malformed('string contains U+0000', 'MQTT-1.5.3-2', 'MQTT-1.5.4-2');
    }
    if (problem === Utf8Problem.illFormed) {
      throw this.malformed('string is not well-formed UTF-8', 'MQTT-1.5.3-1', 'MQTT-1.5.4-1');
    }
    return decodeUtf8(bytes, start, end);
  }

  /** A PUBLISH Topic Name: a string without wildcards [MQTT-3.3.2-2], checked during the same scan. */
  topicName(): string {
    const length = this.uint16();
    const start = this.position;
    const end = start + length;
    if (end > this.end) throw this.truncated();
    const bytes = this.bytes;
    let index = start;
    let hash = length;
    while (index < end) {
      const byte = bytes[index]!;
      if (byte === 0x23 || byte === 0x2b) throw this.wildcard();
      if (byte === 0 || byte >= 0x80) break;
      hash = (Math.imul(hash, 31) + byte) | 0;
      index += 1;
    }
    if (index === end) {
      this.position = end;
      const slot = hash & (topicCacheSize - 1);
      const cached = topicCache[slot];
      if (cached !== undefined && cached.length === length && sameAscii(cached, bytes, start)) return cached;
      const topic = decodeAscii(bytes, start, end);
      topicCache[slot] = topic;
      return topic;
    }
    this.position = start - 2;
    const topic = this.string();
    if (topic.includes('+') || topic.includes('#')) throw this.wildcard();
    return topic;
  }

  /** Binary Data: a two-byte length and that many bytes, returned as a view (no copy). */
  binary(): Uint8Array {
    const length = this.uint16();
    const start = this.position;
    if (start + length > this.end) throw this.truncated();
    this.position = start + length;
    return this.view(start, start + length);
  }

  /** The rest of the packet as a view (no copy). */
  rest(): Uint8Array {
    const start = this.position;
    this.position = this.end;
    return this.view(start, this.end);
  }

  /** Throws unless every byte of the packet was read. */
  finish(name: string): void {
    if (this.position !== this.end) throw this.malformed(`${name} has bytes after its last field`);
  }

  private view(start: number, end: number): Uint8Array {
    const bytes = this.bytes;
    return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
  }

  private wildcard(): ProtocolError {
    return this.protocolError('PUBLISH topic contains a wildcard', 'MQTT-3.3.2-2', 'MQTT-3.3.2-2');
  }

  private truncated(): MalformedPacketError {
    return this.malformed('packet ends before its last field');
  }
}
