// UNSUBACK (spec 3.11, 3.1.1 section 3.11). Below MQTT 5 it carries only the packet id.
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { AckProperties, ProtocolVersion, Unsuback } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const unsubackCodes = reasonCodeSet([0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]);

export function decodeUnsuback(reader: PacketReader): Unsuback {
  const packetId = reader.packetId();
  const packet: Unsuback = { type: 'unsuback', packetId, reasonCodes: [] };
  if (reader.protocolVersion === 5) {
    const properties = readProperties(reader, PropertyMask.unsuback);
    if (properties !== undefined) packet.properties = properties as AckProperties;
    if (reader.remaining === 0)
      throw reader.protocolError('UNSUBACK has no reason code', undefined, 'MQTT-3.11.3-2');
    while (reader.remaining > 0) {
      const code = reader.byte();
      if (!isReasonCode(code, unsubackCodes)) {
        throw reader.protocolError(
          `UNSUBACK reason code 0x${code.toString(16)} is not defined`,
          undefined,
          'MQTT-3.11.3-2',
        );
      }
      packet.reasonCodes.push(code);
    }
  }
  reader.finish('UNSUBACK');
  return packet;
}

export function measureUnsuback(packet: Unsuback, writer: PacketWriter, version: ProtocolVersion): number {
  const packetId = packet.packetId;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument('UNSUBACK needs a packet id from 1 to 65,535');
  }
  if (version !== 5) return 2;
  if (packet.reasonCodes.length === 0)
    throw invalidArgument('UNSUBACK needs a reason code per topic filter', 'MQTT-3.11.3-2');
  for (const code of packet.reasonCodes) {
    if (!isReasonCode(code, unsubackCodes))
      throw invalidArgument(`UNSUBACK reason code ${String(code)} is not defined`, 'MQTT-3.11.3-2');
  }
  const propertiesLength = measureProperties(packet.properties, PropertyMask.unsuback);
  writer.propertiesLength = propertiesLength;
  return 2 + variableByteIntegerLength(propertiesLength) + propertiesLength + packet.reasonCodes.length;
}

export function writeUnsuback(writer: PacketWriter, packet: Unsuback, version: ProtocolVersion): void {
  writer.uint16(packet.packetId);
  if (version !== 5) return;
  writeProperties(writer, packet.properties, writer.propertiesLength);
  for (const code of packet.reasonCodes) writer.byte(code);
}
