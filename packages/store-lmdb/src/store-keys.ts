import { createHash } from 'node:crypto';

// Every key starts with one byte naming what it holds. Client ids and topics go into keys as
// UTF-8, or as their SHA-256 when too long for an LMDB key (the value holds the full text).
const formatPrefix = 0x00;
const counterPrefix = 0x63; // 'c'
const outboundPrefix = 0x6f; // 'o'
const retainedPrefix = 0x72; // 'r'
const sessionPrefix = 0x73; // 's'
const literal = 0x00;
const hashed = 0x01;
const longestLiteral = 1024;

/** What a key holds, read from its first byte. */
export type StoreKeyKind = 'format' | 'session' | 'counters' | 'outbound' | 'retained' | 'unknown';

/** The key of the layout marker. */
export const formatKey: Buffer = Buffer.of(formatPrefix);

/** A client id or topic as it appears in keys: a flag byte, then the UTF-8 text or its digest. */
export function keyPart(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  if (utf8.byteLength <= longestLiteral) return Buffer.concat([Buffer.of(literal), utf8]);
  return Buffer.concat([Buffer.of(hashed), createHash('sha256').update(utf8).digest()]);
}

export function sessionKey(clientPart: Buffer): Buffer {
  return Buffer.concat([Buffer.of(sessionPrefix), clientPart]);
}

export function counterKey(clientPart: Buffer): Buffer {
  return Buffer.concat([Buffer.of(counterPrefix), clientPart]);
}

/** One key per outbound record, so adding or removing a message writes one small entry. */
export function outboundKey(clientPart: Buffer, sequence: number): Buffer {
  const key = Buffer.allocUnsafe(3 + clientPart.byteLength + 8);
  key[0] = outboundPrefix;
  key.writeUInt16BE(clientPart.byteLength, 1);
  clientPart.copy(key, 3);
  // Big-endian, so one client's records sort by sequence.
  key.writeUInt32BE(Math.floor(sequence / 0x1_0000_0000), 3 + clientPart.byteLength);
  key.writeUInt32BE(sequence % 0x1_0000_0000, 7 + clientPart.byteLength);
  return key;
}

export function retainedKey(topic: string): Buffer {
  return Buffer.concat([Buffer.of(retainedPrefix), keyPart(topic)]);
}

export function keyKind(key: Uint8Array): StoreKeyKind {
  switch (key[0]) {
    case formatPrefix:
      return key.byteLength === 1 ? 'format' : 'unknown';
    case sessionPrefix:
      return 'session';
    case counterPrefix:
      return 'counters';
    case outboundPrefix:
      return 'outbound';
    case retainedPrefix:
      return 'retained';
    default:
      return 'unknown';
  }
}

/** The client part of a session, counters or outbound key, as a string to group entries by. */
export function clientOfKey(key: Uint8Array): string {
  const buffer = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (key[0] !== outboundPrefix) return buffer.toString('latin1', 1);
  const length = buffer.readUInt16BE(1);
  return buffer.toString('latin1', 3, 3 + length);
}
