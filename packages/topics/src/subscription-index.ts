import { MqttError, ReasonCode } from '@mqttkit/codec';
import { ClientSlots } from './client-slots.js';
import { HashTable } from './hash-table.js';
import { MatchResult } from './match-result.js';
import type { IndexedSubscription, MatchVisitor } from './match-visitor.js';
import { sharePrefix } from './parse-shared-subscription.js';
import type { FilterSet, SubscriberRecord, SubscriptionEntry } from './subscription-node.js';
import {
  SharedGroupEntry,
  addLevelHash,
  addToMany,
  createFilterSet,
  createSubscriptionEntry,
  findInMany,
  finishTopicHash,
  isEmptySet,
  levelHash,
  removeFromMany,
  setSingle,
  topicHash,
  unlink,
} from './subscription-node.js';
import { SubscriptionTrie, levelWords, noNode, packLevel, rootNode } from './subscription-trie.js';
import type { LevelKey } from './subscription-trie.js';
import { validateTopicFilter } from './validate-topic-filter.js';

const plus = 0x2b;
const hashSign = 0x23;
const dollar = 0x24;

/**
 * The topic being matched, as the start, end, `levelHash` and `packLevel` length and words of
 * each level (no substring is built), and the trie nodes it reached; reused between matches.
 */
interface MatchContext<T> {
  readonly trie: SubscriptionTrie<T>;
  /** The level being looked up, reused for each; its `text` is the topic. */
  readonly key: LevelKey;
  readonly starts: number[];
  readonly ends: number[];
  readonly hashes: number[];
  readonly lengths: number[];
  /** `levelWords` words per level. */
  words: Int32Array;
  levelCount: number;
  /** The `topicHash` of the whole topic. */
  topicHash: number;
  /** Nodes whose subscriptions match, in walk order; only the first `matchedCount` are current. */
  readonly matched: FilterSet<T>[];
  matchedCount: number;
}

/** Where a filter lives in the trie: its node and, for a shared subscription, its group name. */
interface FilterPath {
  /** The trie nodes from the root to the filter's node. */
  readonly nodes: number[];
  /** Per node after the root, its level hash, or -1 for a `+` node and -2 for a `#` node. */
  readonly hashes: number[];
  /** The level being looked up, reused for each. */
  readonly key: LevelKey;
  shareName: string | undefined;
  topicFilter: string;
  /** The filter's `topicHash` when it has no wildcard and so lives in the exact map, not the trie. */
  exactHash: number | undefined;
}

function createLevelKey(words: Int32Array): LevelKey {
  return { text: '', start: 0, end: 0, hash: 0, length: 0, words, offset: 0 };
}

function createContext<T>(trie: SubscriptionTrie<T>): MatchContext<T> {
  const words = new Int32Array(16 * levelWords);
  return {
    trie,
    key: createLevelKey(words),
    starts: [],
    ends: [],
    hashes: [],
    lengths: [],
    words,
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
  private readonly trie = new SubscriptionTrie<T>();
  // Filters without wildcards skip the trie: one lookup by the topic's hash finds them all.
  private readonly exact = new HashTable<FilterSet<T>>();
  private readonly subscribers = new Map<string, SubscriberRecord>();
  private readonly context = createContext<T>(this.trie);
  private readonly path: FilterPath = {
    nodes: [],
    hashes: [],
    key: createLevelKey(new Int32Array(levelWords)),
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
  private exactCount = 0;

  /** How many subscriptions the index holds, shared ones included. */
  get size(): number {
    return this.subscriptionCount;
  }

  /** How many trie nodes and exact-filter nodes the index holds, 1 when empty: a diagnostic. */
  get nodeCount(): number {
    return this.trie.nodeCount + this.exactCount;
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
    const entry = createSubscriptionEntry(this.subscriberRecord(clientId), filter, data);
    if (shareName !== undefined) {
      node.shared ??= new Map();
      let group = node.shared.get(shareName);
      if (group === undefined) {
        group = new SharedGroupEntry<T>(shareName, topicFilter);
        node.shared.set(shareName, group);
      }
      group.members.set(clientId, entry);
    } else if (node.single === undefined && node.many === undefined) {
      setSingle(node, entry);
    } else {
      addToMany(node, entry);
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
      setSingle(node, undefined);
    } else {
      removeFromMany(node, clientId);
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
        } else if (node.manyList !== undefined) {
          const list = node.manyList;
          for (let at = 2; at < list.length; at += 3) {
            visitor.subscription(list[at] as SubscriptionEntry<T>);
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
      } else if (node.manyList !== undefined) {
        const list = node.manyList;
        for (let at = 0; at < list.length; at += 3) {
          clientSlots.add(list[at] as number, list[at + 1] as string, list[at + 2] as SubscriptionEntry<T>);
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
    for (const head of this.exact.entries()) {
      for (let set: FilterSet<T> | undefined = head; set !== undefined; set = set.sameHash) {
        yield* subscriptionsOf(set);
      }
    }
    for (const set of this.trie.sets) {
      if (set !== undefined) {
        yield* subscriptionsOf(set);
      }
    }
  }

  /**
   * Fills a context with the nodes matching the topic name: the exact-filter node first, then the
   * trie in walk order. `+` and `#` at the first level skip topics starting with `$` [MQTT-4.7.2-1].
   */
  private collect(topic: string, fresh: boolean): MatchContext<T> {
    const context = fresh ? createContext<T>(this.trie) : this.context;
    context.matchedCount = 0;
    splitLevels(topic, context);
    const exact = this.exactSet(topic, context.topicHash);
    if (exact !== undefined) {
      context.matched[context.matchedCount++] = exact;
    }
    if (topic.charCodeAt(0) === dollar) {
      const child = literalChild(rootNode, 0, context);
      if (child !== noNode) {
        walk(child, 1, context);
      }
    } else {
      walk(rootNode, 0, context);
    }
    return context;
  }

  private exactSet(filter: string, hash: number): FilterSet<T> | undefined {
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

  private findEntry(node: FilterSet<T>, clientId: string): SubscriptionEntry<T> | undefined {
    const shareName = this.path.shareName;
    if (shareName !== undefined) {
      return node.shared?.get(shareName)?.members.get(clientId);
    }
    if (node.single !== undefined) {
      return node.single.clientId === clientId ? node.single : undefined;
    }
    return findInMany(node, clientId);
  }

  /**
   * Walks the filter's levels from the root, creating nodes when asked, and records the path in
   * `this.path` for pruning. Returns undefined when a level is missing and not created.
   */
  private descend(filter: string, create: boolean): FilterSet<T> | undefined {
    const path = this.path;
    path.nodes.length = 0;
    path.hashes.length = 0;
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
        set = createFilterSet<T>(topicFilter);
        set.sameHash = this.exact.get(exactHash);
        this.exact.set(exactHash, set);
        this.exactCount++;
      }
      return set;
    }
    path.exactHash = undefined;
    const trie = this.trie;
    let node = rootNode;
    for (;;) {
      path.nodes.push(node);
      let end = filter.indexOf('/', start);
      if (end === -1) {
        end = filter.length;
      }
      let child: number;
      let hash: number;
      if (end - start === 1 && filter.charCodeAt(start) === plus) {
        hash = -1;
        child = create ? trie.ensurePlusChild(node) : trie.plusChild(node);
      } else if (end - start === 1 && filter.charCodeAt(start) === hashSign) {
        hash = -2;
        child = create ? trie.ensureHashChild(node) : trie.hashChild(node);
      } else {
        hash = levelHash(filter, start, end);
        const key = path.key;
        key.text = filter;
        key.start = start;
        key.end = end;
        key.hash = hash;
        key.length = packLevel(key);
        child = trie.child(node, key);
        if (child === noNode && create) {
          child = trie.addChild(node, key);
        }
      }
      if (child === noNode) {
        return undefined;
      }
      path.hashes.push(hash);
      node = child;
      if (end === filter.length) {
        path.nodes.push(node);
        let set = trie.sets[node];
        if (set === undefined && create) {
          set = trie.sets[node] = createFilterSet<T>(topicFilter);
        }
        return set;
      }
      start = end + 1;
    }
  }

  /** Removes the nodes of the last descended path that hold nothing any more, deepest first. */
  private prune(set: FilterSet<T>): void {
    const { nodes, hashes, exactHash } = this.path;
    if (exactHash !== undefined) {
      if (isEmptySet(set)) {
        const rest = unlink(this.exact.get(exactHash)!, set);
        if (rest === undefined) {
          this.exact.delete(exactHash);
        } else {
          this.exact.set(exactHash, rest);
        }
        this.exactCount--;
      }
      return;
    }
    const trie = this.trie;
    if (isEmptySet(set)) {
      trie.sets[nodes[nodes.length - 1]!] = undefined;
    }
    for (let depth = nodes.length - 1; depth > 0; depth--) {
      const node = nodes[depth]!;
      if (!trie.isEmpty(node)) {
        return;
      }
      trie.removeChild(nodes[depth - 1]!, node, hashes[depth - 1]!);
    }
  }
}

function* subscriptionsOf<T>(set: FilterSet<T>): IterableIterator<IndexedSubscription<T>> {
  if (set.single !== undefined) {
    yield set.single;
  }
  const list = set.manyList;
  if (list !== undefined) {
    for (let at = 2; at < list.length; at += 3) {
      yield list[at] as SubscriptionEntry<T>;
    }
  }
  if (set.shared !== undefined) {
    for (const group of set.shared.values()) {
      yield* group.members.values();
    }
  }
}

/** The literal child of `node` for the topic's level `depth`. */
function literalChild<T>(node: number, depth: number, context: MatchContext<T>): number {
  const key = context.key;
  key.start = context.starts[depth]!;
  key.end = context.ends[depth]!;
  key.hash = context.hashes[depth]!;
  key.length = context.lengths[depth]!;
  key.words = context.words;
  key.offset = depth * levelWords;
  return context.trie.child(node, key);
}

function walk<T>(node: number, depth: number, context: MatchContext<T>): void {
  const trie = context.trie;
  const wildcards = trie.wildcards;
  // '#' matches the rest of the topic, including no level at all ("a/#" matches "a").
  const hashChild = wildcards[node * 2 + 1]!;
  if (hashChild !== noNode) {
    context.matched[context.matchedCount++] = trie.sets[hashChild]!;
  }
  if (depth === context.levelCount) {
    const set = trie.sets[node];
    if (set !== undefined) {
      context.matched[context.matchedCount++] = set;
    }
    return;
  }
  const child = literalChild(node, depth, context);
  if (child !== noNode) {
    walk(child, depth + 1, context);
  }
  const plusChild = wildcards[node * 2]!;
  if (plusChild !== noNode) {
    walk(plusChild, depth + 1, context);
  }
}

function splitLevels<T>(topic: string, context: MatchContext<T>): void {
  const { starts, ends, hashes, lengths, key } = context;
  key.text = topic;
  let whole = 0;
  let count = 0;
  let start = 0;
  for (;;) {
    let end = topic.indexOf('/', start);
    const last = end === -1;
    if (last) {
      end = topic.length;
    }
    if ((count + 1) * levelWords > context.words.length) {
      const words = new Int32Array(context.words.length * 2);
      words.set(context.words);
      context.words = words;
    }
    starts[count] = start;
    ends[count] = end;
    key.start = start;
    key.end = end;
    key.words = context.words;
    key.offset = count * levelWords;
    lengths[count] = packLevel(key);
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
