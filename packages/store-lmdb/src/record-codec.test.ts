import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open as openLmdb } from 'lmdb';
import type { RootDatabase } from 'lmdb';
import type { StoredOutboundRecord } from '@mqttkit/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecord } from './decode-entry.js';
import { decodeBinaryRecord, encodeRecord, hasBinaryLayout } from './record-codec.js';

let directory = '';
let database: RootDatabase;
beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'mqttkit-record-'));
  database = openLmdb({ path: join(directory, 'data.mdb'), keyEncoding: 'binary', noSync: true });
});
afterEach(async () => {
  await database.close();
  rmSync(directory, { recursive: true, force: true });
});

/** Puts the encoded record and reads it back as `readAll` does. */
async function roundTrip(record: StoredOutboundRecord): Promise<StoredOutboundRecord> {
  await database.put(Buffer.of(1), encodeRecord(record));
  return decodeRecord(database.get(Buffer.of(1)));
}

const plain: StoredOutboundRecord = {
  sequence: 1,
  message: { topic: 'a/b', payload: Uint8Array.of(1, 2, 3), qos: 1, retain: false },
  qos: 1,
  retain: false,
  bytes: 6,
  phase: 'queued',
};

describe('the binary layout of outbound records', () => {
  it('reads back a queued record exactly, through LMDB and MessagePack', async () => {
    const back = await roundTrip(plain);
    expect(back).toStrictEqual({ ...plain, message: { ...plain.message, payload: Buffer.from([1, 2, 3]) } });
    expect(back.packetId).toBeUndefined();
    expect(back.subscriptionIdentifiers).toBeUndefined();
    expect(back.message.expiresAt).toBeUndefined();
  });

  it('keeps every optional field and flag: packet id, identifiers, expiry, both RETAIN flags', async () => {
    const payload = Buffer.alloc(70_000, 0xab);
    const record: StoredOutboundRecord = {
      sequence: 2 ** 40 + 7,
      message: {
        topic: 'capteurs/température/☃',
        payload,
        qos: 2,
        retain: true,
        expiresAt: 1_765_000_000_123,
      },
      qos: 2,
      retain: true,
      subscriptionIdentifiers: [1, 268_435_455],
      bytes: 70_030,
      phase: 'pubrel',
      packetId: 65_535,
    };
    expect(await roundTrip(record)).toStrictEqual(record);
    for (const phase of ['queued', 'publish', 'pubrel'] as const) {
      expect((await roundTrip({ ...plain, phase, packetId: 9 })).phase).toBe(phase);
    }
  });

  it('reads an empty payload and an empty identifier list', async () => {
    const record: StoredOutboundRecord = {
      ...plain,
      message: { ...plain.message, payload: new Uint8Array(0) },
      subscriptionIdentifiers: [],
    };
    const back = await roundTrip(record);
    expect(back.message.payload.byteLength).toBe(0);
    expect(back.subscriptionIdentifiers).toStrictEqual([]);
  });

  it('is used only for messages without properties, which keep the object encoding', () => {
    expect(hasBinaryLayout(plain)).toBe(true);
    expect(
      hasBinaryLayout({ ...plain, message: { ...plain.message, properties: { contentType: 'text/plain' } } }),
    ).toBe(false);
  });

  it('refuses bytes it did not write', () => {
    const encoded = (encodeRecord(plain) as Record<string, Buffer>)['\x10binary-data\x02']!;
    const body = encoded.subarray(5);
    expect(() => decodeBinaryRecord(body.subarray(0, 20))).toThrow(/malformed outbound record/);
    expect(() => decodeBinaryRecord(body.subarray(0, body.byteLength - 1))).toThrow(/lengths/);
    const wrongTag = Buffer.from(body);
    wrongTag[0] = 9;
    expect(() => decodeBinaryRecord(wrongTag)).toThrow(/unknown format/);
    const wrongPhase = Buffer.from(body);
    wrongPhase[4] = 3;
    expect(() => decodeBinaryRecord(wrongPhase)).toThrow(/out of range/);
  });
});
