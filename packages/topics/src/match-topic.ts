import { sharePrefix } from './parse-shared-subscription.js';

const plus = 0x2b;
const hash = 0x23;
const slash = 0x2f;
const dollar = 0x24;

/**
 * True when the topic filter matches the topic name. Both must be valid (see `validateTopicFilter`
 * and `validateTopicName`). A `$share/{ShareName}/` prefix is ignored, and a filter starting with
 * `+` or `#` never matches a topic starting with `$` [MQTT-4.7.2-1]. Allocates nothing.
 */
export function matchTopic(filter: string, topic: string): boolean {
  const filterLength = filter.length;
  const topicLength = topic.length;
  let filterIndex = 0;
  if (filter.startsWith(sharePrefix)) {
    filterIndex = filter.indexOf('/', sharePrefix.length) + 1;
  }
  const first = filter.charCodeAt(filterIndex);
  if (topic.charCodeAt(0) === dollar && (first === plus || first === hash)) {
    return false;
  }
  let topicIndex = 0;
  for (;;) {
    const code = filter.charCodeAt(filterIndex);
    if (code === hash) {
      return true;
    }
    if (code === plus) {
      filterIndex++;
      while (topicIndex < topicLength && topic.charCodeAt(topicIndex) !== slash) {
        topicIndex++;
      }
    } else {
      while (filterIndex < filterLength && filter.charCodeAt(filterIndex) !== slash) {
        if (topic.charCodeAt(topicIndex) !== filter.charCodeAt(filterIndex)) {
          return false;
        }
        filterIndex++;
        topicIndex++;
      }
      if (topicIndex < topicLength && topic.charCodeAt(topicIndex) !== slash) {
        return false;
      }
    }
    // Both sides are at the end of a level: the filter at '/' or its end, the topic likewise.
    if (filterIndex === filterLength) {
      return topicIndex === topicLength;
    }
    if (topicIndex === topicLength) {
      // "a/#" also matches "a": '#' includes the parent level.
      return filterIndex + 2 === filterLength && filter.charCodeAt(filterIndex + 1) === hash;
    }
    filterIndex++;
    topicIndex++;
  }
}
