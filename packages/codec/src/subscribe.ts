// SUBSCRIBE (spec 3.8, 3.1.1 section 3.8).
import { invalidArgument } from './invalid-argument.js';
import type { PacketReader } from './packet-reader.js';
import type { PacketWriter } from './packet-writer.js';
import type { ProtocolVersion, QoS, Subscribe, SubscribeProperties, Subscription } from './packet.js';
import { PropertyMask, measureProperties, readProperties, writeProperties } from './properties-codec.js';
import { utf8Length } from './utf8-string.js';
import { variableByteIntegerLength } from './variable-byte-integer.js';

function isShared(topicFilter: string): boolean {
  return topicFilter.startsWith('$share/');
}

function readSubscription(reader: PacketReader): Subscription {
  const topicFilter = reader.string();
  if (topicFilter.length === 0)
    throw reader.protocolError('SUBSCRIBE topic filter is empty', 'MQTT-4.7.3-1', 'MQTT-4.7.3-1');
  const options = reader.byte();
  const qos = options & 3;
  if (reader.protocolVersion !== 5) {
    if (options > 2) throw reader.malformed('SUBSCRIBE requested QoS byte is invalid', 'MQTT-3.8.3-4');
    return { topicFilter, qos: qos as QoS, noLocal: false, retainAsPublished: false, retainHandling: 0 };
  }
  if ((options & 0xc0) !== 0)
    throw reader.malformed('SUBSCRIBE options reserved bits are set', undefined, 'MQTT-3.8.3-5');
  if (qos === 3) throw reader.protocolError('SUBSCRIBE maximum QoS is 3');
  const retainHandling = (options >> 4) & 3;
  if (retainHandling === 3) throw reader.protocolError('SUBSCRIBE retain handling is 3');
  const noLocal = (options & 4) !== 0;
  if (noLocal && isShared(topicFilter)) {
    throw reader.protocolError('No Local on a shared subscription', undefined, 'MQTT-3.8.3-4');
  }
  return {
    topicFilter,
    qos: qos as QoS,
    noLocal,
    retainAsPublished: (options & 8) !== 0,
    retainHandling: retainHandling as 0 | 1 | 2,
  };
}

export function decodeSubscribe(reader: PacketReader): Subscribe {
  const packetId = reader.packetId();
  const packet: Subscribe = { type: 'subscribe', packetId, subscriptions: [] };
  if (reader.protocolVersion === 5) {
    const properties = readProperties(reader, PropertyMask.subscribe);
    if (properties !== undefined) packet.properties = properties as SubscribeProperties;
  }
  if (reader.remaining === 0)
    throw reader.protocolError('SUBSCRIBE has no topic filter', 'MQTT-3.8.3-3', 'MQTT-3.8.3-2');
  while (reader.remaining > 0) packet.subscriptions.push(readSubscription(reader));
  return packet;
}

function subscriptionOptions(subscription: Subscription, version: ProtocolVersion): number {
  const { qos, retainHandling } = subscription;
  if (qos !== 0 && qos !== 1 && qos !== 2) throw invalidArgument('subscription QoS must be 0, 1 or 2');
  if (version !== 5) return qos;
  if (retainHandling !== 0 && retainHandling !== 1 && retainHandling !== 2) {
    throw invalidArgument('retain handling must be 0, 1 or 2');
  }
  if (subscription.noLocal && isShared(subscription.topicFilter)) {
    throw invalidArgument('No Local is not allowed on a shared subscription', 'MQTT-3.8.3-4');
  }
  return (
    qos | (subscription.noLocal ? 4 : 0) | (subscription.retainAsPublished ? 8 : 0) | (retainHandling << 4)
  );
}

export function measureSubscribe(packet: Subscribe, writer: PacketWriter, version: ProtocolVersion): number {
  const packetId = packet.packetId;
  if (!Number.isInteger(packetId) || packetId < 1 || packetId > 0xffff) {
    throw invalidArgument('SUBSCRIBE needs a packet id from 1 to 65,535', 'MQTT-2.2.1-3');
  }
  if (packet.subscriptions.length === 0)
    throw invalidArgument('SUBSCRIBE needs a topic filter', 'MQTT-3.8.3-2');
  let length = 2;
  for (const subscription of packet.subscriptions) {
    const filterLength = utf8Length(subscription.topicFilter);
    if (filterLength === 0 || filterLength > 0xffff) {
      throw invalidArgument('a topic filter is 1 to 65,535 bytes long', 'MQTT-4.7.3-1');
    }
    subscriptionOptions(subscription, version);
    length += 3 + filterLength;
  }
  if (version === 5) {
    const propertiesLength = measureProperties(packet.properties, PropertyMask.subscribe);
    writer.propertiesLength = propertiesLength;
    length += variableByteIntegerLength(propertiesLength) + propertiesLength;
  }
  return length;
}

export function writeSubscribe(writer: PacketWriter, packet: Subscribe, version: ProtocolVersion): void {
  writer.uint16(packet.packetId);
  if (version === 5) writeProperties(writer, packet.properties, writer.propertiesLength);
  for (const subscription of packet.subscriptions) {
    writer.string(subscription.topicFilter);
    writer.byte(subscriptionOptions(subscription, version));
  }
}
