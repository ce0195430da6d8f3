// PUBLISH (spec 3.3, 3.1.1 section 3.3). The hot path: no property block below MQTT 5 and the
// payload is a view into the input.
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { ProtocolVersion, Publish, PublishProperties, QoS } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { topicNameLength } from './utf8-string.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

export function decodePublish(reader: PacketReader, flags: number): Publish {
  const qos = (flags >> 1) & 3;
  if (qos === 3) throw reader.malformed('PUBLISH QoS is 3', 'MQTT-3.3.1-4', 'MQTT-3.3.1-4');
  const dup = (flags & 8) !== 0;
  if (dup && qos === 0)
    throw reader.protocolError('QoS 0 PUBLISH has DUP set', 'MQTT-3.3.1-2', 'MQTT-3.3.1-2');
  const topic = reader.topicName();
  const retain = (flags & 1) !== 0;
  const packetId = qos === 0 ? 0 : reader.packetId();
  let properties: PublishProperties | undefined;
  if (reader.protocolVersion === 5) {
    properties = readProperties(reader, PropertyMask.publish) as PublishProperties | undefined;
    if (topic.length === 0 && properties?.topicAlias === undefined) {
      throw reader.protocolError('PUBLISH has neither a topic name nor a topic alias');
    }
  } else if (topic.length === 0) {
    throw reader.protocolError('PUBLISH topic name is empty', 'MQTT-4.7.3-1');
  }
  const payload = reader.rest();
  if (qos === 0) {
    return properties === undefined
      ? { type: 'publish', topic, payload, qos, retain, dup }
      : { type: 'publish', topic, payload, qos, retain, dup, properties };
  }
  return properties === undefined
    ? { type: 'publish', topic, payload, qos: qos as QoS, retain, dup, packetId }
    : { type: 'publish', topic, payload, qos: qos as QoS, retain, dup, packetId, properties };
}

/** Validates a PUBLISH and returns its remaining length. */
export function measurePublish(packet: Publish, writer: PacketWriter, version: ProtocolVersion): number {
  const qos = packet.qos;
  const topic = packet.topic;
  if (typeof topic !== 'string') throw invalidArgument('PUBLISH topic must be a string');
  const topicLength = topicNameLength(topic);
  if (topicLength > 0xffff) throw invalidArgument('PUBLISH topic is longer than 65,535 bytes');
  if (!(packet.payload instanceof Uint8Array)) throw invalidArgument('PUBLISH payload must be a Uint8Array');
  let length = 2 + topicLength + packet.payload.length;
  if (qos !== 0) {
    if (qos !== 1 && qos !== 2) throw invalidArgument('PUBLISH QoS must be 0, 1 or 2', 'MQTT-3.3.1-4');
    const packetId = packet.packetId;
    if (packetId === undefined || !(packetId >= 1 && packetId <= 0xffff) || !Number.isInteger(packetId)) {
      throw invalidArgument('a QoS 1 or 2 PUBLISH needs a packet id from 1 to 65,535', 'MQTT-2.2.1-3');
    }
    length += 2;
  } else if (packet.dup) throw invalidArgument('a QoS 0 PUBLISH cannot have DUP set', 'MQTT-3.3.1-2');
  if (version === 5) {
    const propertiesLength = measureProperties(packet.properties, PropertyMask.publish);
    writer.propertiesLength = propertiesLength;
    length += variableByteIntegerLength(propertiesLength) + propertiesLength;
    if (topic.length === 0 && packet.properties?.topicAlias === undefined) {
      throw invalidArgument('PUBLISH needs a topic name or a topic alias');
    }
  } else if (topic.length === 0) throw invalidArgument('PUBLISH topic name is empty', 'MQTT-4.7.3-1');
  return length;
}

export function publishFlags(packet: Publish): number {
  return (packet.dup ? 8 : 0) | (packet.qos << 1) | (packet.retain ? 1 : 0);
}

export function writePublish(writer: PacketWriter, packet: Publish, version: ProtocolVersion): void {
  writer.string(packet.topic);
  if (packet.qos !== 0) writer.uint16(packet.packetId!);
  if (version === 5) writeProperties(writer, packet.properties, writer.propertiesLength);
  writer.raw(packet.payload);
}
