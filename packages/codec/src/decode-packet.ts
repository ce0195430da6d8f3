// Dispatches one packet body to its decoder after checking the fixed-header flags.
import { decodeAcknowledgement } from './acknowledgement.js';
import { decodeAuth } from './auth.js';
import { decodeConnack } from './connack.js';
import { decodeConnect } from './connect.js';
import { decodeDisconnect } from './disconnect.js';
import type { PacketReader } from './packet-reader.js';
import type { Packet } from './packet.js';
import { decodePingreq } from './pingreq.js';
import { decodePingresp } from './pingresp.js';
import { decodePublish } from './publish.js';
import { decodeSuback } from './suback.js';
import { decodeSubscribe } from './subscribe.js';
import { decodeUnsuback } from './unsuback.js';
import { decodeUnsubscribe } from './unsubscribe.js';

function checkFlags(reader: PacketReader, flags: number, expected: number): void {
  if (flags !== expected)
    throw reader.malformed('fixed header has invalid flags', 'MQTT-2.2.2-1', 'MQTT-2.1.3-1');
}

/** Decodes the body between `reader.position` and `reader.end` of a packet whose first byte is `firstByte`. */
export function decodePacket(reader: PacketReader, firstByte: number): Packet {
  const flags = firstByte & 0x0f;
  switch (firstByte >> 4) {
    case 3:
      return decodePublish(reader, flags);
    case 4:
      checkFlags(reader, flags, 0);
      return decodeAcknowledgement(reader, 'puback');
    case 5:
      checkFlags(reader, flags, 0);
      return decodeAcknowledgement(reader, 'pubrec');
    case 6:
      if (flags !== 2) throw reader.malformed('PUBREL flags are not 0010', 'MQTT-3.6.1-1', 'MQTT-3.6.1-1');
      return decodeAcknowledgement(reader, 'pubrel');
    case 7:
      checkFlags(reader, flags, 0);
      return decodeAcknowledgement(reader, 'pubcomp');
    case 8:
      if (flags !== 2) throw reader.malformed('SUBSCRIBE flags are not 0010', 'MQTT-3.8.1-1', 'MQTT-3.8.1-1');
      return decodeSubscribe(reader);
    case 9:
      checkFlags(reader, flags, 0);
      return decodeSuback(reader);
    case 10:
      if (flags !== 2)
        throw reader.malformed('UNSUBSCRIBE flags are not 0010', 'MQTT-3.10.1-1', 'MQTT-3.10.1-1');
      return decodeUnsubscribe(reader);
    case 11:
      checkFlags(reader, flags, 0);
      return decodeUnsuback(reader);
    case 12:
      checkFlags(reader, flags, 0);
      return decodePingreq(reader);
    case 13:
      checkFlags(reader, flags, 0);
      return decodePingresp(reader);
    case 14:
      if (flags !== 0) throw reader.malformed('DISCONNECT flags are not 0', 'MQTT-3.14.1-1', 'MQTT-3.14.1-1');
      return decodeDisconnect(reader);
    case 1:
      checkFlags(reader, flags, 0);
      return decodeConnect(reader);
    case 2:
      checkFlags(reader, flags, 0);
      return decodeConnack(reader);
    case 15:
      if (reader.protocolVersion !== 5)
        throw reader.malformed('packet type 15 (AUTH) does not exist before MQTT 5');
      if (flags !== 0) throw reader.malformed('AUTH flags are not 0', undefined, 'MQTT-3.15.1-1');
      return decodeAuth(reader);
    default:
      throw reader.malformed('packet type 0 is reserved');
  }
}
