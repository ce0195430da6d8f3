// PINGRESP (spec 3.13): a fixed header and nothing else.
import type { PacketReader } from './packet-reader.js';
import type { Pingresp } from './packet.js';

export function decodePingresp(reader: PacketReader): Pingresp {
  reader.finish('PINGRESP');
  return { type: 'pingresp' };
}
