import { MatchResult, RetainedIndex, SubscriptionIndex } from '@mqttkit/topics';
import type { SharedGroup } from '@mqttkit/topics';
import { resolveDelivery } from '@mqttkit/session';
import type { ApplicationMessage, Delivery, SessionSubscription } from '@mqttkit/session';

/** Picks the member of a shared subscription group that gets a message. */
export type SharedSubscriptionStrategy = (options: {
  readonly group: SharedGroup<SessionSubscription>;
  readonly message: ApplicationMessage;
  /** Whether a member has a live connection; strategies should prefer those. */
  readonly isConnected: (clientId: string) => boolean;
}) => string | undefined;

/** A subscription of code running in the broker process (`broker.subscribe`). */
export interface InternalSubscription {
  readonly handler: (message: ApplicationMessage) => void;
}

/**
 * Round robin over the members of each group, skipping members without a connection while any
 * member has one: a message goes to an offline member's queue only when nobody is online.
 */
export function roundRobin(): SharedSubscriptionStrategy {
  const positions = new WeakMap<object, number>();
  return ({ group, isConnected }) => {
    const members = [...group.members.keys()];
    if (members.length === 0) return undefined;
    const start = positions.get(group) ?? 0;
    for (let step = 0; step < members.length; step += 1) {
      const index = (start + step) % members.length;
      if (isConnected(members[index]!)) {
        positions.set(group, index + 1);
        return members[index];
      }
    }
    positions.set(group, start + 1);
    return members[start % members.length];
  };
}

/** Receives each delivery the router resolves. */
export type DeliveryTarget = (clientId: string, delivery: Delivery) => void;

/**
 * The broker's routing tables: network subscriptions (by client, with shared groups), in-process
 * subscriptions and retained messages. Matching cost grows with topic depth and the number of
 * matches, not with the number of subscriptions (see `@mqttkit/topics`).
 */
export class Router {
  readonly subscriptions = new SubscriptionIndex<SessionSubscription>();
  readonly internal = new SubscriptionIndex<InternalSubscription>();
  readonly retained = new RetainedIndex<ApplicationMessage>();
  // Routing can nest (an in-process handler publishing); each depth gets its own result object.
  private readonly results: MatchResult<SessionSubscription>[] = [];
  private depth = 0;
  // resolveDelivery only reads it before returning, so one array serves every subscriber.
  private readonly matched: SessionSubscription[] = [];

  constructor(
    private readonly strategy: SharedSubscriptionStrategy,
    private readonly isConnected: (clientId: string) => boolean,
  ) {}

  /**
   * Sends `message` to every matching subscriber once (resolving overlapping subscriptions per
   * client) and to one member of each matching shared group. Returns how many deliveries it made.
   */
  route(message: ApplicationMessage, publisherClientId: string | undefined, deliver: DeliveryTarget): number {
    const result = (this.results[this.depth] ??= new MatchResult<SessionSubscription>());
    this.depth += 1;
    let delivered = 0;
    try {
      this.subscriptions.match(message.topic, result);
      const matched = this.matched;
      const subscribers = result.subscribers;
      for (let position = 0; position < subscribers.length; position += 1) {
        const subscriber = subscribers[position]!;
        const entries = subscriber.subscriptions;
        for (let index = 0; index < entries.length; index += 1) matched.push(entries[index]!.data);
        const delivery = resolveDelivery({
          message,
          subscriberClientId: subscriber.clientId,
          subscriptions: matched,
          publisherClientId,
        });
        // Popping keeps the array's storage; `length = 0` would drop it and the next push would
        // allocate room for 17 entries, once per subscriber of every message.
        while (matched.length > 0) matched.pop();
        if (delivery === undefined) continue;
        deliver(subscriber.clientId, delivery);
        delivered += 1;
      }
      const groups = result.sharedGroups;
      for (let position = 0; position < groups.length; position += 1) {
        const group = groups[position]!;
        const clientId = this.strategy({ group, message, isConnected: this.isConnected });
        const member = clientId === undefined ? undefined : group.members.get(clientId);
        if (member === undefined) continue;
        // No Local does not apply to shared subscriptions [MQTT-3.8.3-4]; resolve without a publisher.
        const delivery = resolveDelivery({
          message,
          subscriberClientId: member.clientId,
          subscriptions: [member.data],
        });
        if (delivery === undefined) continue;
        deliver(member.clientId, delivery);
        delivered += 1;
      }
      result.clear();
    } finally {
      this.depth -= 1;
    }
    if (this.internal.size === 0) return delivered;
    this.internal.forEachMatch(message.topic, {
      subscription: (subscription) => {
        subscription.data.handler(message);
        delivered += 1;
      },
      sharedGroup: (group) => {
        const first = group.members.values().next().value;
        if (first === undefined) return;
        first.data.handler(message);
        delivered += 1;
      },
    });
    return delivered;
  }

  /** Stores, replaces or (empty payload) clears the retained message of its topic [MQTT-3.3.1-5..7]. */
  retain(message: ApplicationMessage): 'set' | 'cleared' | 'unchanged' {
    if (message.payload.byteLength === 0)
      return this.retained.delete(message.topic) ? 'cleared' : 'unchanged';
    this.retained.set(message.topic, message);
    return 'set';
  }

  /** Removes every subscription of a client, when its session ends. */
  removeClient(clientId: string, filters: Iterable<string>): void {
    for (const filter of filters) this.subscriptions.remove(clientId, filter);
  }
}
