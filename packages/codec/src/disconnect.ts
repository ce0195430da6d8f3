// DISCONNECT (spec 3.14, 3.1.1 section 3.14). Below MQTT 5 it is a bare fixed header.
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { Disconnect, DisconnectProperties, ProtocolVersion } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const disconnectCodes = reasonCodeSet([
  0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97,
  0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
]);

export function decodeDisconnect(reader: PacketReader): Disconnect {
  const packet: Disconnect = { type: 'disconnect' };
  if (reader.protocolVersion === 5 && reader.remaining > 0) {
    const reasonCode = reader.byte();
    if (!isReasonCode(reasonCode, disconnectCodes)) {
      throw reader.protocolError(
        `DISCONNECT reason code 0x${reasonCode.toString(16)} is not defined`,
        undefined,
        'MQTT-3.14.2-1',
      );
    }
    packet.reasonCode = reasonCode;
    if (reader.remaining > 0) {
      const properties = readProperties(reader, PropertyMask.disconnect);
      if (properties !== undefined) packet.properties = properties as DisconnectProperties;
    }
  }
  reader.finish('DISCONNECT');
  return packet;
}

export function measureDisconnect(
  packet: Disconnect,
  writer: PacketWriter,
  version: ProtocolVersion,
): number {
  if (version !== 5) return 0;
  if (packet.reasonCode !== undefined && !isReasonCode(packet.reasonCode, disconnectCodes)) {
    throw invalidArgument(
      `DISCONNECT reason code ${String(packet.reasonCode)} is not defined`,
      'MQTT-3.14.2-1',
    );
  }
  const propertiesLength = measureProperties(packet.properties, PropertyMask.disconnect);
  writer.propertiesLength = propertiesLength;
  if (propertiesLength > 0) return 1 + variableByteIntegerLength(propertiesLength) + propertiesLength;
  return packet.reasonCode === undefined ? 0 : 1;
}

export function writeDisconnect(writer: PacketWriter, packet: Disconnect, version: ProtocolVersion): void {
  if (version !== 5) return;
  if (writer.propertiesLength > 0) {
    writer.byte(packet.reasonCode ?? 0);
    writeProperties(writer, packet.properties, writer.propertiesLength);
  } else if (packet.reasonCode !== undefined) writer.byte(packet.reasonCode);
}
