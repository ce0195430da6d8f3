// PUBACK, PUBREC, PUBREL and PUBCOMP (spec 3.4 to 3.7): one shape, so one file; only the allowed
// reason codes differ.
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { AckProperties, Acknowledgement, ProtocolVersion } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { isReasonCode, reasonCodeSet } from './reason-code-set.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

export type AcknowledgementType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp';

const publishResponseCodes = reasonCodeSet([0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]);
const releaseCodes = reasonCodeSet([0x00, 0x92]);

const rules = {
  puback: { codes: publishResponseCodes, statement: 'MQTT-3.4.2-1', mask: PropertyMask.puback },
  pubrec: { codes: publishResponseCodes, statement: 'MQTT-3.5.2-1', mask: PropertyMask.pubrec },
  pubrel: { codes: releaseCodes, statement: 'MQTT-3.6.2-1', mask: PropertyMask.pubrel },
  pubcomp: { codes: releaseCodes, statement: 'MQTT-3.7.2-1', mask: PropertyMask.pubcomp },
} as const;

export function decodeAcknowledgement<T extends AcknowledgementType>(
  reader: PacketReader,
  type: T,
): Acknowledgement<T> {
  const packetId = reader.packetId();
  const packet: Acknowledgement<T> = { type, packetId };
  if (reader.protocolVersion === 5 && reader.remaining > 0) {
    const rule = rules[type];
    const reasonCode = reader.byte();
    if (!isReasonCode(reasonCode, rule.codes)) {
      throw reader.protocolError(
        `${type.toUpperCase()} reason code 0x${reasonCode.toString(16)} is not defined`,
        undefined,
        rule.statement,
      );
    }
    packet.reasonCode = reasonCode;
    if (reader.remaining > 0) {
      const properties = readProperties(reader, rule.mask);
      if (properties !== undefined) packet.properties = properties as AckProperties;
    }
  }
  reader.finish(type.toUpperCase());
  return packet;
}

export function measureAcknowledgement(
  packet: Acknowledgement<AcknowledgementType>,
  writer: PacketWriter,
  version: ProtocolVersion,
): number {
  const packetId = packet.packetId;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument(`${packet.type.toUpperCase()} needs a packet id from 1 to 65,535`);
  }
  if (version !== 5) return 2;
  const rule = rules[packet.type];
  if (packet.reasonCode !== undefined && !isReasonCode(packet.reasonCode, rule.codes)) {
    throw invalidArgument(
      `${packet.type.toUpperCase()} reason code ${String(packet.reasonCode)} is not defined`,
      rule.statement,
    );
  }
  const propertiesLength = measureProperties(packet.properties, rule.mask);
  writer.propertiesLength = propertiesLength;
  if (propertiesLength > 0) return 3 + variableByteIntegerLength(propertiesLength) + propertiesLength;
  return packet.reasonCode === undefined ? 2 : 3;
}

/** Writes the reason code only when given or needed before properties, as spec 3.4.2.1 allows. */
export function writeAcknowledgement(
  writer: PacketWriter,
  packet: Acknowledgement<AcknowledgementType>,
  version: ProtocolVersion,
): void {
  writer.uint16(packet.packetId);
  if (version !== 5) return;
  if (writer.propertiesLength > 0) {
    writer.byte(packet.reasonCode ?? 0);
    writeProperties(writer, packet.properties, writer.propertiesLength);
  } else if (packet.reasonCode !== undefined) writer.byte(packet.reasonCode);
}
