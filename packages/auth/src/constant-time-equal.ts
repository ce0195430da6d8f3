import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in time that depends only on their lengths' digests, not on where
 * they differ. Both sides are hashed first so that inputs of different lengths (a plain-text
 * password against a guess) are compared without revealing the expected length.
 */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
