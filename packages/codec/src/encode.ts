import { measureAcknowledgement, writeAcknowledgement } from './acknowledgement.js';
import { allocateBytes } from './allocate-bytes.js';
import { measureAuth, writeAuth } from './auth.js';
import { measureConnack, writeConnack } from './connack.js';
import { measureConnect, writeConnect } from './connect.js';
import { measureDisconnect, writeDisconnect } from './disconnect.js';
import { invalidArgument } from './invalid-argument.js';
import { PacketWriter } from './packet-writer.js';
import type { Packet, ProtocolVersion } from './packet.js';
import { measurePublish, publishFlags, writePublish } from './publish.js';
import { measureSuback, writeSuback } from './suback.js';
import { measureSubscribe, writeSubscribe } from './subscribe.js';
import { measureUnsuback, writeUnsuback } from './unsuback.js';
import { measureUnsubscribe, writeUnsubscribe } from './unsubscribe.js';
import { maximumVariableByteInteger, variableByteIntegerLength } from './variable-byte-integer.js';

/** Options of `encodeInto`. */
export interface EncodeIntoOptions {
  /** The version to encode in; a CONNECT always uses its own `protocolVersion`. */
  readonly protocolVersion: ProtocolVersion;
  /** Where in the target the packet starts; 0 when absent. */
  readonly offset?: number;
}

const writer = new PacketWriter();
const released = new Uint8Array(0);

/** Validates the packet and returns its remaining length, leaving inner lengths in `writer`. */
function measure(packet: Packet, version: ProtocolVersion): number {
  if (version !== 3 && version !== 4 && version !== 5) {
    throw invalidArgument(`protocol version ${String(version)} is not 3, 4 or 5`);
  }
  switch (packet.type) {
    case 'publish':
      return measurePublish(packet, writer, version);
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return measureAcknowledgement(packet, writer, version);
    case 'connect':
      return measureConnect(packet, writer);
    case 'connack':
      return measureConnack(packet, writer, version);
    case 'subscribe':
      return measureSubscribe(packet, writer, version);
    case 'suback':
      return measureSuback(packet, writer, version);
    case 'unsubscribe':
      return measureUnsubscribe(packet, writer, version);
    case 'unsuback':
      return measureUnsuback(packet, writer, version);
    case 'pingreq':
    case 'pingresp':
      return 0;
    case 'disconnect':
      return measureDisconnect(packet, writer, version);
    case 'auth':
      if (version !== 5) throw invalidArgument('AUTH exists only in MQTT 5');
      return measureAuth(packet, writer);
    default:
      throw invalidArgument(`unknown packet type ${String((packet as { type: unknown }).type)}`);
  }
}

const typeNumbers = {
  connect: 0x10,
  connack: 0x20,
  publish: 0x30,
  puback: 0x40,
  pubrec: 0x50,
  pubrel: 0x62,
  pubcomp: 0x70,
  subscribe: 0x82,
  suback: 0x90,
  unsubscribe: 0xa2,
  unsuback: 0xb0,
  pingreq: 0xc0,
  pingresp: 0xd0,
  disconnect: 0xe0,
  auth: 0xf0,
} as const;

function writeBody(packet: Packet, version: ProtocolVersion): void {
  switch (packet.type) {
    case 'publish':
      writePublish(writer, packet, version);
      return;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      writeAcknowledgement(writer, packet, version);
      return;
    case 'connect':
      writeConnect(writer, packet);
      return;
    case 'connack':
      writeConnack(writer, packet, version);
      return;
    case 'subscribe':
      writeSubscribe(writer, packet, version);
      return;
    case 'suback':
      writeSuback(writer, packet, version);
      return;
    case 'unsubscribe':
      writeUnsubscribe(writer, packet, version);
      return;
    case 'unsuback':
      writeUnsuback(writer, packet, version);
      return;
    case 'disconnect':
      writeDisconnect(writer, packet, version);
      return;
    case 'auth':
      writeAuth(writer, packet);
      return;
    default:
  }
}

function checkedRemainingLength(packet: Packet, version: ProtocolVersion): number {
  const remainingLength = measure(packet, version);
  if (remainingLength > maximumVariableByteInteger) {
    throw invalidArgument(
      `packet body of ${remainingLength} bytes exceeds the MQTT maximum of ${maximumVariableByteInteger}`,
    );
  }
  return remainingLength;
}

function writePacket(packet: Packet, version: ProtocolVersion, remainingLength: number): void {
  writer.byte(packet.type === 'publish' ? 0x30 | publishFlags(packet) : typeNumbers[packet.type]);
  writer.variableByteInteger(remainingLength);
  writeBody(packet, version);
}

/** The exact number of bytes `encode` produces for this packet; validates it like `encode`. */
export function encodedLength(packet: Packet, protocolVersion: ProtocolVersion): number {
  const remainingLength = checkedRemainingLength(packet, protocolVersion);
  return 1 + variableByteIntegerLength(remainingLength) + remainingLength;
}

/**
 * Encodes a packet in `protocolVersion` (a CONNECT uses its own `protocolVersion`). Throws an
 * `MQTT_INVALID_ARGUMENT` error for a packet the specification does not allow.
 */
export function encode(packet: Packet, protocolVersion: ProtocolVersion): Uint8Array {
  const remainingLength = checkedRemainingLength(packet, protocolVersion);
  const bytes = allocateBytes(1 + variableByteIntegerLength(remainingLength) + remainingLength);
  writer.reset(bytes, 0);
  writePacket(packet, protocolVersion, remainingLength);
  writer.reset(released, 0);
  return bytes;
}

/**
 * Encodes a packet into `target` at `options.offset` and returns the number of bytes written.
 * Throws an `MQTT_INVALID_ARGUMENT` error when it does not fit, before writing anything.
 */
export function encodeInto(packet: Packet, target: Uint8Array, options: EncodeIntoOptions): number {
  const offset = options.offset ?? 0;
  const remainingLength = checkedRemainingLength(packet, options.protocolVersion);
  const length = 1 + variableByteIntegerLength(remainingLength) + remainingLength;
  if (!Number.isInteger(offset) || offset < 0 || offset + length > target.length) {
    throw invalidArgument(`a ${length}-byte packet does not fit the target at offset ${offset}`);
  }
  writer.reset(target, offset);
  writePacket(packet, options.protocolVersion, remainingLength);
  writer.reset(released, 0);
  return length;
}
