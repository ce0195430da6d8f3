import type { IndexedSubscription, SharedGroup } from './match-visitor.js';

/** Every subscription of one client that matched a topic. */
export interface SubscriberMatches<T> {
  readonly clientId: string;
  readonly subscriptions: readonly IndexedSubscription<T>[];
}

interface SubscriberSlot<T> {
  clientId: string;
  readonly subscriptions: IndexedSubscription<T>[];
}

/**
 * The matches of one topic, grouped per subscriber so the caller can send one copy per client
 * (at the highest QoS for 3.1.1, with every subscription identifier for 5.0), and per shared
 * group so it can pick one member. Pass the same object to every `match` call to reuse its arrays;
 * its contents are valid until the next call.
 */
export class MatchResult<T> {
  readonly subscribers: readonly SubscriberMatches<T>[];
  readonly sharedGroups: readonly SharedGroup<T>[];
  private readonly subscriberList: SubscriberSlot<T>[] = [];
  private readonly sharedGroupList: SharedGroup<T>[] = [];
  private readonly pool: SubscriberSlot<T>[] = [];

  constructor() {
    this.subscribers = this.subscriberList;
    this.sharedGroups = this.sharedGroupList;
  }

  /** Empties the result, keeping its arrays for the next match. */
  clear(): void {
    // Popping keeps the arrays' storage, where `length = 0` would drop it and the next match
    // would allocate it again.
    const subscriberList = this.subscriberList;
    while (subscriberList.length > 0) {
      subscriberList.pop();
    }
    const sharedGroupList = this.sharedGroupList;
    while (sharedGroupList.length > 0) {
      sharedGroupList.pop();
    }
  }

  /**
   * Used by `SubscriptionIndex.match`: starts the list of a client new to this match with its
   * first subscription, and returns its slot.
   */
  openSubscriber(clientId: string, first: IndexedSubscription<T>): number {
    const slot = this.subscriberList.length;
    let entry = this.pool[slot];
    if (entry === undefined) {
      entry = { clientId, subscriptions: [first] };
      this.pool.push(entry);
    } else {
      entry.clientId = clientId;
      const subscriptions = entry.subscriptions;
      // Most clients match once: their list keeps length 1 and is only overwritten.
      if (subscriptions.length !== 1) {
        subscriptions.length = 1;
      }
      subscriptions[0] = first;
    }
    this.subscriberList.push(entry);
    return slot;
  }

  /** Used by `SubscriptionIndex.match`. */
  addSubscription(slot: number, subscription: IndexedSubscription<T>): void {
    this.subscriberList[slot]!.subscriptions.push(subscription);
  }

  /** Used by `SubscriptionIndex.match`. */
  addSharedGroup(group: SharedGroup<T>): void {
    this.sharedGroupList.push(group);
  }
}
