import { ReasonCode } from '@mqttkit/codec';
import { scanTopicCharacters } from './scan-topic-characters.js';
import type { TopicProblem } from './topic-problem.js';

const plus = 0x2b;
const hash = 0x23;

/**
 * Checks a topic name as a PUBLISH carries it (also a will topic): at least one character, no
 * wildcards, no U+0000, at most 65,535 UTF-8 bytes. Returns undefined when valid.
 */
export function validateTopicName(topic: string): TopicProblem | undefined {
  if (topic.length === 0) {
    return problem('Topic name is empty', 'MQTT-4.7.3-1', 0);
  }
  const characterProblem = scanTopicCharacters(topic);
  if (characterProblem !== undefined) {
    const { message, statement, index } = characterProblem;
    return problem(`Topic name ${message} at index ${index}`, statement, index);
  }
  for (let index = 0; index < topic.length; index++) {
    const code = topic.charCodeAt(index);
    if (code === plus || code === hash) {
      const wildcard = code === plus ? '+' : '#';
      return problem(
        `Topic name contains the wildcard '${wildcard}' at index ${index}`,
        'MQTT-3.3.2-2',
        index,
      );
    }
  }
  return undefined;
}

function problem(message: string, statement: string, index: number): TopicProblem {
  return { reasonCode: ReasonCode.TopicNameInvalid, message, statement, index };
}
