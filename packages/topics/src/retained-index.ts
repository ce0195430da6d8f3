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

class RetainedNode<T> {
  children: Map<string, RetainedNode<T>> | undefined = undefined;
  entry: { readonly topic: string; value: T } | undefined = undefined;
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
      let child = node.children?.get(key);
      if (child === undefined) {
        child = new RetainedNode<T>();
        this.nodes++;
        (node.children ??= new Map()).set(key, child);
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
    for (let depth = nodes.length - 1; depth > 0; depth--) {
      const empty = nodes[depth]!;
      if (empty.entry !== undefined || empty.children !== undefined) {
        break;
      }
      const children = nodes[depth - 1]!.children!;
      children.delete(this.pathKeys[depth - 1]!);
      if (children.size === 0) {
        nodes[depth - 1]!.children = undefined;
      }
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
      if (node.children !== undefined) {
        for (const child of node.children.values()) {
          stack.push(child);
        }
      }
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
      const child = node.children?.get(key);
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
    const children = node.children;
    const wildcard = level.length === 1 ? level.charCodeAt(0) : 0;
    if (wildcard === hash) {
      // '#' matches the parent level too: "a/#" matches "a".
      if (node.entry !== undefined) {
        context.visit!(node.entry);
      }
      if (children !== undefined) {
        for (const [key, child] of children) {
          if (depth > 0 || key.charCodeAt(0) !== dollar) {
            visitAll(child, context.visit!);
          }
        }
      }
      return;
    }
    if (children === undefined) {
      return;
    }
    if (wildcard === plus) {
      for (const [key, child] of children) {
        if (depth > 0 || key.charCodeAt(0) !== dollar) {
          this.walk(child, depth + 1, context);
        }
      }
      return;
    }
    const child = children.get(level);
    if (child !== undefined) {
      this.walk(child, depth + 1, context);
    }
  }
}

function visitAll<T>(node: RetainedNode<T>, visit: (entry: RetainedEntry<T>) => void): void {
  if (node.entry !== undefined) {
    visit(node.entry);
  }
  if (node.children !== undefined) {
    for (const child of node.children.values()) {
      visitAll(child, visit);
    }
  }
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
