import { MqttError, ReasonCode } from '@mqttkit/codec';
import { ClientSlots } from './client-slots.js';
import { MatchResult } from './match-result.js';
import type { IndexedSubscription, MatchVisitor } from './match-visitor.js';
import { sharePrefix } from './parse-shared-subscription.js';
import type { SubscriberRecord } from './subscription-node.js';
import {
  ExactSet,
  SharedGroupEntry,
  SubscriptionEntry,
  SubscriptionNode,
  addLevelHash,
  finishTopicHash,
  levelHash,
  topicHash,
  unlink,
} from './subscription-node.js';
import type { SubscriberSet, TopicLevel } from './subscription-node.js';
import { validateTopicFilter } from './validate-topic-filter.js';

const plus = 0x2b;
const hash = 0x23;
const dollar = 0x24;

/**
 * The topic being matched, as the start, end and `levelHash` of each level (no substring is
 * built), and the trie nodes it reached; reused between matches.
 */
interface MatchContext<T> {
  readonly level: TopicLevel;
  readonly starts: number[];
  readonly ends: number[];
  readonly hashes: number[];
  levelCount: number;
  /** The `topicHash` of the whole topic. */
  topicHash: number;
  /** Nodes whose subscriptions match, in walk order; only the first `matchedCount` are current. */
  readonly matched: SubscriberSet<T>[];
  matchedCount: number;
}

/** Where a filter lives in the trie: its node and, for a shared subscription, its group name. */
interface FilterPath<T> {
  readonly nodes: SubscriptionNode<T>[];
  /** The level being looked up, reused for each. */
  readonly level: TopicLevel;
  shareName: string | undefined;
  topicFilter: string;
  /** The filter's `topicHash` when it has no wildcard and so lives in the exact map, not the trie. */
  exactHash: number | undefined;
}

function createContext<T>(): MatchContext<T> {
  return {
    level: { text: '', start: 0, end: 0, hash: 0 },
    starts: [],
    ends: [],
    hashes: [],
    levelCount: 0,
    topicHash: 0,
    matched: [],
    matchedCount: 0,
  };
}

/**
 * Every subscription of every client: filters with wildcards in a trie keyed by topic level, the
 * others in a map keyed by the whole filter. A match costs time in the topic's depth and the
 * number of matches, never in the number of subscriptions held. Subscription data is opaque.
 */
export class SubscriptionIndex<T> {
  private readonly root = new SubscriptionNode<T>('', 0);
  // Filters without wildcards skip the trie: one lookup by the topic's hash finds them all.
  private readonly exact = new Map<number, ExactSet<T>>();
  private readonly subscribers = new Map<string, SubscriberRecord>();
  private readonly context = createContext<T>();
  private readonly path: FilterPath<T> = {
    nodes: [],
    level: { text: '', start: 0, end: 0, hash: 0 },
    shareName: undefined,
    topicFilter: '',
    exactHash: undefined,
  };
  private contextInUse = false;
  private readonly clientSlots = new ClientSlots<T>();
  // Client numbers stay small: those of departed clients are handed out again.
  private readonly freeNumbers: number[] = [];
  private lastNumber = 0;
  private subscriptionCount = 0;
  private nodes = 1;

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
      node.setSingle(entry);
    } else {
      if (node.many === undefined) {
        node.many = new Map([[node.single!.clientId, node.single!]]);
        node.setSingle(undefined);
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
      node.setSingle(undefined);
    } else {
      const many = node.many!;
      many.delete(clientId);
      if (many.size === 1) {
        node.setSingle(many.values().next().value);
        node.many = undefined;
      }
    }
    const subscriber = entry.subscriber;
    if (--subscriber.subscriptionCount === 0) {
      this.subscribers.delete(clientId);
      this.freeNumbers.push(subscriber.number);
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
    const context = this.collect(topic, nested);
    this.contextInUse = true;
    try {
      const { matched, matchedCount } = context;
      for (let position = 0; position < matchedCount; position++) {
        const node = matched[position]!;
        if (node.single !== undefined) {
          visitor.subscription(node.single);
        } else if (node.many !== undefined) {
          for (const entry of node.many.values()) {
            visitor.subscription(entry);
          }
        }
        if (node.shared !== undefined) {
          for (const group of node.shared.values()) {
            visitor.sharedGroup(group);
          }
        }
      }
    } finally {
      this.contextInUse = nested;
    }
  }

  /**
   * The subscriptions matching the topic name, grouped per client, and the matching shared groups.
   * Pass a `MatchResult` to reuse it (nothing is allocated once its arrays have grown).
   */
  match(topic: string, result: MatchResult<T> = new MatchResult<T>()): MatchResult<T> {
    result.clear();
    // No caller code runs below, so only a match from inside a visitor needs its own context.
    const { matched, matchedCount } = this.collect(topic, this.contextInUse);
    const clientSlots = this.clientSlots;
    clientSlots.begin(result);
    for (let position = 0; position < matchedCount; position++) {
      const node = matched[position]!;
      if (node.single !== undefined) {
        clientSlots.add(node.singleNumber, node.singleClientId, node.single);
      } else if (node.many !== undefined) {
        for (const entry of node.many.values()) {
          clientSlots.add(entry.clientNumber, entry.clientId, entry);
        }
      }
      if (node.shared !== undefined) {
        for (const shared of node.shared.values()) {
          result.addSharedGroup(shared);
        }
      }
    }
    clientSlots.end();
    return result;
  }

  /** Every subscription the index holds, shared ones included, in no particular order. */
  *subscriptions(): IterableIterator<IndexedSubscription<T>> {
    for (const head of this.exact.values()) {
      for (let set: ExactSet<T> | undefined = head; set !== undefined; set = set.sameHash) {
        yield* subscriptionsOf(set);
      }
    }
    const stack = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      yield* subscriptionsOf(node);
      if (node.onlyChild !== undefined) {
        stack.push(node.onlyChild);
      }
      if (node.children !== undefined) {
        for (const head of node.children.values()) {
          for (
            let child: SubscriptionNode<T> | undefined = head;
            child !== undefined;
            child = child.sameHash
          ) {
            stack.push(child);
          }
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

  /**
   * Fills a context with the nodes matching the topic name: the exact-filter node first, then the
   * trie in walk order. `+` and `#` at the first level skip topics starting with `$` [MQTT-4.7.2-1].
   */
  private collect(topic: string, fresh: boolean): MatchContext<T> {
    const context = fresh ? createContext<T>() : this.context;
    context.matchedCount = 0;
    splitLevels(topic, context);
    const exact = this.exactSet(topic, context.topicHash);
    if (exact !== undefined) {
      context.matched[context.matchedCount++] = exact;
    }
    const root = this.root;
    if (topic.charCodeAt(0) === dollar) {
      const child = root.child(levelAt(context, 0));
      if (child !== undefined) {
        walk(child, 1, context);
      }
    } else {
      walk(root, 0, context);
    }
    return context;
  }

  private exactSet(filter: string, hash: number): ExactSet<T> | undefined {
    for (let set = this.exact.get(hash); set !== undefined; set = set.sameHash) {
      if (set.filter === filter) {
        return set;
      }
    }
    return undefined;
  }

  private subscriberRecord(clientId: string): SubscriberRecord {
    let subscriber = this.subscribers.get(clientId);
    if (subscriber === undefined) {
      const number = this.freeNumbers.pop() ?? ++this.lastNumber;
      subscriber = { clientId, number, subscriptionCount: 0 };
      this.subscribers.set(clientId, subscriber);
    }
    return subscriber;
  }

  private findEntry(node: SubscriberSet<T>, clientId: string): SubscriptionEntry<T> | undefined {
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
  private descend(filter: string, create: boolean): SubscriberSet<T> | undefined {
    const path = this.path;
    path.nodes.length = 0;
    path.shareName = undefined;
    let start = 0;
    if (filter.startsWith(sharePrefix)) {
      const separator = filter.indexOf('/', sharePrefix.length);
      path.shareName = filter.slice(sharePrefix.length, separator);
      start = separator + 1;
    }
    const topicFilter = start === 0 ? filter : filter.slice(start);
    path.topicFilter = topicFilter;
    if (topicFilter.indexOf('+') === -1 && topicFilter.indexOf('#') === -1) {
      const exactHash = topicHash(topicFilter);
      path.exactHash = exactHash;
      let set = this.exactSet(topicFilter, exactHash);
      if (set === undefined && create) {
        set = new ExactSet<T>(topicFilter);
        set.sameHash = this.exact.get(exactHash);
        this.exact.set(exactHash, set);
        this.nodes++;
      }
      return set;
    }
    path.exactHash = undefined;
    let node = this.root;
    for (;;) {
      path.nodes.push(node);
      let end = filter.indexOf('/', start);
      if (end === -1) {
        end = filter.length;
      }
      let child: SubscriptionNode<T> | undefined;
      if (end - start === 1 && filter.charCodeAt(start) === plus) {
        child = node.plus;
        if (child === undefined && create) {
          child = node.plus = this.newNode('+', 0);
        }
      } else if (end - start === 1 && filter.charCodeAt(start) === hash) {
        child = node.hash;
        if (child === undefined && create) {
          child = node.hash = this.newNode('#', 0);
        }
      } else {
        const level = path.level;
        level.text = filter;
        level.start = start;
        level.end = end;
        level.hash = levelHash(filter, start, end);
        child = node.child(level);
        if (child === undefined && create) {
          child = this.newNode(filter.slice(start, end), level.hash);
          node.addChild(child);
        }
      }
      if (child === undefined) {
        return undefined;
      }
      node = child;
      if (end === filter.length) {
        path.nodes.push(node);
        return node;
      }
      start = end + 1;
    }
  }

  private newNode(key: string, keyHash: number): SubscriptionNode<T> {
    this.nodes++;
    return new SubscriptionNode<T>(key, keyHash);
  }

  /** Removes the nodes of the last descended path that hold nothing any more, deepest first. */
  private prune(node: SubscriberSet<T>): void {
    const { nodes, exactHash } = this.path;
    if (exactHash !== undefined) {
      if (node.isEmpty()) {
        const rest = unlink(this.exact.get(exactHash)!, node as ExactSet<T>);
        if (rest === undefined) {
          this.exact.delete(exactHash);
        } else {
          this.exact.set(exactHash, rest);
        }
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
        parent.deleteChild(node);
      }
      this.nodes--;
    }
  }
}

function* subscriptionsOf<T>(set: SubscriberSet<T>): IterableIterator<IndexedSubscription<T>> {
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

function walk<T>(node: SubscriptionNode<T>, depth: number, context: MatchContext<T>): void {
  // '#' matches the rest of the topic, including no level at all ("a/#" matches "a").
  if (node.hash !== undefined) {
    context.matched[context.matchedCount++] = node.hash;
  }
  if (depth === context.levelCount) {
    context.matched[context.matchedCount++] = node;
    return;
  }
  const child = node.child(levelAt(context, depth));
  if (child !== undefined) {
    walk(child, depth + 1, context);
  }
  if (node.plus !== undefined) {
    walk(node.plus, depth + 1, context);
  }
}

/** The context's level object, pointed at the topic's level `depth`. */
function levelAt<T>(context: MatchContext<T>, depth: number): TopicLevel {
  const level = context.level;
  level.start = context.starts[depth]!;
  level.end = context.ends[depth]!;
  level.hash = context.hashes[depth]!;
  return level;
}

function splitLevels<T>(topic: string, context: MatchContext<T>): void {
  const { starts, ends, hashes } = context;
  context.level.text = topic;
  let whole = 0;
  let count = 0;
  let start = 0;
  for (;;) {
    let end = topic.indexOf('/', start);
    const last = end === -1;
    if (last) {
      end = topic.length;
    }
    starts[count] = start;
    ends[count] = end;
    const hash = levelHash(topic, start, end);
    whole = addLevelHash(whole, hash);
    hashes[count++] = hash;
    if (last) {
      break;
    }
    start = end + 1;
  }
  context.levelCount = count;
  context.topicHash = finishTopicHash(whole);
}
