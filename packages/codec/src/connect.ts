// CONNECT (spec 3.1, 3.1.1 section 3.1, MQTT 3.1 `MQIsdp`).
import { invalidArgument } from './invalid-argument.js';
import { MalformedPacketError, UnsupportedProtocolVersionError } from './mqtt-error.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { Connect, ConnectProperties, ProtocolVersion, QoS, Will, WillProperties } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { utf8Length } from './utf8-string.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

const Flag = {
  reserved: 0x01,
  clean: 0x02,
  will: 0x04,
  willQoS: 0x18,
  willRetain: 0x20,
  password: 0x40,
  username: 0x80,
} as const;

function readProtocolName(reader: PacketReader): 'MQTT' | 'MQIsdp' | undefined {
  const length = reader.uint16();
  const start = reader.position;
  if (start + length > reader.end) throw new MalformedPacketError('CONNECT ends inside its protocol name');
  reader.position = start + length;
  const bytes = reader.bytes;
  const text = String.fromCharCode(...bytes.subarray(start, start + Math.min(length, 6)));
  if (length === 4 && text === 'MQTT') return 'MQTT';
  if (length === 6 && text === 'MQIsdp') return 'MQIsdp';
  return undefined;
}

/** Reads a CONNECT body; the protocol name and level decide the version of the rest. */
export function decodeConnect(reader: PacketReader): Connect {
  const protocolName = readProtocolName(reader);
  if (protocolName === undefined) {
    throw new UnsupportedProtocolVersionError('CONNECT protocol name is neither MQTT nor MQIsdp', {
      statement: 'MQTT-3.1.2-1',
    });
  }
  const level = reader.byte();
  if (protocolName === 'MQTT' ? level !== 4 && level !== 5 : level !== 3) {
    throw new UnsupportedProtocolVersionError(
      `CONNECT protocol ${protocolName} level ${level} is not supported`,
      {
        statement: 'MQTT-3.1.2-2',
      },
    );
  }
  const protocolVersion = level as ProtocolVersion;
  reader.protocolVersion = protocolVersion;
  const flags = reader.byte();
  if ((flags & Flag.reserved) !== 0)
    throw reader.malformed('CONNECT reserved flag is set', 'MQTT-3.1.2-3', 'MQTT-3.1.2-3');
  const willQoS = (flags & Flag.willQoS) >> 3;
  const hasWill = (flags & Flag.will) !== 0;
  if (hasWill) {
    if (willQoS === 3) throw reader.malformed('CONNECT will QoS is 3', 'MQTT-3.1.2-14', 'MQTT-3.1.2-12');
  } else {
    if (willQoS !== 0)
      throw reader.malformed('CONNECT will QoS set without a will', 'MQTT-3.1.2-13', 'MQTT-3.1.2-11');
    if ((flags & Flag.willRetain) !== 0) {
      throw reader.malformed('CONNECT will retain set without a will', 'MQTT-3.1.2-15', 'MQTT-3.1.2-13');
    }
  }
  const hasUsername = (flags & Flag.username) !== 0;
  const hasPassword = (flags & Flag.password) !== 0;
  if (hasPassword && !hasUsername && protocolVersion !== 5) {
    throw reader.malformed('CONNECT password flag set without user name flag', 'MQTT-3.1.2-22');
  }
  const keepAlive = reader.uint16();
  const packet: Connect = {
    type: 'connect',
    protocolName,
    protocolVersion,
    clean: (flags & Flag.clean) !== 0,
    keepAlive,
    clientId: '',
  };
  if (protocolVersion === 5) {
    const properties = readProperties(reader, PropertyMask.connect);
    if (properties !== undefined) packet.properties = properties as ConnectProperties;
  }
  packet.clientId = reader.string();
  if (hasWill) {
    let willProperties: WillProperties | undefined;
    if (protocolVersion === 5)
      willProperties = readProperties(reader, PropertyMask.will) as WillProperties | undefined;
    const topic = reader.string();
    if (topic.length === 0)
      throw reader.protocolError('CONNECT will topic is empty', 'MQTT-4.7.3-1', 'MQTT-4.7.3-1');
    if (topic.includes('+') || topic.includes('#')) {
      throw reader.protocolError('CONNECT will topic contains a wildcard', 'MQTT-4.7.1-1', 'MQTT-4.7.0-1');
    }
    const will: Will = {
      topic,
      payload: reader.binary(),
      qos: willQoS as QoS,
      retain: (flags & Flag.willRetain) !== 0,
    };
    if (willProperties !== undefined) will.properties = willProperties;
    packet.will = will;
  }
  if (hasUsername) packet.username = reader.string();
  if (hasPassword) packet.password = reader.binary();
  reader.finish('CONNECT');
  return packet;
}

function checkedStringLength(text: unknown, field: string): number {
  if (typeof text !== 'string') throw invalidArgument(`CONNECT ${field} must be a string`);
  const length = utf8Length(text);
  if (length > 0xffff) throw invalidArgument(`CONNECT ${field} is longer than 65,535 bytes`);
  return length;
}

function checkedBinaryLength(data: unknown, field: string): number {
  if (!(data instanceof Uint8Array) || data.length > 0xffff) {
    throw invalidArgument(`CONNECT ${field} must be a Uint8Array of at most 65,535 bytes`);
  }
  return data.length;
}

export function measureConnect(packet: Connect, writer: PacketWriter): number {
  const version = packet.protocolVersion;
  if (version !== 3 && version !== 4 && version !== 5)
    throw invalidArgument(`protocol version ${String(version)} is not 3, 4 or 5`);
  if (packet.protocolName !== undefined && packet.protocolName !== (version === 3 ? 'MQIsdp' : 'MQTT')) {
    throw invalidArgument(`protocol name ${packet.protocolName} does not match protocol version ${version}`);
  }
  if (!Number.isInteger(packet.keepAlive) || packet.keepAlive < 0 || packet.keepAlive > 0xffff) {
    throw invalidArgument('keep alive must be an integer from 0 to 65,535');
  }
  let length = (version === 3 ? 8 : 6) + 1 + 1 + 2 + 2 + checkedStringLength(packet.clientId, 'client id');
  if (version === 5) {
    const propertiesLength = measureProperties(packet.properties, PropertyMask.connect);
    writer.propertiesLength = propertiesLength;
    length += variableByteIntegerLength(propertiesLength) + propertiesLength;
  }
  const will = packet.will;
  if (will !== undefined) {
    if (will.qos !== 0 && will.qos !== 1 && will.qos !== 2)
      throw invalidArgument('will QoS must be 0, 1 or 2', 'MQTT-3.1.2-12');
    const topicLength = checkedStringLength(will.topic, 'will topic');
    if (topicLength === 0) throw invalidArgument('the will topic is empty', 'MQTT-4.7.3-1');
    if (will.topic.includes('+') || will.topic.includes('#')) {
      throw invalidArgument('the will topic contains a wildcard', 'MQTT-4.7.0-1');
    }
    length += 4 + topicLength + checkedBinaryLength(will.payload, 'will payload');
    if (version === 5) {
      const willPropertiesLength = measureProperties(will.properties, PropertyMask.will);
      writer.willPropertiesLength = willPropertiesLength;
      length += variableByteIntegerLength(willPropertiesLength) + willPropertiesLength;
    }
  }
  if (packet.username !== undefined) length += 2 + checkedStringLength(packet.username, 'user name');
  if (packet.password !== undefined) {
    if (packet.username === undefined && version !== 5) {
      throw invalidArgument('a password needs a user name before MQTT 5', 'MQTT-3.1.2-22');
    }
    length += 2 + checkedBinaryLength(packet.password, 'password');
  }
  return length;
}

export function writeConnect(writer: PacketWriter, packet: Connect): void {
  const version = packet.protocolVersion;
  writer.string(version === 3 ? 'MQIsdp' : 'MQTT');
  writer.byte(version);
  const will = packet.will;
  let flags = packet.clean ? Flag.clean : 0;
  if (will !== undefined) flags |= Flag.will | (will.qos << 3) | (will.retain ? Flag.willRetain : 0);
  if (packet.username !== undefined) flags |= Flag.username;
  if (packet.password !== undefined) flags |= Flag.password;
  writer.byte(flags);
  writer.uint16(packet.keepAlive);
  if (version === 5) writeProperties(writer, packet.properties, writer.propertiesLength);
  writer.string(packet.clientId);
  if (will !== undefined) {
    if (version === 5) writeProperties(writer, will.properties, writer.willPropertiesLength);
    writer.string(will.topic);
    writer.binary(will.payload);
  }
  if (packet.username !== undefined) writer.string(packet.username);
  if (packet.password !== undefined) writer.binary(packet.password);
}
