// CONNACK (spec 3.2, 3.1.1 section 3.2).
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { Connack, ConnackProperties, ProtocolVersion } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { fromV3ConnackReturnCode, toV3ConnackReturnCode } from './reason-code.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const connackReasonCodes = reasonCodeSet([
  0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a,
  0x9b, 0x9c, 0x9d, 0x9f,
]);

export function decodeConnack(reader: PacketReader): Connack {
  const flags = reader.byte();
  if ((flags & 0xfe) !== 0)
    throw reader.malformed('CONNACK reserved flag bits are set', undefined, 'MQTT-3.2.2-1');
  const sessionPresent = flags === 1;
  const code = reader.byte();
  let reasonCode: number;
  if (reader.protocolVersion === 5) {
    if (!isReasonCode(code, connackReasonCodes)) {
      throw reader.protocolError(
        `CONNACK reason code 0x${code.toString(16)} is not defined`,
        undefined,
        'MQTT-3.2.2-8',
      );
    }
    reasonCode = code;
  } else {
    if (code > 5) throw reader.malformed(`CONNACK return code ${code} is reserved`);
    reasonCode = fromV3ConnackReturnCode(code);
  }
  if (sessionPresent && code !== 0) {
    throw reader.protocolError(
      'CONNACK refuses the connection but has session present',
      'MQTT-3.2.2-4',
      'MQTT-3.2.2-6',
    );
  }
  const packet: Connack = { type: 'connack', sessionPresent, reasonCode };
  if (reader.protocolVersion === 5) {
    const properties = readProperties(reader, PropertyMask.connack);
    if (properties !== undefined) packet.properties = properties as ConnackProperties;
  }
  reader.finish('CONNACK');
  return packet;
}

export function measureConnack(packet: Connack, writer: PacketWriter, version: ProtocolVersion): number {
  if (!isReasonCode(packet.reasonCode, connackReasonCodes)) {
    throw invalidArgument(`CONNACK reason code ${String(packet.reasonCode)} is not defined`, 'MQTT-3.2.2-8');
  }
  if (packet.sessionPresent && packet.reasonCode !== 0) {
    throw invalidArgument('a refusing CONNACK cannot have session present', 'MQTT-3.2.2-6');
  }
  if (version !== 5) return 2;
  const propertiesLength = measureProperties(packet.properties, PropertyMask.connack);
  writer.propertiesLength = propertiesLength;
  return 2 + variableByteIntegerLength(propertiesLength) + propertiesLength;
}

export function writeConnack(writer: PacketWriter, packet: Connack, version: ProtocolVersion): void {
  writer.byte(packet.sessionPresent ? 1 : 0);
  if (version === 5) {
    writer.byte(packet.reasonCode);
    writeProperties(writer, packet.properties, writer.propertiesLength);
  } else writer.byte(toV3ConnackReturnCode(packet.reasonCode));
}
