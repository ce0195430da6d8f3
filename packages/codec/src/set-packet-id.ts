import { allocateBytes } from './allocate-bytes.js';
import { invalidArgument } from './invalid-argument.js';

/** Where the packet id of an encoded QoS 1 or 2 PUBLISH starts, after its header and topic. */
function packetIdOffset(bytes: Uint8Array): number {
  const firstByte = bytes[0];
  if (firstByte === undefined || firstByte >> 4 !== 3 || (firstByte & 0x06) === 0) {
    throw invalidArgument('not an encoded QoS 1 or 2 PUBLISH');
  }
  let position = 1;
  let byte: number | undefined;
  do {
    byte = bytes[position++];
  } while (byte !== undefined && byte >= 0x80 && position < 5);
  const topicLength = ((bytes[position] ?? 0) << 8) | (bytes[position + 1] ?? 0);
  const offset = position + 2 + topicLength;
  if (offset + 2 > bytes.length) throw invalidArgument('not an encoded QoS 1 or 2 PUBLISH');
  return offset;
}

/**
 * Patches the packet id of an encoded QoS 1 or 2 PUBLISH in place and returns the same bytes, so
 * one encoding serves many receivers. Only patch bytes that no pending write still holds; use
 * `withPacketId` for a copy.
 */
export function setPacketId(bytes: Uint8Array, packetId: number): Uint8Array {
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument('a packet id is an integer from 1 to 65,535', 'MQTT-2.2.1-3');
  }
  const offset = packetIdOffset(bytes);
  bytes[offset] = packetId >>> 8;
  bytes[offset + 1] = packetId;
  return bytes;
}

/** A copy of an encoded QoS 1 or 2 PUBLISH carrying `packetId`; a memory copy, no re-encoding. */
export function withPacketId(bytes: Uint8Array, packetId: number): Uint8Array {
  const copy = allocateBytes(bytes.length);
  copy.set(bytes);
  return setPacketId(copy, packetId);
}
