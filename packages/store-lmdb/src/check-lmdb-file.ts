import { open } from 'node:fs/promises';

const metaMagic = 0xbeef_c0de;
const dataVersion = 2;
// Offsets in a meta page of the LMDB build lmdb-js ships (64-bit): a 24-byte page header, then
// MDB_meta (magic, version, address, map size, two 48-byte MDB_db, last page, transaction id).
const magicOffset = 24;
const versionOffset = 28;
const pageSizeOffset = 48;
const lastPageOffset = 144;
const transactionOffset = 152;
const metaBytes = 160;

/**
 * Looks at the two meta pages of an LMDB data file before the native library maps it: a foreign,
 * truncated or overwritten file makes LMDB crash the process instead of failing, so it must be
 * caught here. Returns what is wrong, or `undefined` for a file that looks sound (or does not exist).
 */
export async function checkLmdbFile(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    // A file LMDB created but never wrote its first page to: it starts over, losing nothing committed.
    if (size === 0) return undefined;
    const first = Buffer.alloc(metaBytes);
    await handle.read(first, 0, metaBytes, 0);
    if (size < metaBytes || first.readUInt32LE(magicOffset) !== metaMagic) {
      return 'it is not an LMDB data file (no meta page magic)';
    }
    const pageSize = first.readUInt32LE(pageSizeOffset);
    if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) {
      return `its meta page names an impossible page size ${String(pageSize)}`;
    }
    if (size < 2 * pageSize) return `it is cut short: ${String(size)} bytes, less than two pages`;
    const second = Buffer.alloc(metaBytes);
    await handle.read(second, 0, metaBytes, pageSize);
    const metas = [first, second];
    for (const [index, meta] of metas.entries()) {
      if (meta.readUInt32LE(magicOffset) !== metaMagic) return `meta page ${String(index)} is overwritten`;
      const version = meta.readUInt32LE(versionOffset);
      if (version !== dataVersion)
        return `meta page ${String(index)} has LMDB data version ${String(version)}`;
    }
    const newest =
      first.readBigUInt64LE(transactionOffset) >= second.readBigUInt64LE(transactionOffset) ? first : second;
    const needed = (newest.readBigUInt64LE(lastPageOffset) + 1n) * BigInt(pageSize);
    if (needed > BigInt(size)) {
      return `it is cut short: ${String(size)} bytes, but its last transaction uses ${String(needed)}`;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
