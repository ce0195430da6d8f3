// Encoded packets and joined packet bodies are carved from 64 KiB slabs, like Node's Buffer pool
// but eight times larger: one slab serves many packets, is never zero-filled when Node's
// allocUnsafeSlow exists, and no byte of it is handed out twice. A view keeps its whole slab alive,
// as a pooled Buffer keeps its pool alive.
type AllocateUnsafeSlow = (size: number) => Uint8Array;

const allocateUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow?: AllocateUnsafeSlow } }).Buffer
  ?.allocUnsafeSlow;

const slabSize = 64 * 1024;
const largestPooled = slabSize / 8;

let slab = new ArrayBuffer(0);
let slabOffset = 0;

function freshBuffer(size: number): ArrayBuffer {
  return allocateUnsafeSlow === undefined
    ? new ArrayBuffer(size)
    : (allocateUnsafeSlow(size).buffer as ArrayBuffer);
}

/** Uninitialised bytes: every caller overwrites all of them. */
export function allocateBytes(size: number): Uint8Array {
  if (size > largestPooled) return new Uint8Array(freshBuffer(size), 0, size);
  if (slabOffset + size > slab.byteLength) {
    slab = freshBuffer(slabSize);
    slabOffset = 0;
  }
  const bytes = new Uint8Array(slab, slabOffset, size);
  slabOffset += size;
  return bytes;
}
