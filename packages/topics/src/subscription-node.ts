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

/** Children beyond which a node keeps a larger bit filter than the 32 bits of `keyBits`. */
const smallFilterLimit = 16;
/** Bits per child key in the larger filter: about one lookup in nine for a missing key gets through. */
const filterBitsPerKey = 8;

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

/** One level of a topic or filter, `text.slice(start, end)`, and its `levelHash`: never sliced. */
export interface TopicLevel {
  text: string;
  start: number;
  end: number;
  hash: number;
}

/** Whether `key` equals the level, compared without slicing. */
function sameLevel(key: string, level: TopicLevel): boolean {
  const { text, start } = level;
  if (key.length !== level.end - start) {
    return false;
  }
  for (let index = 0; index < key.length; index++) {
    if (key.charCodeAt(index) !== text.charCodeAt(start + index)) {
      return false;
    }
  }
  return true;
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
export class SubscriptionEntry<T> implements IndexedSubscription<T> {
  readonly clientId: string;
  readonly clientNumber: number;
  readonly subscriber: SubscriberRecord;
  readonly filter: string;
  data: T;

  constructor(subscriber: SubscriberRecord, filter: string, data: T) {
    this.clientId = subscriber.clientId;
    this.clientNumber = subscriber.number;
    this.subscriber = subscriber;
    this.filter = filter;
    this.data = data;
  }
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
 * The subscriptions to one filter. Most filters have one subscriber, held in `single` with its
 * client's number and id beside it (a grouped match then reads only this object); a map is made
 * only for the second. Filters without wildcards are kept as an `ExactSet`, smaller than a trie
 * node.
 */
export class SubscriberSet<T> {
  single: SubscriptionEntry<T> | undefined = undefined;
  singleNumber = 0;
  singleClientId = '';
  many: Map<string, SubscriptionEntry<T>> | undefined = undefined;
  shared: Map<string, SharedGroupEntry<T>> | undefined = undefined;

  /** Makes `entry` the only subscription, or clears it. */
  setSingle(entry: SubscriptionEntry<T> | undefined): void {
    this.single = entry;
    this.singleNumber = entry === undefined ? 0 : entry.clientNumber;
    this.singleClientId = entry === undefined ? '' : entry.clientId;
  }

  isEmpty(): boolean {
    return this.single === undefined && this.many === undefined && this.shared === undefined;
  }
}

/**
 * The subscriptions to one filter without wildcards, kept in the index's map by `topicHash`; the
 * rare filters whose hashes are equal are chained through `sameHash`. A lookup by hash touches no
 * string unless the hash matches.
 */
export class ExactSet<T> extends SubscriberSet<T> {
  readonly filter: string;
  sameHash: ExactSet<T> | undefined = undefined;

  constructor(filter: string) {
    super();
    this.filter = filter;
  }
}

/**
 * One level of the subscription trie. A node knows its own level (`key`) and that level's
 * `levelHash`, so a parent finds a child by hashing the topic in place, with no substring built.
 * Most levels have a single literal child, held in `onlyChild` with its hash in `onlyHash`; a map
 * by hash is made only for the second, and the rare children whose keys share a hash are chained
 * through `sameHash`. `+` and `#` children have their own fields.
 */
export class SubscriptionNode<T> extends SubscriberSet<T> {
  // Fields in the order a match reads them, so that a node visited spans few cache lines.
  hash: SubscriptionNode<T> | undefined = undefined;
  onlyHash = 0;
  onlyChild: SubscriptionNode<T> | undefined = undefined;
  plus: SubscriptionNode<T> | undefined = undefined;
  readonly key: string;
  readonly keyHash: number;
  sameHash: SubscriptionNode<T> | undefined = undefined;
  children: Map<number, SubscriptionNode<T>> | undefined = undefined;
  /**
   * With `children`: one bit per child key (bit `hash & 31`), so a lookup for a missing key mostly
   * fails without touching the map. Nodes with many children also keep `keyFilter`, a bigger bit
   * set indexed by the hash's higher bits. Bits of deleted keys stay: they only let a few more
   * lookups through.
   */
  keyBits = 0;
  keyFilter: Int32Array | undefined = undefined;

  constructor(key: string, keyHash: number) {
    super();
    this.key = key;
    this.keyHash = keyHash;
  }

  /** The literal child for the level. */
  child(level: TopicLevel): SubscriptionNode<T> | undefined {
    const hash = level.hash;
    let child = this.onlyChild;
    if (child !== undefined) {
      if (this.onlyHash !== hash) {
        return undefined;
      }
    } else {
      const children = this.children;
      if (children === undefined || (this.keyBits & (1 << (hash & 31))) === 0) {
        return undefined;
      }
      const filter = this.keyFilter;
      if (filter !== undefined) {
        const bit = (hash >>> 5) & ((filter.length << 5) - 1);
        if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) {
          return undefined;
        }
      }
      child = children.get(hash);
    }
    for (; child !== undefined; child = child.sameHash) {
      if (child.keyHash === hash && sameLevel(child.key, level)) {
        return child;
      }
    }
    return undefined;
  }

  addChild(child: SubscriptionNode<T>): void {
    let children = this.children;
    if (children === undefined) {
      const only = this.onlyChild;
      if (only === undefined) {
        this.onlyChild = child;
        this.onlyHash = child.keyHash;
        return;
      }
      children = this.children = new Map([[only.keyHash, only]]);
      this.keyBits = 1 << (only.keyHash & 31);
      this.onlyChild = undefined;
    }
    child.sameHash = children.get(child.keyHash);
    children.set(child.keyHash, child);
    this.keyBits |= 1 << (child.keyHash & 31);
    this.addToFilter(child.keyHash);
  }

  private addToFilter(hash: number): void {
    const size = this.children!.size;
    if (size <= smallFilterLimit) {
      return;
    }
    const filter = this.keyFilter;
    if (filter !== undefined && size * filterBitsPerKey <= filter.length << 5) {
      const bit = (hash >>> 5) & ((filter.length << 5) - 1);
      filter[bit >>> 5]! |= 1 << (bit & 31);
      return;
    }
    // Rebuilt at twice the size whenever it fills up, so each key is rehashed O(1) times on average.
    const words = Math.max(1, 2 ** Math.ceil(Math.log2((size * filterBitsPerKey * 2) / 32)));
    const rebuilt = new Int32Array(words);
    const mask = (words << 5) - 1;
    for (const key of this.children!.keys()) {
      const bit = (key >>> 5) & mask;
      rebuilt[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.keyFilter = rebuilt;
  }

  deleteChild(child: SubscriptionNode<T>): void {
    const children = this.children;
    if (children === undefined) {
      this.onlyChild = undefined;
      return;
    }
    const rest = unlink(children.get(child.keyHash)!, child);
    if (rest === undefined) {
      children.delete(child.keyHash);
    } else {
      children.set(child.keyHash, rest);
    }
    child.sameHash = undefined;
    if (children.size === 1) {
      const only = children.values().next().value!;
      if (only.sameHash === undefined) {
        this.onlyChild = only;
        this.onlyHash = only.keyHash;
        this.children = undefined;
        this.keyBits = 0;
        this.keyFilter = undefined;
      }
    }
  }

  override isEmpty(): boolean {
    return (
      super.isEmpty() &&
      this.onlyChild === undefined &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }
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
