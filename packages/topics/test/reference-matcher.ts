import fc from 'fast-check';

/** The plainest possible matcher, written from the spec text, to compare the fast ones against. */
export function referenceMatch(filter: string, topic: string): boolean {
  const topicFilter = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  const filterLevels = topicFilter.split('/');
  const topicLevels = topic.split('/');
  if (topic.startsWith('$') && (filterLevels[0] === '+' || filterLevels[0] === '#')) {
    return false;
  }
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === '#') {
      return true;
    }
    if (index >= topicLevels.length || (level !== '+' && level !== topicLevels[index])) {
      return false;
    }
  }
  return filterLevels.length === topicLevels.length;
}

// Besides short levels, levels around 16 characters and beyond U+00FF, which the subscription
// trie compares differently (inside its edge table or as text).
const topicLevel = fc.constantFrom(
  'a',
  'b',
  'ab',
  '',
  '$',
  '$x',
  'caf\u00e9',
  'abcdefghijklmnop',
  'abcdefghijklmnopq',
  'abcdefghijklmno\u0101',
  '\u{1f600}',
);

/** Topic names of 1 to 5 levels, including `$` topics and empty levels. */
export const topicArbitrary = fc
  .array(topicLevel, { minLength: 1, maxLength: 5 })
  .map((levels) => levels.join('/'))
  .filter((topic) => topic.length > 0);

/** Topic filters with `+` at any level and `#` as any last level, sometimes shared. */
export const filterArbitrary = fc
  .tuple(
    fc.array(fc.oneof(topicLevel, fc.constant('+')), { minLength: 0, maxLength: 5 }),
    fc.boolean(),
    fc.constantFrom(undefined, 'g1', 'g2'),
  )
  .map(([levels, endsInHash, shareName]) => ({
    topicFilter: (endsInHash ? [...levels, '#'] : levels).join('/'),
    shareName,
  }))
  .filter(({ topicFilter }) => topicFilter.length > 0)
  .map(({ topicFilter, shareName }) =>
    shareName === undefined ? topicFilter : `$share/${shareName}/${topicFilter}`,
  );
