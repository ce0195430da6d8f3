import { MqttError, ReasonCode } from '@mqttkit/codec';
import { MatchResult } from './match-result.js';
import type { IndexedSubscription, MatchVisitor, SharedGroup } from './match-visitor.js';
import { sharePrefix } from './parse-shared-subscription.js';
import type { SubscriberRecord } from './subscription-node.js';
import { SharedGroupEntry, SubscriptionEntry, SubscriptionNode, levelHash } from './subscription-node.js';
import { validateTopicFilter } from './validate-topic-filter.js';

const plus = 0x2b;
const hash = 0x23;
const dollar = 0x24;

/** The topic being matched, split once into its levels; reused between matches. */
interface MatchContext<T> {
  readonly levels: string[];
  readonly levelHashes: number[];
  levelCount: number;
  visitor: MatchVisitor<T> | undefined;
}

/** Where a filter lives in the trie: its node and, for a shared subscription, its group name. */
interface FilterPath<T> {
  readonly nodes: SubscriptionNode<T>[];
  readonly keys: string[];
  shareName: string | undefined;
  topicFilter: string;
  /** True when the filter has no wildcard and so lives in the exact map, not the trie. */
  exact: boolean;
}

/**
 * Every subscription of every client: filters with wildcards in a trie keyed by topic level, the
 * others in a map keyed by the whole filter. A match costs time in the topic's depth and the
 * number of matches, never in the number of subscriptions held. Subscription data is opaque.
 */
export class SubscriptionIndex<T> {
  private readonly root = new SubscriptionNode<T>();
  // Filters without wildcards skip the trie: one lookup by the whole topic finds them all.
  private readonly exact = new Map<string, SubscriptionNode<T>>();
  private readonly subscribers = new Map<string, SubscriberRecord>();
  private readonly context: MatchContext<T> = {
    levels: [],
    levelHashes: [],
    levelCount: 0,
    visitor: undefined,
  };
  private readonly path: FilterPath<T> = {
    nodes: [],
    keys: [],
    shareName: undefined,
    topicFilter: '',
    exact: false,
  };
  private contextInUse = false;
  private matchRun = 0;
  private subscriptionCount = 0;
  private nodes = 1;
  private grouping: MatchResult<T> | undefined = undefined;
  private readonly groupingVisitor: MatchVisitor<T> = {
    subscription: (subscription) => this.group(subscription),
    sharedGroup: (group) => this.grouping!.addSharedGroup(group),
  };

  /** How many subscriptions the index holds, shared ones included. */
  get size(): number {
    return this.subscriptionCount;
  }

  /** How many trie nodes and exact-filter nodes the index holds, 1 when empty: a diagnostic. */
  get nodeCount(): number {
    return this.nodes;
  }

  /**
   * Adds the client's subscription to a filter, or replaces its data when the client already has
   * one. Returns true when the subscription is new (MQTT 5 retain handling 1 needs to know).
   * Throws an `MqttError` for a filter that `validateTopicFilter` rejects.
   */
  add(clientId: string, filter: string, data: T): boolean {
    const problem = validateTopicFilter(filter);
    if (problem !== undefined) {
      throw new MqttError(problem.message, {
        code: 'MQTT_INVALID_ARGUMENT',
        reasonCode: ReasonCode.TopicFilterInvalid,
        statement: problem.statement,
      });
    }
    const node = this.descend(filter, true)!;
    const { shareName, topicFilter } = this.path;
    const existing = this.findEntry(node, clientId);
    if (existing !== undefined) {
      existing.data = data;
      return false;
    }
    const entry = new SubscriptionEntry(this.subscriberRecord(clientId), filter, data);
    if (shareName !== undefined) {
      node.shared ??= new Map();
      let group = node.shared.get(shareName);
      if (group === undefined) {
        group = new SharedGroupEntry<T>(shareName, topicFilter);
        node.shared.set(shareName, group);
      }
      group.members.set(clientId, entry);
    } else if (node.single === undefined && node.many === undefined) {
      node.single = entry;
    } else {
      if (node.many === undefined) {
        node.many = new Map([[node.single!.clientId, node.single!]]);
        node.single = undefined;
      }
      node.many.set(clientId, entry);
    }
    entry.subscriber.subscriptionCount++;
    this.subscriptionCount++;
    return true;
  }

  /** Removes the client's subscription to a filter. Returns false when there was none. */
  remove(clientId: string, filter: string): boolean {
    const node = this.descend(filter, false);
    if (node === undefined) {
      return false;
    }
    const entry = this.findEntry(node, clientId);
    if (entry === undefined) {
      return false;
    }
    const shareName = this.path.shareName;
    if (shareName !== undefined) {
      const group = node.shared!.get(shareName)!;
      group.members.delete(clientId);
      if (group.members.size === 0) {
        node.shared!.delete(shareName);
        if (node.shared!.size === 0) {
          node.shared = undefined;
        }
      }
    } else if (node.single !== undefined) {
      node.single = undefined;
    } else {
      const many = node.many!;
      many.delete(clientId);
      if (many.size === 1) {
        node.single = many.values().next().value;
        node.many = undefined;
      }
    }
    const subscriber = entry.subscriber;
    if (--subscriber.subscriptionCount === 0) {
      this.subscribers.delete(clientId);
    }
    this.subscriptionCount--;
    this.prune(node);
    return true;
  }

  /** The client's subscription to exactly this filter, if any. */
  get(clientId: string, filter: string): IndexedSubscription<T> | undefined {
    const node = this.descend(filter, false);
    return node === undefined ? undefined : this.findEntry(node, clientId);
  }

  /**
   * Calls the visitor for every subscription and shared group matching the topic name, building no
   * array. `+` and `#` at the first level do not match topics starting with `$` [MQTT-4.7.2-1].
   * The visitor must not add or remove subscriptions while it runs.
   */
  forEachMatch(topic: string, visitor: MatchVisitor<T>): void {
    // A visitor may itself match (nesting); only the outermost call reuses the shared context.
    const nested = this.contextInUse;
    const context: MatchContext<T> = nested
      ? { levels: [], levelHashes: [], levelCount: 0, visitor }
      : this.context;
    context.visitor = visitor;
    this.contextInUse = true;
    try {
      const exact = this.exact.get(topic);
      if (exact !== undefined) {
        emit(exact, visitor);
      }
      splitLevels(topic, context);
      const root = this.root;
      if (topic.charCodeAt(0) === dollar) {
        const child = root.matchChild(context.levels[0]!, context.levelHashes[0]!);
        if (child !== undefined) {
          this.walk(child, 1, context);
        }
      } else {
        this.walk(root, 0, context);
      }
    } finally {
      context.visitor = undefined;
      this.contextInUse = nested;
    }
  }

  /**
   * The subscriptions matching the topic name, grouped per client, and the matching shared groups.
   * Pass a `MatchResult` to reuse it (nothing is allocated once its arrays have grown).
   */
  match(topic: string, result: MatchResult<T> = new MatchResult<T>()): MatchResult<T> {
    result.clear();
    const previous = this.grouping;
    this.grouping = result;
    this.matchRun++;
    try {
      this.forEachMatch(topic, this.groupingVisitor);
    } finally {
      this.grouping = previous;
    }
    return result;
  }

  /** Every subscription the index holds, shared ones included, in no particular order. */
  *subscriptions(): IterableIterator<IndexedSubscription<T>> {
    const stack = [this.root, ...this.exact.values()];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.single !== undefined) {
        yield node.single;
      }
      if (node.many !== undefined) {
        yield* node.many.values();
      }
      if (node.shared !== undefined) {
        for (const group of node.shared.values()) {
          yield* group.members.values();
        }
      }
      if (node.onlyChild !== undefined) {
        stack.push(node.onlyChild);
      }
      if (node.children !== undefined) {
        for (const child of node.children.values()) {
          stack.push(child);
        }
      }
      if (node.plus !== undefined) {
        stack.push(node.plus);
      }
      if (node.hash !== undefined) {
        stack.push(node.hash);
      }
    }
  }

  private walk(node: SubscriptionNode<T>, depth: number, context: MatchContext<T>): void {
    // '#' matches the rest of the topic, including no level at all ("a/#" matches "a").
    if (node.hash !== undefined) {
      emit(node.hash, context.visitor!);
    }
    if (depth === context.levelCount) {
      emit(node, context.visitor!);
      return;
    }
    const child = node.matchChild(context.levels[depth]!, context.levelHashes[depth]!);
    if (child !== undefined) {
      this.walk(child, depth + 1, context);
    }
    if (node.plus !== undefined) {
      this.walk(node.plus, depth + 1, context);
    }
  }

  private group(subscription: IndexedSubscription<T>): void {
    const subscriber = (subscription as SubscriptionEntry<T>).subscriber;
    const result = this.grouping!;
    if (subscriber.matchRun !== this.matchRun) {
      subscriber.matchRun = this.matchRun;
      subscriber.matchSlot = result.openSubscriber(subscriber.clientId);
    }
    result.addSubscription(subscriber.matchSlot, subscription);
  }

  private subscriberRecord(clientId: string): SubscriberRecord {
    let subscriber = this.subscribers.get(clientId);
    if (subscriber === undefined) {
      subscriber = { clientId, subscriptionCount: 0, matchRun: 0, matchSlot: 0 };
      this.subscribers.set(clientId, subscriber);
    }
    return subscriber;
  }

  private findEntry(node: SubscriptionNode<T>, clientId: string): SubscriptionEntry<T> | undefined {
    const shareName = this.path.shareName;
    if (shareName !== undefined) {
      return node.shared?.get(shareName)?.members.get(clientId);
    }
    if (node.single !== undefined) {
      return node.single.clientId === clientId ? node.single : undefined;
    }
    return node.many?.get(clientId);
  }

  /**
   * Walks the filter's levels from the root, creating nodes when asked, and records the path in
   * `this.path` for pruning. Returns undefined when a level is missing and not created.
   */
  private descend(filter: string, create: boolean): SubscriptionNode<T> | undefined {
    const path = this.path;
    path.nodes.length = 0;
    path.keys.length = 0;
    path.shareName = undefined;
    let start = 0;
    if (filter.startsWith(sharePrefix)) {
      const separator = filter.indexOf('/', sharePrefix.length);
      path.shareName = filter.slice(sharePrefix.length, separator);
      start = separator + 1;
    }
    const topicFilter = start === 0 ? filter : filter.slice(start);
    path.topicFilter = topicFilter;
    path.exact = topicFilter.indexOf('+') === -1 && topicFilter.indexOf('#') === -1;
    if (path.exact) {
      let node = this.exact.get(topicFilter);
      if (node === undefined && create) {
        node = this.newNode();
        this.exact.set(topicFilter, node);
      }
      return node;
    }
    let node = this.root;
    for (;;) {
      path.nodes.push(node);
      let end = filter.indexOf('/', start);
      if (end === -1) {
        end = filter.length;
      }
      const key = filter.slice(start, end);
      let child: SubscriptionNode<T> | undefined;
      if (end - start === 1 && filter.charCodeAt(start) === plus) {
        child = node.plus;
        if (child === undefined && create) {
          child = node.plus = this.newNode();
        }
      } else if (end - start === 1 && filter.charCodeAt(start) === hash) {
        child = node.hash;
        if (child === undefined && create) {
          child = node.hash = this.newNode();
        }
      } else {
        child = node.child(key);
        if (child === undefined && create) {
          child = this.newNode();
          node.addChild(key, child);
        }
      }
      if (child === undefined) {
        return undefined;
      }
      path.keys.push(key);
      node = child;
      if (end === filter.length) {
        path.nodes.push(node);
        return node;
      }
      start = end + 1;
    }
  }

  private newNode(): SubscriptionNode<T> {
    this.nodes++;
    return new SubscriptionNode<T>();
  }

  /** Removes the nodes of the last descended path that hold nothing any more, deepest first. */
  private prune(node: SubscriptionNode<T>): void {
    const { nodes, keys, exact, topicFilter } = this.path;
    if (exact) {
      if (node.isEmpty()) {
        this.exact.delete(topicFilter);
        this.nodes--;
      }
      return;
    }
    for (let depth = nodes.length - 1; depth > 0; depth--) {
      const node = nodes[depth]!;
      if (!node.isEmpty()) {
        return;
      }
      const parent = nodes[depth - 1]!;
      if (parent.plus === node) {
        parent.plus = undefined;
      } else if (parent.hash === node) {
        parent.hash = undefined;
      } else {
        parent.deleteChild(keys[depth - 1]!);
      }
      this.nodes--;
    }
  }
}

function emit<T>(node: SubscriptionNode<T>, visitor: MatchVisitor<T>): void {
  if (node.single !== undefined) {
    visitor.subscription(node.single);
  } else if (node.many !== undefined) {
    for (const entry of node.many.values()) {
      visitor.subscription(entry);
    }
  }
  if (node.shared !== undefined) {
    for (const group of node.shared.values()) {
      visitor.sharedGroup(group as SharedGroup<T>);
    }
  }
}

function splitLevels<T>(topic: string, context: MatchContext<T>): void {
  const { levels, levelHashes } = context;
  let count = 0;
  let start = 0;
  for (;;) {
    let end = topic.indexOf('/', start);
    const last = end === -1;
    if (last) {
      end = topic.length;
    }
    levelHashes[count] = levelHash(topic, start, end);
    levels[count++] = start === 0 && last ? topic : topic.slice(start, end);
    if (last) {
      break;
    }
    start = end + 1;
  }
  context.levelCount = count;
}
