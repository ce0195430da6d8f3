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
  // Most messages go out in one variant: it lives in these two fields, and the map (whose clear()
  // allocates a new table, once per routed message otherwise) only holds the rarer further ones.
  private firstKey: string | number | undefined;
  private firstBytes: Uint8Array | undefined;
  private readonly variants = new Map<string | number, Uint8Array>();

  begin(message: ApplicationMessage): void {
    this.message = message;
  }

  end(): void {
    this.message = undefined;
    this.firstKey = undefined;
    this.firstBytes = undefined;
    if (this.variants.size > 0) this.variants.clear();
  }

  bytes(packet: Publish, protocolVersion: ProtocolVersion): Uint8Array {
    const message = this.message;
    if (message === undefined || packet.payload !== message.payload) return encode(packet, protocolVersion);
    const properties = packet.properties;
    const flags = protocolVersion * 16 + packet.qos * 4 + (packet.retain ? 2 : 0) + (packet.dup ? 1 : 0);
    // The common variant (the message's own topic and properties) gets a number as key: no string
    // is built per subscriber. Map keys 5 and '5' differ, so the two kinds never collide.
    const key =
      (properties === undefined || properties === message.properties) && packet.topic === message.topic
        ? flags
        : `${flags}${packet.topic}|${properties?.topicAlias ?? ''}|${properties?.subscriptionIdentifiers?.join(',') ?? ''}`;
    const cached = key === this.firstKey ? this.firstBytes : this.variants.get(key);
    if (cached === undefined) {
      const bytes = encode(packet, protocolVersion);
      if (this.firstKey === undefined) {
        this.firstKey = key;
        this.firstBytes = bytes;
      } else {
        this.variants.set(key, bytes);
      }
      return bytes;
    }
    return packet.qos === 0 ? cached : withPacketId(cached, packet.packetId!);
  }
}
