import { MqttError, ReasonCode } from '@mqttkit/codec';
import { sharePrefix } from './parse-shared-subscription.js';
import { validateTopicName } from './validate-topic-name.js';

const plus = 0x2b;
const hash = 0x23;
const dollar = 0x24;

/** One retained topic and its value. */
export interface RetainedEntry<T> {
  readonly topic: string;
  readonly value: T;
}

/** One level of the retained trie; a single child is held without a map, as most levels have one. */
class RetainedNode<T> {
  onlyKey: string | undefined = undefined;
  onlyChild: RetainedNode<T> | undefined = undefined;
  children: Map<string, RetainedNode<T>> | undefined = undefined;
  entry: { readonly topic: string; value: T } | undefined = undefined;

  child(key: string): RetainedNode<T> | undefined {
    return this.onlyKey === key ? this.onlyChild : this.children?.get(key);
  }

  addChild(key: string, child: RetainedNode<T>): void {
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

  isEmpty(): boolean {
    return this.entry === undefined && this.onlyChild === undefined && this.children === undefined;
  }

  /** Calls `visit` with each child and its key. */
  forEachChild(visit: (child: RetainedNode<T>, key: string) => void): void {
    if (this.onlyChild !== undefined) {
      visit(this.onlyChild, this.onlyKey!);
    } else if (this.children !== undefined) {
      for (const [key, child] of this.children) {
        visit(child, key);
      }
    }
  }
}

/** The levels of the filter being matched and the visitor; reused between matches. */
interface FilterContext<T> {
  readonly levels: string[];
  levelCount: number;
  visit: ((entry: RetainedEntry<T>) => void) | undefined;
}

/**
 * Retained messages (or anything else) by topic name, in a trie keyed by level, so a filter with
 * wildcards walks only the branches it can match instead of every retained topic.
 */
export class RetainedIndex<T> {
  private readonly root = new RetainedNode<T>();
  private readonly context: FilterContext<T> = { levels: [], levelCount: 0, visit: undefined };
  private readonly pathNodes: RetainedNode<T>[] = [];
  private readonly pathKeys: string[] = [];
  private contextInUse = false;
  private entryCount = 0;
  private nodes = 1;

  /** How many topics hold a value. */
  get size(): number {
    return this.entryCount;
  }

  /** How many trie nodes the index holds (1 when empty): a diagnostic for memory use. */
  get nodeCount(): number {
    return this.nodes;
  }

  /**
   * Sets the value of a topic name. Returns true when the topic had no value before. Throws an
   * `MqttError` for a topic name that `validateTopicName` rejects.
   */
  set(topic: string, value: T): boolean {
    const problem = validateTopicName(topic);
    if (problem !== undefined) {
      throw new MqttError(problem.message, {
        code: 'MQTT_INVALID_ARGUMENT',
        reasonCode: ReasonCode.TopicNameInvalid,
        statement: problem.statement,
      });
    }
    let node = this.root;
    let start = 0;
    for (;;) {
      let end = topic.indexOf('/', start);
      if (end === -1) {
        end = topic.length;
      }
      const key = topic.slice(start, end);
      let child = node.child(key);
      if (child === undefined) {
        child = new RetainedNode<T>();
        this.nodes++;
        node.addChild(key, child);
      }
      node = child;
      if (end === topic.length) {
        break;
      }
      start = end + 1;
    }
    if (node.entry !== undefined) {
      node.entry.value = value;
      return false;
    }
    node.entry = { topic, value };
    this.entryCount++;
    return true;
  }

  /** The value of a topic name, if any. */
  get(topic: string): T | undefined {
    return this.find(topic)?.entry?.value;
  }

  /** Removes a topic's value. Returns false when it had none. */
  delete(topic: string): boolean {
    const node = this.find(topic);
    if (node?.entry === undefined) {
      return false;
    }
    node.entry = undefined;
    this.entryCount--;
    const nodes = this.pathNodes;
    for (let depth = nodes.length - 1; depth > 0 && nodes[depth]!.isEmpty(); depth--) {
      nodes[depth - 1]!.deleteChild(this.pathKeys[depth - 1]!);
      this.nodes--;
    }
    return true;
  }

  /**
   * Calls `visit` for every retained topic the filter matches, walking only matching branches.
   * A `$share/{ShareName}/` prefix is ignored, and `+` or `#` at the first level skip topics
   * starting with `$` [MQTT-4.7.2-1]. The filter must be valid (see `validateTopicFilter`).
   */
  forEachMatch(filter: string, visit: (entry: RetainedEntry<T>) => void): void {
    const nested = this.contextInUse;
    const context: FilterContext<T> = nested ? { levels: [], levelCount: 0, visit } : this.context;
    context.visit = visit;
    this.contextInUse = true;
    try {
      let start = 0;
      if (filter.startsWith(sharePrefix)) {
        start = filter.indexOf('/', sharePrefix.length) + 1;
      }
      splitFilter(filter, start, context);
      this.walk(this.root, 0, context);
    } finally {
      context.visit = undefined;
      this.contextInUse = nested;
    }
  }

  /** The retained entries the filter matches, as an array (see `forEachMatch`). */
  match(filter: string): RetainedEntry<T>[] {
    const entries: RetainedEntry<T>[] = [];
    this.forEachMatch(filter, (entry) => entries.push(entry));
    return entries;
  }

  /** Every retained entry, in no particular order. */
  *entries(): IterableIterator<RetainedEntry<T>> {
    const stack = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.entry !== undefined) {
        yield node.entry;
      }
      node.forEachChild((child) => stack.push(child));
    }
  }

  private find(topic: string): RetainedNode<T> | undefined {
    const nodes = this.pathNodes;
    const keys = this.pathKeys;
    nodes.length = 0;
    keys.length = 0;
    let node = this.root;
    let start = 0;
    for (;;) {
      nodes.push(node);
      let end = topic.indexOf('/', start);
      if (end === -1) {
        end = topic.length;
      }
      const key = topic.slice(start, end);
      const child = node.child(key);
      if (child === undefined) {
        return undefined;
      }
      keys.push(key);
      node = child;
      if (end === topic.length) {
        nodes.push(node);
        return node;
      }
      start = end + 1;
    }
  }

  private walk(node: RetainedNode<T>, depth: number, context: FilterContext<T>): void {
    if (depth === context.levelCount) {
      if (node.entry !== undefined) {
        context.visit!(node.entry);
      }
      return;
    }
    const level = context.levels[depth]!;
    const wildcard = level.length === 1 ? level.charCodeAt(0) : 0;
    if (wildcard === hash) {
      // '#' matches the parent level too: "a/#" matches "a".
      if (node.entry !== undefined) {
        context.visit!(node.entry);
      }
      node.forEachChild((child, key) => {
        if (depth > 0 || key.charCodeAt(0) !== dollar) {
          visitAll(child, context.visit!);
        }
      });
      return;
    }
    if (wildcard === plus) {
      node.forEachChild((child, key) => {
        if (depth > 0 || key.charCodeAt(0) !== dollar) {
          this.walk(child, depth + 1, context);
        }
      });
      return;
    }
    const child = node.child(level);
    if (child !== undefined) {
      this.walk(child, depth + 1, context);
    }
  }
}

function visitAll<T>(node: RetainedNode<T>, visit: (entry: RetainedEntry<T>) => void): void {
  if (node.entry !== undefined) {
    visit(node.entry);
  }
  node.forEachChild((child) => visitAll(child, visit));
}

function splitFilter<T>(filter: string, start: number, context: FilterContext<T>): void {
  const levels = context.levels;
  let count = 0;
  for (;;) {
    const end = filter.indexOf('/', start);
    if (end === -1) {
      levels[count++] = filter.slice(start);
      break;
    }
    levels[count++] = filter.slice(start, end);
    start = end + 1;
  }
  context.levelCount = count;
}
