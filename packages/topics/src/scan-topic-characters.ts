import { TopicLimits } from './topic-limits.js';

const nullCharacter = 0x0000;
const firstHighSurrogate = 0xd800;
const firstLowSurrogate = 0xdc00;
const lastLowSurrogate = 0xdfff;

/** The result of `scanTopicCharacters`: a character problem, or none. */
export interface CharacterProblem {
  readonly message: string;
  readonly statement: string;
  readonly index: number;
}

/**
 * Checks the rules topic names and filters share: no U+0000, well-formed UTF-16 (so the string
 * has a UTF-8 form), and at most 65,535 UTF-8 bytes. One pass, no allocation when valid.
 */
export function scanTopicCharacters(text: string): CharacterProblem | undefined {
  const length = text.length;
  // Three UTF-8 bytes per UTF-16 unit is the worst case, so short strings skip the byte count.
  let bytes = length * 3 <= TopicLimits.maximumBytes ? Number.NEGATIVE_INFINITY : 0;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code === nullCharacter) {
        return { message: 'contains the null character U+0000', statement: 'MQTT-4.7.3-2', index };
      }
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code < firstHighSurrogate || code > lastLowSurrogate) {
      bytes += 3;
    } else {
      const next = text.charCodeAt(index + 1);
      if (code >= firstLowSurrogate || !(next >= firstLowSurrogate && next <= lastLowSurrogate)) {
        return {
          message: 'contains an unpaired surrogate (it has no UTF-8 form)',
          statement: 'MQTT-1.5.4-1',
          index,
        };
      }
      bytes += 4;
      index++;
    }
    if (bytes > TopicLimits.maximumBytes) {
      return {
        message: `is longer than ${TopicLimits.maximumBytes} UTF-8 bytes`,
        statement: 'MQTT-4.7.3-3',
        index,
      };
    }
  }
  return undefined;
}
