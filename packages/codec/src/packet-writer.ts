import { writeUtf8 } from './utf8-string.js';

const empty = new Uint8Array(0);

/**
 * Writes one packet into a buffer sized from its measured length. Measuring stores the lengths
 * the writing pass needs again (property lengths) here, so each is computed once per packet.
 * One instance is reused: encoding is synchronous and never re-enters.
 */
export class PacketWriter {
  bytes: Uint8Array = empty;
  position = 0;
  propertiesLength = 0;
  willPropertiesLength = 0;

  reset(bytes: Uint8Array, position: number): void {
    this.bytes = bytes;
    this.position = position;
  }

  byte(value: number): void {
    this.bytes[this.position++] = value;
  }

  uint16(value: number): void {
    const bytes = this.bytes;
    const position = this.position;
    bytes[position] = value >>> 8;
    bytes[position + 1] = value;
    this.position = position + 2;
  }

  uint32(value: number): void {
    const bytes = this.bytes;
    const position = this.position;
    bytes[position] = value >>> 24;
    bytes[position + 1] = value >>> 16;
    bytes[position + 2] = value >>> 8;
    bytes[position + 3] = value;
    this.position = position + 4;
  }

  variableByteInteger(value: number): void {
    const bytes = this.bytes;
    let position = this.position;
    let rest = value;
    while (rest >= 128) {
      bytes[position++] = (rest % 128) | 0x80;
      rest = Math.floor(rest / 128);
    }
    bytes[position++] = rest;
    this.position = position;
  }

  /** Writes the string after its two-byte length, which is filled in once the string is written. */
  string(text: string): void {
    const position = this.position;
    const length = writeUtf8(this.bytes, text, position + 2);
    this.bytes[position] = length >>> 8;
    this.bytes[position + 1] = length;
    this.position = position + 2 + length;
  }

  binary(data: Uint8Array): void {
    this.uint16(data.length);
    this.bytes.set(data, this.position);
    this.position += data.length;
  }

  raw(data: Uint8Array): void {
    this.bytes.set(data, this.position);
    this.position += data.length;
  }
}
