// SUBACK (spec 3.9, 3.1.1 section 3.9).
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { AckProperties, ProtocolVersion, Suback } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const v3v4Codes = reasonCodeSet([0x00, 0x01, 0x02, 0x80]);
const v5Codes = reasonCodeSet([0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]);

export function decodeSuback(reader: PacketReader): Suback {
  const packetId = reader.packetId();
  const packet: Suback = { type: 'suback', packetId, reasonCodes: [] };
  const version = reader.protocolVersion;
  if (version === 5) {
    const properties = readProperties(reader, PropertyMask.suback);
    if (properties !== undefined) packet.properties = properties as AckProperties;
  }
  const codes = version === 5 ? v5Codes : v3v4Codes;
  if (reader.remaining === 0)
    throw reader.protocolError('SUBACK has no reason code', 'MQTT-3.8.4-5', 'MQTT-3.8.4-6');
  while (reader.remaining > 0) {
    const code = reader.byte();
    if (!isReasonCode(code, codes)) {
      throw reader.protocolError(
        `SUBACK code 0x${code.toString(16)} is not defined`,
        'MQTT-3.9.3-2',
        'MQTT-3.9.3-2',
      );
    }
    packet.reasonCodes.push(code);
  }
  return packet;
}

export function measureSuback(packet: Suback, writer: PacketWriter, version: ProtocolVersion): number {
  const packetId = packet.packetId;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument('SUBACK needs a packet id from 1 to 65,535');
  }
  const codes = version === 5 ? v5Codes : v3v4Codes;
  if (packet.reasonCodes.length === 0)
    throw invalidArgument('SUBACK needs a reason code per topic filter', 'MQTT-3.8.4-6');
  for (const code of packet.reasonCodes) {
    if (!isReasonCode(code, codes))
      throw invalidArgument(`SUBACK code ${String(code)} is not defined`, 'MQTT-3.9.3-2');
  }
  let length = 2 + packet.reasonCodes.length;
  if (version === 5) {
    const propertiesLength = measureProperties(packet.properties, PropertyMask.suback);
    writer.propertiesLength = propertiesLength;
    length += variableByteIntegerLength(propertiesLength) + propertiesLength;
  }
  return length;
}

export function writeSuback(writer: PacketWriter, packet: Suback, version: ProtocolVersion): void {
  writer.uint16(packet.packetId);
  if (version === 5) writeProperties(writer, packet.properties, writer.propertiesLength);
  for (const code of packet.reasonCodes) writer.byte(code);
}
