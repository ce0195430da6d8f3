/** One subscription held by a `SubscriptionIndex`. */
export interface IndexedSubscription<T> {
  readonly clientId: string;
  /** The filter as it was added, including any `$share/{ShareName}/` prefix. */
  readonly filter: string;
  /** The caller's data (QoS, no-local, retain handling, subscription identifier...), never read by the index. */
  readonly data: T;
}

/** The members of one shared subscription group; the caller delivers to one of them. */
export interface SharedGroup<T> {
  readonly shareName: string;
  /** The filter after `$share/{ShareName}/`. */
  readonly topicFilter: string;
  /** Members by client id, in the order they subscribed. */
  readonly members: ReadonlyMap<string, IndexedSubscription<T>>;
}

/**
 * Receives the matches of `SubscriptionIndex.forEachMatch` one at a time, with no array built.
 * A client with several matching filters is visited once per filter.
 */
export interface MatchVisitor<T> {
  subscription(subscription: IndexedSubscription<T>): void;
  sharedGroup(group: SharedGroup<T>): void;
}
