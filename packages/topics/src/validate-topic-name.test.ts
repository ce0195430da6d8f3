import { ReasonCode } from '@mqttkit/codec';
import { describe, expect, it } from 'vitest';
import { validateTopicName } from './validate-topic-name.js';

describe('validateTopicName', () => {
  it('accepts ordinary, $-prefixed, empty-level and non-ASCII names', () => {
    for (const topic of [
      'a',
      'a/b/c',
      '/',
      '//',
      'a//b',
      '$SYS/broker',
      'caf\u00e9/\u{1f600}',
      ' ',
      '$share',
    ]) {
      expect(validateTopicName(topic)).toBeUndefined();
    }
  });

  it('[MQTT-4.7.3-1] rejects the empty name', () => {
    expect(validateTopicName('')).toEqual({
      reasonCode: ReasonCode.TopicNameInvalid,
      message: 'Topic name is empty',
      statement: 'MQTT-4.7.3-1',
      index: 0,
    });
  });

  it('[MQTT-3.3.2-2] rejects wildcards and says where', () => {
    expect(validateTopicName('a/+/c')).toMatchObject({
      reasonCode: ReasonCode.TopicNameInvalid,
      statement: 'MQTT-3.3.2-2',
      index: 2,
      message: "Topic name contains the wildcard '+' at index 2",
    });
    expect(validateTopicName('a/b#')).toMatchObject({ statement: 'MQTT-3.3.2-2', index: 3 });
    expect(validateTopicName('#')).toMatchObject({ statement: 'MQTT-3.3.2-2', index: 0 });
  });

  it('[MQTT-4.7.3-2] rejects U+0000 and says where', () => {
    expect(validateTopicName('ab\u0000')).toMatchObject({
      reasonCode: ReasonCode.TopicNameInvalid,
      statement: 'MQTT-4.7.3-2',
      index: 2,
    });
  });

  it('[MQTT-1.5.4-1] rejects unpaired surrogates, which have no UTF-8 form', () => {
    expect(validateTopicName('a\ud800')).toMatchObject({ statement: 'MQTT-1.5.4-1', index: 1 });
    expect(validateTopicName('a\ud800b')).toMatchObject({ statement: 'MQTT-1.5.4-1', index: 1 });
    expect(validateTopicName('\udc00')).toMatchObject({ statement: 'MQTT-1.5.4-1', index: 0 });
  });

  it('[MQTT-4.7.3-3] accepts exactly 65,535 UTF-8 bytes and rejects one more', () => {
    expect(validateTopicName('a'.repeat(65_535))).toBeUndefined();
    expect(validateTopicName('a'.repeat(65_536))).toMatchObject({ statement: 'MQTT-4.7.3-3', index: 65_535 });
    // 2-, 3- and 4-byte characters count by their UTF-8 size, not their UTF-16 length.
    expect(validateTopicName('\u00e9'.repeat(32_767) + 'a')).toBeUndefined();
    expect(validateTopicName('\u00e9'.repeat(32_768))).toMatchObject({ statement: 'MQTT-4.7.3-3' });
    expect(validateTopicName('\u20ac'.repeat(21_845))).toBeUndefined();
    expect(validateTopicName('\u20ac'.repeat(21_846))).toMatchObject({
      statement: 'MQTT-4.7.3-3',
      index: 21_845,
    });
    expect(validateTopicName('\u{1f600}'.repeat(16_383) + 'abc')).toBeUndefined();
    expect(validateTopicName('\u{1f600}'.repeat(16_384))).toMatchObject({ statement: 'MQTT-4.7.3-3' });
  });
});
