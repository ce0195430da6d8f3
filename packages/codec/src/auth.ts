// AUTH (spec 3.15): MQTT 5 only. A Remaining Length of 0 means reason code 0x00 (Success).
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { Auth, AuthProperties } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const authCodes = reasonCodeSet([0x00, 0x18, 0x19]);

export function decodeAuth(reader: PacketReader): Auth {
  if (reader.remaining === 0) return { type: 'auth', reasonCode: 0 };
  const reasonCode = reader.byte();
  if (!isReasonCode(reasonCode, authCodes)) {
    throw reader.protocolError(
      `AUTH reason code 0x${reasonCode.toString(16)} is not defined`,
      undefined,
      'MQTT-3.15.2-1',
    );
  }
  const packet: Auth = { type: 'auth', reasonCode };
  if (reader.remaining > 0) {
    const properties = readProperties(reader, PropertyMask.auth);
    if (properties !== undefined) packet.properties = properties as AuthProperties;
  }
  reader.finish('AUTH');
  return packet;
}

/** The short form (no body) is used for a success without properties. */
export function measureAuth(packet: Auth, writer: PacketWriter): number {
  if (!isReasonCode(packet.reasonCode, authCodes)) {
    throw invalidArgument(`AUTH reason code ${String(packet.reasonCode)} is not defined`, 'MQTT-3.15.2-1');
  }
  const propertiesLength = measureProperties(packet.properties, PropertyMask.auth);
  writer.propertiesLength = propertiesLength;
  if (propertiesLength > 0) return 1 + variableByteIntegerLength(propertiesLength) + propertiesLength;
  return packet.reasonCode === 0 ? 0 : 2;
}

export function writeAuth(writer: PacketWriter, packet: Auth): void {
  const length = writer.propertiesLength;
  if (length === 0 && packet.reasonCode === 0) return;
  writer.byte(packet.reasonCode);
  writeProperties(writer, packet.properties, length);
}
