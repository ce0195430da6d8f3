import { MqttError, ReasonCode } from '@mqttkit/codec';
import { MatchResult } from './match-result.js';
import type { IndexedSubscription, MatchVisitor, SharedGroup } from './match-visitor.js';
import { sharePrefix } from './parse-shared-subscription.js';
import type { SubscriberRecord } from './subscription-node.js';
import { SharedGroupEntry, SubscriptionEntry, SubscriptionNode, SubscriptionSet, levelBit } from './subscription-node.js';
import { validateTopicFilter } from './validate-topic-filter.js';

const plus = 0x2b;
const hash = 0x23;
const dollar = 0x24;

/** The topic being matched, split once into its levels; reused between matches. */
interface MatchContext<T> {
  topic: string;
  readonly levels: string[];
  readonly levelStarts: number[];
  readonly levelBits: number[];
  levelCount: number;
  visitor: MatchVisitor<T> | undefined;
}

/** Where a filter lives: its trie nodes, its tail if any and, when shared, its group name. */
interface FilterPath<T> {
  readonly nodes: SubscriptionNode<T>[];
  readonly keys: string[];
  tail: string | undefined;
  shareName: string | undefined;
  topicFilter: string;
}

/**
 * Every subscription of every client: filters with wildcards in a trie keyed by topic level, the
 * others in a map keyed by the whole filter. A match costs time in the topic's depth and the
 * number of matches, never in the number of subscriptions held. Subscription data is opaque.
 */
export class SubscriptionIndex<T> {
  private readonly root = new SubscriptionNode<T>();
  private readonly subscribers = new Map<string, SubscriberRecord>();
  private readonly context: MatchContext<T> = {
    topic: '',
    levels: [],
    levelStarts: [],
    levelBits: [],
    levelCount: 0,
    visitor: undefined,
  };
  private readonly path: FilterPath<T> = {
    nodes: [],
    keys: [],
    tail: undefined,
    shareName: undefined,
    topicFilter: '',
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

  /** How many trie nodes and tails the index holds, 1 when empty: a diagnostic for memory use. */
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
      ? { topic, levels: [], levelStarts: [], levelBits: [], levelCount: 0, visitor }
      : this.context;
    context.visitor = visitor;
    this.contextInUse = true;
    try {
      context.topic = topic;
      splitLevels(topic, context);
      const root = this.root;
      if (topic.charCodeAt(0) === dollar) {
        emitTail(root, 0, context);
        const child = root.matchChild(context.levels[0]!, context.levelBits[0]!);
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
    const stack = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      yield* setSubscriptions(node);
      if (node.tails !== undefined) {
        for (const tail of node.tails.values()) {
          yield* setSubscriptions(tail);
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
    emitTail(node, depth, context);
    const child = node.matchChild(context.levels[depth]!, context.levelBits[depth]!);
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

  private findEntry(node: SubscriptionSet<T>, clientId: string): SubscriptionEntry<T> | undefined {
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
   * Walks the filter's trie levels from the root, creating nodes when asked, and records the path
   * in `this.path` for pruning. Returns the filter's subscription set, or undefined when it does
   * not exist and is not created.
   */
  private descend(filter: string, create: boolean): SubscriptionSet<T> | undefined {
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
    path.topicFilter = start === 0 ? filter : filter.slice(start);
    // The tail is what follows the last wildcard's level; a wildcard as the last level leaves none.
    const lastWildcard = Math.max(filter.lastIndexOf('+'), filter.lastIndexOf('#'));
    const tailStart = lastWildcard < start ? start : lastWildcard + 2;
    let node = this.root;
    path.nodes.push(node);
    while (start < tailStart) {
      let end = filter.indexOf('/', start);
      if (end === -1) {
        end = filter.length;
      }
      const key = filter.slice(start, end);
      const child = this.childOf(node, key, create);
      if (child === undefined) {
        return undefined;
      }
      path.keys.push(key);
      path.nodes.push(child);
      node = child;
      start = end + 1;
    }
    if (tailStart > filter.length) {
      path.tail = undefined;
      return node;
    }
    const tail = tailStart === 0 ? filter : filter.slice(tailStart);
    path.tail = tail;
    let set = node.tails?.get(tail);
    if (set === undefined && create) {
      set = new SubscriptionSet<T>();
      this.nodes++;
      node.addTail(tail, set);
    }
    return set;
  }

  private childOf(node: SubscriptionNode<T>, key: string, create: boolean): SubscriptionNode<T> | undefined {
    if (key.length === 1 && key.charCodeAt(0) === plus) {
      if (node.plus === undefined && create) {
        node.plus = this.newNode();
      }
      return node.plus;
    }
    if (key.length === 1 && key.charCodeAt(0) === hash) {
      if (node.hash === undefined && create) {
        node.hash = this.newNode();
      }
      return node.hash;
    }
    let child = node.child(key);
    if (child === undefined && create) {
      child = this.newNode();
      node.addChild(key, child);
    }
    return child;
  }

  private newNode(): SubscriptionNode<T> {
    this.nodes++;
    return new SubscriptionNode<T>();
  }

  /** Removes the tail and nodes of the last descended path that hold nothing any more. */
  private prune(set: SubscriptionSet<T>): void {
    const { nodes, keys, tail } = this.path;
    if (tail !== undefined) {
      if (set.hasSubscriptions()) {
        return;
      }
      nodes[nodes.length - 1]!.deleteTail(tail);
      this.nodes--;
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

function emit<T>(node: SubscriptionSet<T>, visitor: MatchVisitor<T>): void {
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

/** Emits the node's tail that equals the rest of the topic from level `depth` on, if any. */
function emitTail<T>(node: SubscriptionNode<T>, depth: number, context: MatchContext<T>): void {
  if ((node.tailBits & context.levelBits[depth]!) === 0) {
    return;
  }
  const topic = context.topic;
  const rest = depth === 0 ? topic : topic.slice(context.levelStarts[depth]);
  const tail = node.tails!.get(rest);
  if (tail !== undefined) {
    emit(tail, context.visitor!);
  }
}

function* setSubscriptions<T>(set: SubscriptionSet<T>): Generator<IndexedSubscription<T>> {
  if (set.single !== undefined) {
    yield set.single;
  }
  if (set.many !== undefined) {
    yield* set.many.values();
  }
  if (set.shared !== undefined) {
    for (const group of set.shared.values()) {
      yield* group.members.values();
    }
  }
}

function splitLevels<T>(topic: string, context: MatchContext<T>): void {
  const { levels, levelStarts, levelBits } = context;
  let count = 0;
  let start = 0;
  for (;;) {
    let end = topic.indexOf('/', start);
    const last = end === -1;
    if (last) {
      end = topic.length;
    }
    levelStarts[count] = start;
    levelBits[count] = levelBit(topic, start, end);
    levels[count++] = start === 0 && last ? topic : topic.slice(start, end);
    if (last) {
      break;
    }
    start = end + 1;
  }
  context.levelCount = count;
}
