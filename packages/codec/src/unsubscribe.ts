// UNSUBSCRIBE (spec 3.10, 3.1.1 section 3.10).
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { ProtocolVersion, Unsubscribe, UnsubscribeProperties } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { utf8Length } from './utf8-string.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

export function decodeUnsubscribe(reader: PacketReader): Unsubscribe {
  const packetId = reader.packetId();
  const packet: Unsubscribe = { type: 'unsubscribe', packetId, topicFilters: [] };
  if (reader.protocolVersion === 5) {
    const properties = readProperties(reader, PropertyMask.unsubscribe);
    if (properties !== undefined) packet.properties = properties as UnsubscribeProperties;
  }
  if (reader.remaining === 0) {
    throw reader.protocolError('UNSUBSCRIBE has no topic filter', 'MQTT-3.10.3-2', 'MQTT-3.10.3-2');
  }
  while (reader.remaining > 0) {
    const topicFilter = reader.string();
    if (topicFilter.length === 0) {
      throw reader.protocolError('UNSUBSCRIBE topic filter is empty', 'MQTT-4.7.3-1', 'MQTT-4.7.3-1');
    }
    packet.topicFilters.push(topicFilter);
  }
  return packet;
}

export function measureUnsubscribe(
  packet: Unsubscribe,
  writer: PacketWriter,
  version: ProtocolVersion,
): number {
  const packetId = packet.packetId;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument('UNSUBSCRIBE needs a packet id from 1 to 65,535', 'MQTT-2.2.1-3');
  }
  if (packet.topicFilters.length === 0)
    throw invalidArgument('UNSUBSCRIBE needs a topic filter', 'MQTT-3.10.3-2');
  let length = 2;
  for (const topicFilter of packet.topicFilters) {
    const filterLength = utf8Length(topicFilter);
    if (filterLength === 0 || filterLength > 0xffff) {
      throw invalidArgument('a topic filter is 1 to 65,535 bytes long', 'MQTT-4.7.3-1');
    }
    length += 2 + filterLength;
  }
  if (version === 5) {
    const propertiesLength = measureProperties(packet.properties, PropertyMask.unsubscribe);
    writer.propertiesLength = propertiesLength;
    length += variableByteIntegerLength(propertiesLength) + propertiesLength;
  }
  return length;
}

export function writeUnsubscribe(writer: PacketWriter, packet: Unsubscribe, version: ProtocolVersion): void {
  writer.uint16(packet.packetId);
  if (version === 5) writeProperties(writer, packet.properties, writer.propertiesLength);
  for (const topicFilter of packet.topicFilters) writer.string(topicFilter);
}
