/** The largest value a Variable Byte Integer can hold (spec 1.5.5): four bytes of seven bits. */
export const maximumVariableByteInteger = 268_435_455;

/** How many bytes the Variable Byte Integer encoding of `value` takes (1 to 4). */
export function variableByteIntegerLength(value: number): number {
  if (value < 128) return 1;
  if (value < 16_384) return 2;
  if (value < 2_097_152) return 3;
  return 4;
}
