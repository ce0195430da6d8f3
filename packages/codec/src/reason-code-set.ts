/** A lookup table of the reason codes one packet type may carry (spec 2.4). */
export function reasonCodeSet(codes: readonly number[]): Uint8Array {
  const set = new Uint8Array(256);
  for (const code of codes) set[code] = 1;
  return set;
}

export function isReasonCode(value: unknown, set: Uint8Array): boolean {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255 && set[value] === 1
  );
}
