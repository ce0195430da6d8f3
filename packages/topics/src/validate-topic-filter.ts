import { ReasonCode } from '@mqttkit/codec';
import { sharePrefix } from './parse-shared-subscription.js';
import { scanTopicCharacters } from './scan-topic-characters.js';
import type { TopicProblem } from './topic-problem.js';

const plus = 0x2b;
const hash = 0x23;
const slash = 0x2f;

/**
 * Checks a topic filter as SUBSCRIBE and UNSUBSCRIBE carry it: at least one character, no
 * U+0000, at most 65,535 UTF-8 bytes, `+` filling a whole level, `#` alone in the last level, and
 * for `$share/{ShareName}/{filter}` a non-empty ShareName without `/`, `+` or `#` followed by a
 * valid filter. Returns undefined when valid.
 */
export function validateTopicFilter(filter: string): TopicProblem | undefined {
  if (filter.length === 0) {
    return problem('Topic filter is empty', 'MQTT-4.7.3-1', 0);
  }
  const characterProblem = scanTopicCharacters(filter);
  if (characterProblem !== undefined) {
    const { message, statement, index } = characterProblem;
    return problem(`Topic filter ${message} at index ${index}`, statement, index);
  }
  let start = 0;
  if (filter.startsWith(sharePrefix)) {
    const shareProblem = validateShareName(filter);
    if (shareProblem !== undefined) {
      return shareProblem;
    }
    start = filter.indexOf('/', sharePrefix.length) + 1;
  }
  return validateWildcards(filter, start);
}

function validateShareName(filter: string): TopicProblem | undefined {
  const nameStart = sharePrefix.length;
  for (let index = nameStart; index < filter.length; index++) {
    const code = filter.charCodeAt(index);
    if (code === slash) {
      if (index === nameStart) {
        return problem('Shared subscription has an empty ShareName', 'MQTT-4.8.2-1', index);
      }
      if (index === filter.length - 1) {
        return problem(
          'Shared subscription has no topic filter after its ShareName',
          'MQTT-4.8.2-2',
          index + 1,
        );
      }
      return undefined;
    }
    if (code === plus || code === hash) {
      const wildcard = code === plus ? '+' : '#';
      return problem(
        `ShareName contains the wildcard '${wildcard}' at index ${index}`,
        'MQTT-4.8.2-2',
        index,
      );
    }
  }
  return nameStart === filter.length
    ? problem('Shared subscription has an empty ShareName', 'MQTT-4.8.2-1', nameStart)
    : problem(
        "Shared subscription has no '/' and topic filter after its ShareName",
        'MQTT-4.8.2-2',
        filter.length,
      );
}

function validateWildcards(filter: string, start: number): TopicProblem | undefined {
  const last = filter.length - 1;
  for (let index = start; index <= last; index++) {
    const code = filter.charCodeAt(index);
    if (code !== plus && code !== hash) {
      continue;
    }
    const levelStart = index === start || filter.charCodeAt(index - 1) === slash;
    if (code === hash) {
      if (!levelStart || index !== last) {
        return problem(
          `'#' at index ${index} must be the whole last level of the topic filter`,
          'MQTT-4.7.1-1',
          index,
        );
      }
    } else if (!levelStart || (index !== last && filter.charCodeAt(index + 1) !== slash)) {
      return problem(
        `'+' at index ${index} must fill a whole level of the topic filter`,
        'MQTT-4.7.1-2',
        index,
      );
    }
  }
  return undefined;
}

function problem(message: string, statement: string, index: number): TopicProblem {
  return { reasonCode: ReasonCode.TopicFilterInvalid, message, statement, index };
}
