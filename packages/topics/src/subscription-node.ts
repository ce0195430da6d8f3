import type { IndexedSubscription, SharedGroup } from './match-visitor.js';

/**
 * A hash of the topic level `text.slice(start, end)`, computed without slicing. It stays within
 * 30 bits so that V8 keeps it a small integer, which makes it a cheap `Map` key.
 */
export function levelHash(text: string, start: number, end: number): number {
  let hash = 0x811c9dc5 ^ (end - start);
  for (let index = start; index < end; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return (hash ^ (hash >>> 15)) & 0x3fffffff;
}

/** Folds one level's `levelHash` into the hash of a whole topic (see `topicHash`). */
export function addLevelHash(topicHash: number, hash: number): number {
  return Math.imul(topicHash ^ hash, 0x01000193);
}

/** Ends a hash built with `addLevelHash`, within 30 bits like `levelHash`. */
export function finishTopicHash(topicHash: number): number {
  return (topicHash ^ (topicHash >>> 15)) & 0x3fffffff;
}

/** A hash of a whole topic name or filter, from the `levelHash` of each of its levels. */
export function topicHash(text: string): number {
  let hash = 0;
  let start = 0;
  for (;;) {
    const separator = text.indexOf('/', start);
    const end = separator === -1 ? text.length : separator;
    hash = addLevelHash(hash, levelHash(text, start, end));
    if (separator === -1) {
      return finishTopicHash(hash);
    }
    start = end + 1;
  }
}

/** Who subscribed: one record per client, shared by all of its subscriptions. */
export interface SubscriberRecord {
  readonly clientId: string;
  /** A small number, unique among the clients the index holds, by which a match groups them. */
  readonly number: number;
  subscriptionCount: number;
}

/**
 * A subscription as the index stores it. The client's id and number are copied from its record
 * so that a grouped match reads one object per subscription, not two.
 */
export interface SubscriptionEntry<T> extends IndexedSubscription<T> {
  readonly clientId: string;
  readonly clientNumber: number;
  readonly subscriber: SubscriberRecord;
  readonly filter: string;
  data: T;
}

// Entries and filter sets are object literals made in one place each, not class instances: V8
// tracks where literals are allocated and, seeing that almost all of them live long, allocates
// them straight in the old generation, which spares the young-generation collections of a
// build from copying each of them twice.

export function createSubscriptionEntry<T>(
  subscriber: SubscriberRecord,
  filter: string,
  data: T,
): SubscriptionEntry<T> {
  return { clientId: subscriber.clientId, clientNumber: subscriber.number, subscriber, filter, data };
}

/** The members of one `$share/{ShareName}/{filter}` group, kept on the filter's node. */
export class SharedGroupEntry<T> implements SharedGroup<T> {
  readonly shareName: string;
  readonly topicFilter: string;
  readonly members = new Map<string, SubscriptionEntry<T>>();

  constructor(shareName: string, topicFilter: string) {
    this.shareName = shareName;
    this.topicFilter = topicFilter;
  }
}

/**
 * The subscriptions to one filter (without any `$share/{ShareName}/` prefix). Most filters have
 * one subscriber, held in `single` with its client's number and id beside it (a grouped match
 * then reads only this object); a map is made only for the second. Filters without wildcards are
 * kept in the index's map by `topicHash`, the rare filters whose hashes are equal chained through
 * `sameHash`; those with wildcards hang on a trie node. Both kinds have one shape, so that a
 * match reads them alike.
 */
export interface FilterSet<T> {
  single: SubscriptionEntry<T> | undefined;
  singleNumber: number;
  singleClientId: string;
  /**
   * With two subscribers or more: three items of `manyList` per subscriber (client number, client
   * id, entry), so that a grouped match reads this one array and not each entry, and in `many`
   * the position of each client's three.
   */
  many: Map<string, number> | undefined;
  manyList: (number | string | SubscriptionEntry<T>)[] | undefined;
  shared: Map<string, SharedGroupEntry<T>> | undefined;
  readonly filter: string;
  sameHash: FilterSet<T> | undefined;
}

export function createFilterSet<T>(filter: string): FilterSet<T> {
  return {
    single: undefined,
    singleNumber: 0,
    singleClientId: '',
    many: undefined,
    manyList: undefined,
    shared: undefined,
    filter,
    sameHash: undefined,
  };
}

/** Makes `entry` the only subscription of the set, or clears it. */
export function setSingle<T>(set: FilterSet<T>, entry: SubscriptionEntry<T> | undefined): void {
  set.single = entry;
  set.singleNumber = entry === undefined ? 0 : entry.clientNumber;
  set.singleClientId = entry === undefined ? '' : entry.clientId;
}

/** Adds a subscription of a client new to the set, which already has one subscriber or more. */
export function addToMany<T>(set: FilterSet<T>, entry: SubscriptionEntry<T>): void {
  let many = set.many;
  let list = set.manyList;
  if (many === undefined || list === undefined) {
    const single = set.single!;
    many = set.many = new Map([[single.clientId, 0]]);
    list = set.manyList = [single.clientNumber, single.clientId, single];
    setSingle(set, undefined);
  }
  many.set(entry.clientId, list.length / 3);
  list.push(entry.clientNumber, entry.clientId, entry);
}

/** The client's subscription in a set with several subscribers. */
export function findInMany<T>(set: FilterSet<T>, clientId: string): SubscriptionEntry<T> | undefined {
  const position = set.many?.get(clientId);
  return position === undefined ? undefined : (set.manyList![position * 3 + 2] as SubscriptionEntry<T>);
}

/** Removes the client's subscription, which is there, from a set with several subscribers. */
export function removeFromMany<T>(set: FilterSet<T>, clientId: string): void {
  const many = set.many!;
  const list = set.manyList!;
  const at = many.get(clientId)! * 3;
  const last = list.length - 3;
  // The last subscriber moves into the hole, keeping the list dense.
  if (at !== last) {
    list[at] = list[last]!;
    list[at + 1] = list[last + 1]!;
    list[at + 2] = list[last + 2]!;
    many.set(list[at + 1] as string, at / 3);
  }
  list.pop();
  list.pop();
  list.pop();
  many.delete(clientId);
  if (many.size === 1) {
    setSingle(set, list[2] as SubscriptionEntry<T>);
    set.many = undefined;
    set.manyList = undefined;
  }
}

export function isEmptySet<T>(set: FilterSet<T>): boolean {
  return set.single === undefined && set.many === undefined && set.shared === undefined;
}

/** The chain of same-hash objects starting at `chain`, with `link` (one of them) unlinked. */
export function unlink<Link extends { sameHash: Link | undefined }>(
  chain: Link,
  link: Link,
): Link | undefined {
  if (chain === link) {
    return link.sameHash;
  }
  chain.sameHash = unlink(chain.sameHash!, link);
  return chain;
}
