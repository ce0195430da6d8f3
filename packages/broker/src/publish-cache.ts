import { encode, withPacketId } from '@mqttkit/codec';
import type { ProtocolVersion, Publish } from '@mqttkit/codec';
import type { ApplicationMessage } from '@mqttkit/session';

/**
 * Encodes each PUBLISH of the message being routed once per variant (protocol version, QoS,
 * RETAIN, DUP, topic alias, subscription identifiers) and gives every subscriber those bytes: as
 * they are for QoS 0, as a copy with its own packet id for QoS 1 and 2 (a copy, because earlier
 * subscribers' sockets may still hold the first bytes).
 */
export class PublishCache {
  private message: ApplicationMessage | undefined;
  private readonly variants = new Map<string, Uint8Array>();

  begin(message: ApplicationMessage): void {
    this.message = message;
  }

  end(): void {
    this.message = undefined;
    this.variants.clear();
  }

  bytes(packet: Publish, protocolVersion: ProtocolVersion): Uint8Array {
    const message = this.message;
    if (message === undefined || packet.payload !== message.payload) return encode(packet, protocolVersion);
    const properties = packet.properties;
    const key =
      properties === undefined || properties === message.properties
        ? `${protocolVersion}${packet.qos}${packet.retain ? 1 : 0}${packet.dup ? 1 : 0}${packet.topic}`
        : `${protocolVersion}${packet.qos}${packet.retain ? 1 : 0}${packet.dup ? 1 : 0}${packet.topic}|${properties.topicAlias ?? ''}|${properties.subscriptionIdentifiers?.join(',') ?? ''}`;
    const cached = this.variants.get(key);
    if (cached === undefined) {
      const bytes = encode(packet, protocolVersion);
      this.variants.set(key, bytes);
      return bytes;
    }
    return packet.qos === 0 ? cached : withPacketId(cached, packet.packetId!);
  }
}
