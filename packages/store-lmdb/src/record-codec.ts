import { asBinary } from 'lmdb';
import type { StoredOutboundPhase, StoredOutboundRecord } from '@mqttkit/contracts';

// An outbound record is the one entry written for every message a persistent session receives,
// so it has a fixed binary layout instead of MessagePack's generic object encoding. The bytes
// are a MessagePack bin 32 value (0xc6, length), so the database stays MessagePack throughout:
// reading it back yields a Uint8Array that `decodeBinaryRecord` parses. Layout after the
// 5-byte bin header, big-endian:
//   0 format tag (1)      1 flags                 2 record QoS       3 message QoS
//   4 phase (0 queued, 1 publish, 2 pubrel)       6 packet id (u16)
//   8 sequence (f64)     16 bytes (f64)          24 expiresAt (f64, when flagged)
//  32 topic length (u32) 36 payload length (u32) 40 subscription identifiers (u16)
//  42 topic (UTF-8), payload, subscription identifiers (u32 each)
// A record whose message has MQTT 5 properties keeps the MessagePack object encoding: properties
// are an open set of fields, and such records are not the common case.

const binHeader = 5;
const fixed = 42;
const formatTag = 0x01;
const hasPacketId = 0x01;
const hasIdentifiers = 0x02;
const hasExpiry = 0x04;
const recordRetain = 0x08;
const messageRetain = 0x10;
const phases: readonly StoredOutboundPhase[] = ['queued', 'publish', 'pubrel'];

/** Whether `encodeRecord` writes the record in the binary layout. */
export function hasBinaryLayout(record: StoredOutboundRecord): boolean {
  return record.message.properties === undefined;
}

/** The value to put for a record without message properties: raw bytes lmdb-js writes as is. */
export function encodeRecord(record: StoredOutboundRecord): unknown {
  const { message } = record;
  const topicLength = Buffer.byteLength(message.topic, 'utf8');
  const identifiers = record.subscriptionIdentifiers;
  const identifierCount = identifiers?.length ?? 0;
  const size = fixed + topicLength + message.payload.byteLength + identifierCount * 4;
  const bytes = Buffer.allocUnsafe(binHeader + size);
  bytes[0] = 0xc6;
  bytes.writeUInt32BE(size, 1);
  const at = binHeader;
  let flags = 0;
  if (record.packetId !== undefined) flags |= hasPacketId;
  if (identifiers !== undefined) flags |= hasIdentifiers;
  if (message.expiresAt !== undefined) flags |= hasExpiry;
  if (record.retain) flags |= recordRetain;
  if (message.retain) flags |= messageRetain;
  bytes[at] = formatTag;
  bytes[at + 1] = flags;
  bytes[at + 2] = record.qos;
  bytes[at + 3] = message.qos;
  bytes[at + 4] = phases.indexOf(record.phase);
  bytes[at + 5] = 0;
  bytes.writeUInt16BE(record.packetId ?? 0, at + 6);
  bytes.writeDoubleBE(record.sequence, at + 8);
  bytes.writeDoubleBE(record.bytes, at + 16);
  bytes.writeDoubleBE(message.expiresAt ?? 0, at + 24);
  bytes.writeUInt32BE(topicLength, at + 32);
  bytes.writeUInt32BE(message.payload.byteLength, at + 36);
  bytes.writeUInt16BE(identifierCount, at + 40);
  let offset = at + fixed;
  offset += bytes.write(message.topic, offset, 'utf8');
  bytes.set(message.payload, offset);
  offset += message.payload.byteLength;
  for (let index = 0; index < identifierCount; index += 1) {
    bytes.writeUInt32BE(identifiers![index]!, offset);
    offset += 4;
  }
  return asBinary(bytes);
}

function malformed(detail: string): never {
  throw new TypeError(`malformed outbound record (${detail})`);
}

/** Parses a record written by `encodeRecord` (the bytes after the bin header); copies the payload. */
export function decodeBinaryRecord(value: Uint8Array): StoredOutboundRecord {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (bytes.byteLength < fixed) malformed('too short');
  if (bytes[0] !== formatTag) malformed(`unknown format ${String(bytes[0])}`);
  const flags = bytes[1]!;
  const qos = bytes[2]!;
  const messageQos = bytes[3]!;
  const phase = phases[bytes[4]!];
  if (qos > 2 || messageQos > 2 || phase === undefined || flags > 0x1f) malformed('a field is out of range');
  const topicLength = bytes.readUInt32BE(32);
  const payloadLength = bytes.readUInt32BE(36);
  const identifierCount = bytes.readUInt16BE(40);
  if (fixed + topicLength + payloadLength + identifierCount * 4 !== bytes.byteLength) malformed('lengths');
  let offset = fixed;
  const topic = bytes.toString('utf8', offset, offset + topicLength);
  offset += topicLength;
  const payload = Uint8Array.prototype.slice.call(bytes, offset, offset + payloadLength);
  offset += payloadLength;
  const record: StoredOutboundRecord = {
    sequence: bytes.readDoubleBE(8),
    message: {
      topic,
      payload,
      qos: messageQos as 0 | 1 | 2,
      retain: (flags & messageRetain) !== 0,
      ...((flags & hasExpiry) === 0 ? {} : { expiresAt: bytes.readDoubleBE(24) }),
    },
    qos: qos as 0 | 1 | 2,
    retain: (flags & recordRetain) !== 0,
    bytes: bytes.readDoubleBE(16),
    phase,
  };
  if ((flags & hasPacketId) !== 0) record.packetId = bytes.readUInt16BE(6);
  if ((flags & hasIdentifiers) !== 0) {
    const identifiers: number[] = [];
    for (let index = 0; index < identifierCount; index += 1) {
      identifiers.push(bytes.readUInt32BE(offset));
      offset += 4;
    }
    record.subscriptionIdentifiers = identifiers;
  }
  if (!Number.isFinite(record.sequence) || !Number.isFinite(record.bytes))
    malformed('a number is not finite');
  return record;
}
