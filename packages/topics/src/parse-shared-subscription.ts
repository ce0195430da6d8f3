/** A shared subscription filter split into its parts. */
export interface SharedSubscription {
  /** The ShareName between `$share/` and the next `/`. */
  readonly shareName: string;
  /** The topic filter after the ShareName, which is what topics are matched against. */
  readonly topicFilter: string;
}

/** The prefix of every shared subscription filter ([MQTT-4.8.2-1]). */
export const sharePrefix = '$share/';

/**
 * Splits `$share/{ShareName}/{filter}` into its ShareName and topic filter. Returns undefined for a
 * filter that is not a shared subscription; run `validateTopicFilter` first for the other rules.
 */
export function parseSharedSubscription(filter: string): SharedSubscription | undefined {
  if (!filter.startsWith(sharePrefix)) {
    return undefined;
  }
  const separator = filter.indexOf('/', sharePrefix.length);
  if (separator === -1) {
    return undefined;
  }
  return {
    shareName: filter.slice(sharePrefix.length, separator),
    topicFilter: filter.slice(separator + 1),
  };
}
