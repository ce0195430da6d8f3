// PINGREQ (spec 3.12): a fixed header and nothing else.
import type { PacketReader } from './packet-reader.js';
import type { Pingreq } from './packet.js';

export function decodePingreq(reader: PacketReader): Pingreq {
  reader.finish('PINGREQ');
  return { type: 'pingreq' };
}
