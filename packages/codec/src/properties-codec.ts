// Reading, measuring and writing MQTT 5 property blocks (spec 2.2.2), driven by the `Property` table.
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { Properties } from './packet.js';
import { Property } from './property.js';
import type { PropertyDataType, PropertyLocation, PropertyName } from './property.js';
import { utf8Length } from './utf8-string.js';
import { maximumVariableByteInteger, variableByteIntegerLength } from './variable-byte-integer.js';

/** Bit masks of the places a property may appear; the will properties take bit 0. */
export const PropertyMask = {
  will: 1 << 0,
  connect: 1 << 1,
  connack: 1 << 2,
  publish: 1 << 3,
  puback: 1 << 4,
  pubrec: 1 << 5,
  pubrel: 1 << 6,
  pubcomp: 1 << 7,
  subscribe: 1 << 8,
  suback: 1 << 9,
  unsubscribe: 1 << 10,
  unsuback: 1 << 11,
  disconnect: 1 << 14,
  auth: 1 << 15,
} as const satisfies Record<PropertyLocation, number>;

const Kind = {
  byte: 0,
  flag: 1,
  twoByteInteger: 2,
  fourByteInteger: 3,
  variableByteInteger: 4,
  utf8String: 5,
  binaryData: 6,
  utf8StringPair: 7,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface Definition {
  readonly name: PropertyName;
  readonly id: number;
  readonly kind: Kind;
  readonly mask: number;
  /** Where the property may repeat: user properties anywhere, subscription ids in PUBLISH. */
  readonly repeatMask: number;
}

// Byte properties whose model value is a boolean (spec: "0 or 1", anything else a Protocol Error).
const flagNames: ReadonlySet<PropertyName> = new Set([
  'requestProblemInformation',
  'requestResponseInformation',
  'retainAvailable',
  'wildcardSubscriptionAvailable',
  'subscriptionIdentifiersAvailable',
  'sharedSubscriptionAvailable',
]);

const definitionsById: (Definition | undefined)[] = [];
const definitionsByName = new Map<string, Definition>();
for (const [name, property] of Object.entries(Property) as [
  PropertyName,
  (typeof Property)[PropertyName],
][]) {
  let mask = 0;
  for (const location of property.locations) mask |= PropertyMask[location];
  const type: PropertyDataType = property.type;
  const definition: Definition = {
    name,
    id: property.id,
    kind: flagNames.has(name) ? Kind.flag : Kind[type],
    mask,
    repeatMask:
      name === 'userProperties' ? mask : name === 'subscriptionIdentifiers' ? PropertyMask.publish : 0,
  };
  definitionsById[property.id] = definition;
  definitionsByName.set(name, definition);
}

function hasWildcard(topic: string): boolean {
  return topic.includes('+') || topic.includes('#');
}

/**
 * Reads a property block allowed at `mask`. Unknown or misplaced identifiers are malformed
 * (spec 2.2.2.2); a repeated single-valued property or an out-of-range value is a Protocol Error.
 * Returns undefined for an empty block, so packets without properties carry no `properties`.
 */
export function readProperties(reader: PacketReader, mask: number): Properties | undefined {
  const length = reader.variableByteInteger();
  if (length === 0) return undefined;
  const end = reader.position + length;
  if (end > reader.end) throw reader.malformed('property length exceeds the packet');
  const packetEnd = reader.end;
  reader.end = end;
  const properties: Record<string, unknown> = {};
  let seenLow = 0;
  let seenHigh = 0;
  while (reader.position < end) {
    const id = reader.variableByteInteger();
    const definition = definitionsById[id];
    if (definition === undefined || (definition.mask & mask) === 0) {
      throw reader.malformed(`property 0x${id.toString(16)} is not allowed here`);
    }
    const name = definition.name;
    if ((definition.repeatMask & mask) === 0) {
      const bit = 1 << (id & 31);
      const seen = id < 32 ? seenLow : seenHigh;
      if ((seen & bit) !== 0) throw reader.protocolError(`property ${name} appears more than once`);
      if (id < 32) seenLow |= bit;
      else seenHigh |= bit;
    }
    switch (definition.kind) {
      case Kind.byte: {
        const value = reader.byte();
        if (value > 1) throw reader.protocolError(`property ${name} must be 0 or 1`);
        properties[name] = value;
        break;
      }
      case Kind.flag: {
        const value = reader.byte();
        if (value > 1) throw reader.protocolError(`property ${name} must be 0 or 1`);
        properties[name] = value === 1;
        break;
      }
      case Kind.twoByteInteger: {
        const value = reader.uint16();
        if (value === 0 && name !== 'serverKeepAlive' && name !== 'topicAliasMaximum') {
          throw reader.protocolError(
            `property ${name} must not be 0`,
            undefined,
            name === 'topicAlias' ? 'MQTT-3.3.2-8' : undefined,
          );
        }
        properties[name] = value;
        break;
      }
      case Kind.fourByteInteger: {
        const value = reader.uint32();
        if (value === 0 && name === 'maximumPacketSize')
          throw reader.protocolError('property maximumPacketSize must not be 0');
        properties[name] = value;
        break;
      }
      case Kind.variableByteInteger: {
        const value = reader.variableByteInteger();
        if (value === 0) throw reader.protocolError('subscription identifier 0');
        const list = properties[name] as number[] | undefined;
        if (list === undefined) properties[name] = [value];
        else list.push(value);
        break;
      }
      case Kind.utf8String: {
        const value = reader.string();
        if (name === 'responseTopic' && hasWildcard(value)) {
          throw reader.protocolError('response topic contains a wildcard', undefined, 'MQTT-3.3.2-14');
        }
        properties[name] = value;
        break;
      }
      case Kind.binaryData:
        properties[name] = reader.binary();
        break;
      default: {
        const pair = [reader.string(), reader.string()] as const;
        const list = properties[name] as (readonly [string, string])[] | undefined;
        if (list === undefined) properties[name] = [pair];
        else list.push(pair);
      }
    }
  }
  reader.end = packetEnd;
  return properties;
}

function checkInteger(name: string, value: unknown, limits: { minimum: number; maximum: number }): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < limits.minimum ||
    value > limits.maximum
  ) {
    throw invalidArgument(`property ${name} must be an integer from ${limits.minimum} to ${limits.maximum}`);
  }
  return value;
}

const byteRange = { minimum: 0, maximum: 1 };
const twoByteRange = { minimum: 0, maximum: 0xffff };
const twoByteNonZeroRange = { minimum: 1, maximum: 0xffff };
const fourByteRange = { minimum: 0, maximum: 0xffffffff };
const fourByteNonZeroRange = { minimum: 1, maximum: 0xffffffff };
const identifierRange = { minimum: 1, maximum: maximumVariableByteInteger };

function binaryLength(name: string, value: unknown): number {
  if (!(value instanceof Uint8Array) || value.length > 0xffff) {
    throw invalidArgument(`property ${name} must be a Uint8Array of at most 65,535 bytes`);
  }
  return value.length;
}

function stringLength(name: string, value: unknown): number {
  if (typeof value !== 'string') throw invalidArgument(`property ${name} must be a string`);
  const length = utf8Length(value);
  if (length > 0xffff) throw invalidArgument(`property ${name} is longer than 65,535 bytes`);
  return length;
}

function measureValue(definition: Definition, value: unknown): number {
  const name = definition.name;
  switch (definition.kind) {
    case Kind.byte:
      checkInteger(name, value, byteRange);
      return 2;
    case Kind.flag:
      if (typeof value !== 'boolean') throw invalidArgument(`property ${name} must be a boolean`);
      return 2;
    case Kind.twoByteInteger:
      checkInteger(
        name,
        value,
        name === 'receiveMaximum' || name === 'topicAlias' ? twoByteNonZeroRange : twoByteRange,
      );
      return 3;
    case Kind.fourByteInteger:
      checkInteger(name, value, name === 'maximumPacketSize' ? fourByteNonZeroRange : fourByteRange);
      return 5;
    case Kind.variableByteInteger: {
      if (!Array.isArray(value)) throw invalidArgument(`property ${name} must be an array`);
      let length = 0;
      for (const identifier of value) {
        length += 1 + variableByteIntegerLength(checkInteger(name, identifier, identifierRange));
      }
      return length;
    }
    case Kind.utf8String:
      return 3 + stringLength(name, value);
    case Kind.binaryData:
      return 3 + binaryLength(name, value);
    default: {
      if (!Array.isArray(value)) throw invalidArgument(`property ${name} must be an array of pairs`);
      let length = 0;
      for (const pair of value as unknown[]) {
        if (!Array.isArray(pair) || pair.length !== 2)
          throw invalidArgument(`property ${name} must hold [name, value] pairs`);
        length += 5 + stringLength(name, pair[0]) + stringLength(name, pair[1]);
      }
      return length;
    }
  }
}

/** The byte length of a property block's content (without its length prefix); validates it. */
export function measureProperties(properties: object | undefined, mask: number): number {
  if (properties === undefined) return 0;
  let length = 0;
  for (const name in properties) {
    const value = (properties as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const definition = definitionsByName.get(name);
    if (definition === undefined || (definition.mask & mask) === 0) {
      throw invalidArgument(`property ${name} is not allowed here`);
    }
    if (
      definition.kind === Kind.variableByteInteger &&
      (definition.repeatMask & mask) === 0 &&
      (value as unknown[]).length > 1
    ) {
      throw invalidArgument(`property ${name} may appear only once here`);
    }
    length += measureValue(definition, value);
  }
  return length;
}

/** Writes the length prefix and the properties measured by `measureProperties`. */
export function writeProperties(writer: PacketWriter, properties: object | undefined, length: number): void {
  writer.variableByteInteger(length);
  if (length === 0) return;
  // A non-zero length was measured from these very properties, so they are present.
  for (const name in properties as object) {
    const value = (properties as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const definition = definitionsByName.get(name)!;
    const id = definition.id;
    switch (definition.kind) {
      case Kind.byte:
        writer.byte(id);
        writer.byte(value as number);
        break;
      case Kind.flag:
        writer.byte(id);
        writer.byte(value === true ? 1 : 0);
        break;
      case Kind.twoByteInteger:
        writer.byte(id);
        writer.uint16(value as number);
        break;
      case Kind.fourByteInteger:
        writer.byte(id);
        writer.uint32(value as number);
        break;
      case Kind.variableByteInteger:
        for (const identifier of value as number[]) {
          writer.byte(id);
          writer.variableByteInteger(identifier);
        }
        break;
      case Kind.utf8String:
        writer.byte(id);
        writer.string(value as string);
        break;
      case Kind.binaryData:
        writer.byte(id);
        writer.binary(value as Uint8Array);
        break;
      default:
        for (const [key, text] of value as (readonly [string, string])[]) {
          writer.byte(id);
          writer.string(key);
          writer.string(text);
        }
    }
  }
}
