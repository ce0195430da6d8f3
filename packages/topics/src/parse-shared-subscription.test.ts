import { describe, expect, it } from 'vitest';
import { parseSharedSubscription } from './parse-shared-subscription.js';

describe('parseSharedSubscription', () => {
  it('[MQTT-4.8.2-1] splits $share/{ShareName}/{filter}', () => {
    expect(parseSharedSubscription('$share/group/a/+/#')).toEqual({
      shareName: 'group',
      topicFilter: 'a/+/#',
    });
    expect(parseSharedSubscription('$share/g/$SYS/x')).toEqual({ shareName: 'g', topicFilter: '$SYS/x' });
  });

  it('returns undefined for filters that are not shared subscriptions', () => {
    expect(parseSharedSubscription('a/b')).toBeUndefined();
    expect(parseSharedSubscription('$share')).toBeUndefined();
    expect(parseSharedSubscription('$SHARE/g/a')).toBeUndefined();
    expect(parseSharedSubscription('$share/group')).toBeUndefined();
  });
});
