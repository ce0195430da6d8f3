import { ReasonCode } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { validateTopicFilter } from './validate-topic-filter.js';

describe('validateTopicFilter', () => {
  it('accepts filters with wildcards in valid places', () => {
    const valid = [
      'a',
      '#',
      '+',
      '/',
      '+/+',
      '/+',
      '+/',
      'a/#',
      '+/#',
      '/#',
      'a/+/b',
      '$SYS/#',
      'a//b',
      '$share',
      'a/$share/b/#',
    ];
    for (const filter of valid) {
      expect(validateTopicFilter(filter), filter).toBeUndefined();
    }
  });

  it('[MQTT-4.7.3-1] rejects the empty filter', () => {
    expect(validateTopicFilter('')).toEqual({
      reasonCode: ReasonCode.TopicFilterInvalid,
      message: 'Topic filter is empty',
      statement: 'MQTT-4.7.3-1',
      index: 0,
    });
  });

  it("[MQTT-4.7.1-1] rejects '#' that is not the whole last level", () => {
    expect(validateTopicFilter('a/#/b')).toEqual({
      reasonCode: ReasonCode.TopicFilterInvalid,
      message: "'#' at index 2 must be the whole last level of the topic filter",
      statement: 'MQTT-4.7.1-1',
      index: 2,
    });
    expect(validateTopicFilter('a#')).toMatchObject({ statement: 'MQTT-4.7.1-1', index: 1 });
    expect(validateTopicFilter('#a')).toMatchObject({ statement: 'MQTT-4.7.1-1', index: 0 });
    expect(validateTopicFilter('##')).toMatchObject({ statement: 'MQTT-4.7.1-1', index: 0 });
    expect(validateTopicFilter('#/')).toMatchObject({ statement: 'MQTT-4.7.1-1', index: 0 });
  });

  it("[MQTT-4.7.1-2] rejects '+' that does not fill its level", () => {
    expect(validateTopicFilter('a/b+')).toEqual({
      reasonCode: ReasonCode.TopicFilterInvalid,
      message: "'+' at index 3 must fill a whole level of the topic filter",
      statement: 'MQTT-4.7.1-2',
      index: 3,
    });
    expect(validateTopicFilter('+a')).toMatchObject({ statement: 'MQTT-4.7.1-2', index: 0 });
    expect(validateTopicFilter('a/++/b')).toMatchObject({ statement: 'MQTT-4.7.1-2', index: 2 });
  });

  it('[MQTT-4.7.3-2] rejects U+0000 and says where', () => {
    expect(validateTopicFilter('a/\u0000')).toMatchObject({
      reasonCode: ReasonCode.TopicFilterInvalid,
      statement: 'MQTT-4.7.3-2',
      index: 2,
    });
  });

  it('[MQTT-1.5.4-1] rejects unpaired surrogates', () => {
    expect(validateTopicFilter('a/\udfff')).toMatchObject({ statement: 'MQTT-1.5.4-1', index: 2 });
  });

  it('[MQTT-4.7.3-3] rejects filters longer than 65,535 UTF-8 bytes', () => {
    expect(validateTopicFilter('a/'.repeat(32_767) + '#')).toBeUndefined();
    expect(validateTopicFilter('a/'.repeat(32_768))).toMatchObject({ statement: 'MQTT-4.7.3-3' });
  });

  it('[MQTT-4.8.2-1] accepts shared subscriptions with a ShareName and a filter', () => {
    for (const filter of [
      '$share/group/a/b',
      '$share/g/#',
      '$share/g/+',
      '$share/g/$SYS/#',
      '$share/$g/a',
      '$share/g//',
    ]) {
      expect(validateTopicFilter(filter), filter).toBeUndefined();
    }
  });

  it('[MQTT-4.8.2-1] rejects a shared subscription with an empty ShareName', () => {
    expect(validateTopicFilter('$share//a')).toEqual({
      reasonCode: ReasonCode.TopicFilterInvalid,
      message: 'Shared subscription has an empty ShareName',
      statement: 'MQTT-4.8.2-1',
      index: 7,
    });
    expect(validateTopicFilter('$share/')).toMatchObject({ statement: 'MQTT-4.8.2-1', index: 7 });
  });

  it("[MQTT-4.8.2-2] rejects a ShareName with '+' or '#', or with no filter after it", () => {
    expect(validateTopicFilter('$share/g+/a')).toMatchObject({
      statement: 'MQTT-4.8.2-2',
      index: 8,
      message: "ShareName contains the wildcard '+' at index 8",
    });
    expect(validateTopicFilter('$share/#/a')).toMatchObject({ statement: 'MQTT-4.8.2-2', index: 7 });
    expect(validateTopicFilter('$share/group')).toMatchObject({
      statement: 'MQTT-4.8.2-2',
      index: 12,
      message: "Shared subscription has no '/' and topic filter after its ShareName",
    });
    expect(validateTopicFilter('$share/group/')).toMatchObject({
      statement: 'MQTT-4.8.2-2',
      index: 13,
      message: 'Shared subscription has no topic filter after its ShareName',
    });
  });

  it('[MQTT-4.7.1-1] applies the wildcard rules to the filter of a shared subscription', () => {
    expect(validateTopicFilter('$share/g/a#')).toMatchObject({ statement: 'MQTT-4.7.1-1', index: 10 });
    expect(validateTopicFilter('$share/g/+a')).toMatchObject({ statement: 'MQTT-4.7.1-2', index: 9 });
  });
});
