function startsWithWildcard(level: string | undefined): boolean {
  return level === '+' || level === '#';
}

/**
 * Whether every topic that the `requested` filter matches is also matched by `granted`, so that
 * a grant of `a/#` covers a subscription to `a/+/b`, but a grant of `a/+` does not cover `a/#`.
 * Both filters must be valid and without a `$share/` prefix. A granted filter starting with a
 * wildcard covers no `$` topic [MQTT-4.7.2-1], so it does not cover `$SYS/#`.
 */
export function topicFilterCovers(granted: string, requested: string): boolean {
  const grantedLevels = granted.split('/');
  const requestedLevels = requested.split('/');
  if (
    startsWithWildcard(grantedLevels[0]) &&
    !startsWithWildcard(requestedLevels[0]) &&
    requested.startsWith('$')
  ) {
    return false;
  }
  for (const [index, requestedLevel] of requestedLevels.entries()) {
    const grantedLevel = grantedLevels[index];
    if (grantedLevel === '#') return true;
    if (requestedLevel === '#') {
      // A requested `#` also matches its parent level, which only a granted `#` matches too,
      // except at the first level, where there is no parent and `+/#` matches everything `#` does.
      return index === 0 && grantedLevel === '+' && grantedLevels.length === 2 && grantedLevels[1] === '#';
    }
    if (grantedLevel === undefined) return false;
    if (grantedLevel === '+') continue;
    if (requestedLevel !== grantedLevel) return false;
  }
  // A granted `a/#` also matches the parent `a`, so it covers a requested `a`.
  return (
    grantedLevels.length === requestedLevels.length ||
    (grantedLevels.length === requestedLevels.length + 1 && grantedLevels.at(-1) === '#')
  );
}

/**
 * Whether some topic name matches both filters. Both must be valid and without a `$share/`
 * prefix; a filter starting with a wildcard matches no `$` topic [MQTT-4.7.2-1].
 */
export function topicFiltersOverlap(first: string, second: string): boolean {
  const firstLevels = first.split('/');
  const secondLevels = second.split('/');
  const firstWild = startsWithWildcard(firstLevels[0]);
  const secondWild = startsWithWildcard(secondLevels[0]);
  if (
    (firstWild && !secondWild && second.startsWith('$')) ||
    (secondWild && !firstWild && first.startsWith('$'))
  ) {
    return false;
  }
  const length = Math.max(firstLevels.length, secondLevels.length);
  for (let index = 0; index < length; index++) {
    const a = firstLevels[index];
    const b = secondLevels[index];
    if (a === '#' || b === '#') return true;
    // One filter ended: they share a topic only if the other ends here with `/#` (parent match).
    if (a === undefined || b === undefined) return false;
    if (a !== '+' && b !== '+' && a !== b) return false;
  }
  return true;
}
