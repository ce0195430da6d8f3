import type { IndexedSubscription, SharedGroup } from './match-visitor.js';

/** One of 32 bits chosen by a hash of `text.slice(start, end)`, computed without slicing. */
export function levelBit(text: string, start: number, end: number): number {
  let hash = end - start;
  for (let index = start; index < end; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return 1 << ((hash ^ (hash >>> 16)) & 31);
}

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

/** The subscriptions of one filter: the first held in `single`, a map made only for a second. */
export class SubscriptionSet<T> {
  single: SubscriptionEntry<T> | undefined = undefined;
  many: Map<string, SubscriptionEntry<T>> | undefined = undefined;
  shared: Map<string, SharedGroupEntry<T>> | undefined = undefined;

  hasSubscriptions(): boolean {
    return this.single !== undefined || this.many !== undefined || this.shared !== undefined;
  }
}

/**
 * One level of the subscription trie, for the levels up to a filter's last wildcard. What follows
 * the last wildcard has no wildcard, so it is a "tail": one key in `tails`, looked up with the rest
 * of the topic at once instead of level by level (a filter without wildcards is a tail of the
 * root). Most levels have a single literal child, held in `onlyKey`/`onlyChild`, with a map made
 * only for the second. `+` and `#` children have their own fields.
 */
export class SubscriptionNode<T> extends SubscriptionSet<T> {
  /**
   * One bit per literal child key (see `levelBit`), cleared only when the last child goes: a
   * lookup whose bit is missing fails without touching the key strings or the map.
   */
  keyBits = 0;
  onlyKey: string | undefined = undefined;
  onlyChild: SubscriptionNode<T> | undefined = undefined;
  children: Map<string, SubscriptionNode<T>> | undefined = undefined;
  plus: SubscriptionNode<T> | undefined = undefined;
  hash: SubscriptionNode<T> | undefined = undefined;
  /** The `levelBit`s of the first level of every tail, cleared only when the last tail goes. */
  tailBits = 0;
  tails: Map<string, SubscriptionSet<T>> | undefined = undefined;

  /** The literal child for a level whose `levelBit` is `bit`: the matching hot path. */
  matchChild(key: string, bit: number): SubscriptionNode<T> | undefined {
    if ((this.keyBits & bit) === 0) {
      return undefined;
    }
    return this.child(key);
  }

  child(key: string): SubscriptionNode<T> | undefined {
    return this.onlyKey === key ? this.onlyChild : this.children?.get(key);
  }

  addChild(key: string, child: SubscriptionNode<T>): void {
    this.keyBits |= levelBit(key, 0, key.length);
    if (this.children !== undefined) {
      this.children.set(key, child);
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
    this.children.delete(key);
    if (this.children.size === 1) {
      const [onlyKey, onlyChild] = this.children.entries().next().value!;
      this.onlyKey = onlyKey;
      this.onlyChild = onlyChild;
      this.children = undefined;
    }
  }

  addTail(key: string, tail: SubscriptionSet<T>): void {
    const firstLevelEnd = key.indexOf('/');
    this.tailBits |= levelBit(key, 0, firstLevelEnd === -1 ? key.length : firstLevelEnd);
    (this.tails ??= new Map()).set(key, tail);
  }

  deleteTail(key: string): void {
    const tails = this.tails!;
    tails.delete(key);
    if (tails.size === 0) {
      this.tails = undefined;
      this.tailBits = 0;
    }
  }

  isEmpty(): boolean {
    return (
      !this.hasSubscriptions() &&
      this.onlyChild === undefined &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined &&
      this.tails === undefined
    );
  }
}
