// UTF-8 Encoded Strings (spec 1.5.4, 3.1.1 section 1.5.3). Short ASCII strings, the common case for
// topics and client ids, take a plain loop; longer or non-ASCII strings use Node's native Buffer
// methods when they exist and TextEncoder/TextDecoder otherwise, so the codec also runs in browsers.
import { invalidArgument } from './invalid-argument.js';

type SliceMethod = (this: Uint8Array, start: number, end: number) => string;
type WriteMethod = (this: Uint8Array, text: string, offset: number) => number;

interface NativeBufferPrototype {
  latin1Slice?: SliceMethod;
  utf8Slice?: SliceMethod;
  utf8Write?: WriteMethod;
}

const nativePrototype = (globalThis as { Buffer?: { prototype: NativeBufferPrototype } }).Buffer?.prototype;
const latin1Slice = nativePrototype?.latin1Slice;
const utf8Slice = nativePrototype?.utf8Slice;
const utf8Write = nativePrototype?.utf8Write;
// ignoreBOM keeps a leading U+FEFF, which MQTT requires receivers to pass on [MQTT-1.5.4-3].
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const textEncoder = new TextEncoder();

/** Why a byte range is not a valid MQTT string. */
export const Utf8Problem = { none: 0, illFormed: 1, nullCharacter: 2 } as const;
export type Utf8Problem = (typeof Utf8Problem)[keyof typeof Utf8Problem];

/**
 * Checks `bytes[start..end)` from `start` on: well-formed UTF-8 with no surrogates, no overlong
 * forms, nothing above U+10FFFF [MQTT-1.5.4-1], and no U+0000 [MQTT-1.5.4-2].
 */
export function findUtf8Problem(bytes: Uint8Array, start: number, end: number): Utf8Problem {
  let index = start;
  while (index < end) {
    const lead = bytes[index]!;
    if (lead < 0x80) {
      if (lead === 0) return Utf8Problem.nullCharacter;
      index += 1;
      continue;
    }
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) size = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      size = 3;
      if (lead === 0xe0) low = 0xa0;
      else if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      size = 4;
      if (lead === 0xf0) low = 0x90;
      else if (lead === 0xf4) high = 0x8f;
    } else return Utf8Problem.illFormed;
    if (index + size > end) return Utf8Problem.illFormed;
    const second = bytes[index + 1]!;
    if (second < low || second > high) return Utf8Problem.illFormed;
    for (let next = index + 2; next < index + size; next++) {
      if ((bytes[next]! & 0xc0) !== 0x80) return Utf8Problem.illFormed;
    }
    index += size;
  }
  return Utf8Problem.none;
}

/** Decodes a range known to hold only bytes 0x01..0x7F. */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  // Below about 8 characters building the string in JavaScript beats the native call's overhead.
  if (end - start <= 8) {
    let text = '';
    for (let index = start; index < end; index++) text += String.fromCharCode(bytes[index]!);
    return text;
  }
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  return textDecoder.decode(bytes.subarray(start, end));
}

/** Decodes a range already checked by `findUtf8Problem`. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (utf8Slice !== undefined) return utf8Slice.call(bytes, start, end);
  return textDecoder.decode(bytes.subarray(start, end));
}

/**
 * The UTF-8 length of `text`, or a thrown `MQTT_INVALID_ARGUMENT` error when it holds a lone
 * surrogate [MQTT-1.5.4-1] or U+0000 [MQTT-1.5.4-2], which no MQTT string may carry.
 */
export function utf8Length(text: string): number {
  const length = text.length;
  let bytes = length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code === 0) throw invalidArgument('a string contains U+0000', 'MQTT-1.5.4-2');
    } else if (code < 0x800) bytes += 1;
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = text.charCodeAt(index + 1);
      if (code > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) {
        throw invalidArgument('a string contains a lone surrogate', 'MQTT-1.5.4-1');
      }
      bytes += 2;
      index += 1;
    } else bytes += 2;
  }
  return bytes;
}

/**
 * `utf8Length` of a topic name, which also may not contain a wildcard [MQTT-3.3.2-2]; one pass
 * over the string instead of three on the encoder's hottest path.
 */
export function topicNameLength(topic: string): number {
  const length = topic.length;
  for (let index = 0; index < length; index++) {
    const code = topic.charCodeAt(index);
    if (code >= 0x80 || code === 0) return checkedTopicLength(topic);
    if (code === 0x23 || code === 0x2b)
      throw invalidArgument('PUBLISH topic contains a wildcard', 'MQTT-3.3.2-2');
  }
  return length;
}

function checkedTopicLength(topic: string): number {
  const length = utf8Length(topic);
  if (topic.includes('+') || topic.includes('#'))
    throw invalidArgument('PUBLISH topic contains a wildcard', 'MQTT-3.3.2-2');
  return length;
}

/** Writes `text` (validated by `utf8Length`) at `offset` and returns the number of bytes written. */
export function writeUtf8(target: Uint8Array, text: string, offset: number): number {
  const length = text.length;
  if (length <= 32) {
    let index = 0;
    for (; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) break;
      target[offset + index] = code;
    }
    if (index === length) return length;
  }
  if (utf8Write !== undefined) return utf8Write.call(target, text, offset);
  return textEncoder.encodeInto(text, target.subarray(offset)).written;
}
