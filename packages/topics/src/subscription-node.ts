import type { IndexedSubscription, SharedGroup } from './match-visitor.js';

/** A 32-bit hash of `text.slice(start, end)`, computed without slicing. */
export function levelHash(text: string, start: number, end: number): number {
  let hash = end - start;
  for (let index = start; index < end; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return hash ^ (hash >>> 16);
}

/** Children beyond which a node keeps a larger bit filter than the 32 bits of `keyBits`. */
const smallFilterLimit = 16;
/** Bits per child key in the larger filter: about one lookup in nine for a missing key gets through. */
const filterBitsPerKey = 8;

/** Who subscribed, shared by all of one client's subscriptions so a match can group them cheaply. */
export interface SubscriberRecord {
  readonly clientId: string;
  subscriptionCount: number;
  /** The match run that last saw this client, and its slot in that run's result. */
  matchRun: number;
  matchSlot: number;
}

/** A subscription as the index stores it. */
export class SubscriptionEntry<T> implements IndexedSubscription<T> {
  readonly subscriber: SubscriberRecord;
  readonly filter: string;
  data: T;

  constructor(subscriber: SubscriberRecord, filter: string, data: T) {
    this.subscriber = subscriber;
    this.filter = filter;
    this.data = data;
  }

  get clientId(): string {
    return this.subscriber.clientId;
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
 * One level of the subscription trie. Most levels have a single literal child, so it is held in
 * `onlyKey`/`onlyChild` and a map is made only for the second child. `+` and `#` children have
 * their own fields so matching never looks them up by string. Most filters have one subscriber,
 * so the first is held in `single` and a map is made only for the second.
 */
export class SubscriptionNode<T> {
  /**
   * One bit per literal child key (bit `levelHash & 31`), never cleared until the last child goes:
   * a lookup whose bit is missing fails without touching the key strings or the map. Nodes with
   * many children also keep `keyFilter`, a bigger bit set indexed by the hash's higher bits.
   */
  keyBits = 0;
  keyFilter: Int32Array | undefined = undefined;
  onlyKey: string | undefined = undefined;
  onlyChild: SubscriptionNode<T> | undefined = undefined;
  children: Map<string, SubscriptionNode<T>> | undefined = undefined;
  plus: SubscriptionNode<T> | undefined = undefined;
  hash: SubscriptionNode<T> | undefined = undefined;
  single: SubscriptionEntry<T> | undefined = undefined;
  many: Map<string, SubscriptionEntry<T>> | undefined = undefined;
  shared: Map<string, SharedGroupEntry<T>> | undefined = undefined;

  /** The literal child for a level whose `levelHash` is `hash`: the matching hot path. */
  matchChild(key: string, hash: number): SubscriptionNode<T> | undefined {
    const filter = this.keyFilter;
    if (filter === undefined) {
      if ((this.keyBits & (1 << (hash & 31))) === 0) {
        return undefined;
      }
    } else {
      const bit = (hash >>> 5) & ((filter.length << 5) - 1);
      if ((filter[bit >>> 5]! & (1 << (bit & 31))) === 0) {
        return undefined;
      }
    }
    return this.child(key);
  }

  child(key: string): SubscriptionNode<T> | undefined {
    return this.onlyKey === key ? this.onlyChild : this.children?.get(key);
  }

  addChild(key: string, child: SubscriptionNode<T>): void {
    const hash = levelHash(key, 0, key.length);
    this.keyBits |= 1 << (hash & 31);
    if (this.children !== undefined) {
      this.children.set(key, child);
      this.addToFilter(hash);
    } else if (this.onlyChild === undefined) {
      this.onlyKey = key;
      this.onlyChild = child;
    } else {
      this.children = new Map([
        [this.onlyKey!, this.onlyChild],
        [key, child],
      ]);
      this.onlyKey = undefined;
      this.onlyChild = undefined;
    }
  }

  deleteChild(key: string): void {
    if (this.children === undefined) {
      this.onlyKey = undefined;
      this.onlyChild = undefined;
      this.keyBits = 0;
      return;
    }
    // Stale bits of deleted keys only let a few more lookups through, so the filter is kept.
    this.children.delete(key);
    if (this.children.size === 1) {
      const [onlyKey, onlyChild] = this.children.entries().next().value!;
      this.onlyKey = onlyKey;
      this.onlyChild = onlyChild;
      this.children = undefined;
      this.keyFilter = undefined;
    }
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
      const bit = (levelHash(key, 0, key.length) >>> 5) & mask;
      rebuilt[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.keyFilter = rebuilt;
  }

  isEmpty(): boolean {
    return (
      this.single === undefined &&
      this.many === undefined &&
      this.shared === undefined &&
      this.onlyChild === undefined &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }
}
