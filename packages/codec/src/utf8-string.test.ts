import { afterEach, describe, expect, it, vi } from 'vitest';
import { Utf8Problem, decodeUtf8, findUtf8Problem, utf8Length, writeUtf8 } from './utf8-string.js';

const encoder = new TextEncoder();

describe('findUtf8Problem', () => {
  it.each([
    ['ASCII', [0x61, 0x62], Utf8Problem.none],
    ['two, three and four byte forms', [...encoder.encode('é€😀')], Utf8Problem.none],
    ['U+0000', [0x61, 0x00], Utf8Problem.nullCharacter],
    ['a lone continuation byte', [0x80], Utf8Problem.illFormed],
    ['an overlong two-byte form', [0xc1, 0xbf], Utf8Problem.illFormed],
    ['an overlong three-byte form', [0xe0, 0x9f, 0xbf], Utf8Problem.illFormed],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], Utf8Problem.illFormed],
    ['an overlong four-byte form', [0xf0, 0x8f, 0xbf, 0xbf], Utf8Problem.illFormed],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], Utf8Problem.illFormed],
    ['a byte that never starts a sequence', [0xf5, 0x80, 0x80, 0x80], Utf8Problem.illFormed],
    ['a truncated sequence', [0xe2, 0x82], Utf8Problem.illFormed],
    ['a bad third byte', [0xe2, 0x82, 0x41], Utf8Problem.illFormed],
  ])('[MQTT-1.5.4-1] classifies %s', (_, bytes, problem) => {
    expect(findUtf8Problem(Uint8Array.from(bytes), 0, bytes.length)).toBe(problem);
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes of every width', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});

describe('without Node Buffer', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });

  it('falls back to TextDecoder, TextEncoder and Uint8Array', async () => {
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    const utf8 = await import('./utf8-string.js');
    const { allocateBytes } = await import('./allocate-bytes.js');
    const bytes = encoder.encode('\ufeff' + 'x'.repeat(20) + 'é');
    expect(utf8.decodeUtf8(bytes, 0, bytes.length)).toBe('\ufeff' + 'x'.repeat(20) + 'é');
    const ascii = encoder.encode('y'.repeat(20));
    expect(utf8.decodeAscii(ascii, 0, ascii.length)).toBe('y'.repeat(20));
    const target = allocateBytes(8);
    expect(target.constructor).toBe(Uint8Array);
    expect(utf8.writeUtf8(target, 'aé', 1)).toBe(3);
    expect(Array.from(target.subarray(1, 4))).toEqual([0x61, 0xc3, 0xa9]);
  });

  it('keeps a leading U+FEFF with Node Buffer too [MQTT-1.5.4-3]', () => {
    const bytes = encoder.encode('\ufeff' + 'z'.repeat(20));
    expect(decodeUtf8(bytes, 0, bytes.length)).toBe('\ufeff' + 'z'.repeat(20));
    const target = new Uint8Array(4);
    expect(writeUtf8(target, '€', 0)).toBe(3);
  });
});
