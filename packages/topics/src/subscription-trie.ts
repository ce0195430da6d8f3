import type { FilterSet } from './subscription-node.js';

/** The id of no node: a `+`/`#` link or an edge slot holding 0 is empty. */
export const noNode = 0;
/** The id of the root, which always exists. */
export const rootNode = 1;

const initialNodes = 64;
const initialEdgeSlots = 64;
/**
 * Int32 words per edge slot: parent id, level hash, child id, the level's `packLevel` length, then
 * the level's characters packed four to a word. 32 bytes, so a slot never spans two cache lines.
 */
const edgeStride = 8;
/** Words of packed characters in an edge slot and in a `packLevel` output. */
export const levelWords = 4;
/** Levels up to this many characters, all below U+0100, are compared inside the edge slot. */
const packedLength = levelWords * 4;

/**
 * A level to look up: `text.slice(start, end)`, never sliced, with its `levelHash` and, from
 * `packLevel`, its packed length and its `levelWords` words at `offset` in `words`. Reused.
 */
export interface LevelKey {
  text: string;
  start: number;
  end: number;
  hash: number;
  length: number;
  words: Int32Array;
  offset: number;
}

/**
 * Packs the key's level into `levelWords` words of `key.words` from `key.offset`, four Latin-1
 * characters per word (zero beyond the end), and returns its length; returns -1, packing nothing
 * that counts, for a level too long or with a character above U+00FF, which is compared as text.
 */
export function packLevel(key: LevelKey): number {
  const { text, start, words, offset } = key;
  const length = key.end - start;
  if (length > packedLength) {
    return -1;
  }
  let word = 0;
  let at = offset;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(start + index);
    if (code > 0xff) {
      return -1;
    }
    word |= code << ((index & 3) << 3);
    if ((index & 3) === 3) {
      words[at++] = word;
      word = 0;
    }
  }
  const last = offset + levelWords;
  if (at < last) {
    words[at++] = word;
    while (at < last) {
      words[at++] = 0;
    }
  }
  return length;
}

/** Where an edge of `(parent, levelHash)` starts probing, as a slot number. */
function edgeSlot(parent: number, hash: number, mask: number): number {
  return (hash ^ Math.imul(parent, 0x9e3779b1)) & mask;
}

/**
 * The trie of filters with wildcards, held in typed arrays so that a match walks integers, not
 * objects. A node is a number; its `+` and `#` children sit side by side in `wildcards`, and its
 * literal children in one table for the whole trie, `edges`, open-addressed by (parent, level
 * hash) with linear probing. Each edge slot holds its level's characters when they fit
 * (`packLevel`), so a lookup compares the level exactly while reading one cache line; a longer
 * level is compared with the level of a filter that went through the node (`longKeys`, a map
 * as such levels are rare). Only nodes with subscriptions have an object, their `FilterSet` in
 * `sets`.
 */
export class SubscriptionTrie<T> {
  /** Per node, two words: the `+` child and the `#` child, `noNode` for none. */
  wildcards = new Int32Array(initialNodes * 2);
  /** The subscriptions to the filter ending at each node, if any. */
  readonly sets: (FilterSet<T> | undefined)[] = [undefined, undefined];
  /** Per edge slot, `edgeStride` words (see there); a child of `noNode` marks a free slot. */
  edges = new Int32Array(initialEdgeSlots * edgeStride);
  edgeMask = initialEdgeSlots - 1;
  /** How many nodes exist, the root included. */
  nodeCount = 1;
  private edgeCount = 0;
  private literalCounts = new Int32Array(initialNodes);
  /** The level of each node whose level does not fit in its edge slot, as a range of a filter. */
  private readonly longKeys = new Map<number, { text: string; start: number; end: number }>();
  private readonly freeIds: number[] = [];
  private nextId = rootNode + 1;

  /** The `+` child of a node, or `noNode`. */
  plusChild(node: number): number {
    return this.wildcards[node * 2]!;
  }

  /** The `#` child of a node, or `noNode`. */
  hashChild(node: number): number {
    return this.wildcards[node * 2 + 1]!;
  }

  /** The `+` child of a node, created when missing. */
  ensurePlusChild(node: number): number {
    let child = this.wildcards[node * 2]!;
    if (child === noNode) {
      child = this.newNode();
      this.wildcards[node * 2] = child;
    }
    return child;
  }

  /** The `#` child of a node, created when missing. */
  ensureHashChild(node: number): number {
    let child = this.wildcards[node * 2 + 1]!;
    if (child === noNode) {
      child = this.newNode();
      this.wildcards[node * 2 + 1] = child;
    }
    return child;
  }

  /** The literal child of `parent` for the key's level, or `noNode`. */
  child(parent: number, key: LevelKey): number {
    const { hash, length, words, offset } = key;
    const edges = this.edges;
    const mask = this.edgeMask;
    for (let slot = edgeSlot(parent, hash, mask); ; slot = (slot + 1) & mask) {
      const at = slot * edgeStride;
      const child = edges[at + 2]!;
      if (child === noNode) {
        return noNode;
      }
      if (edges[at] === parent && edges[at + 1] === hash && edges[at + 3] === length) {
        if (
          length >= 0
            ? edges[at + 4] === words[offset] &&
              edges[at + 5] === words[offset + 1] &&
              edges[at + 6] === words[offset + 2] &&
              edges[at + 7] === words[offset + 3]
            : this.hasKey(child, key)
        ) {
          return child;
        }
      }
    }
  }

  /** Adds a literal child of `parent` for the key's level, which `child` did not find. */
  addChild(parent: number, key: LevelKey): number {
    if ((this.edgeCount + 1) * 2 > this.edgeMask + 1) {
      this.growEdges();
    }
    const { hash, length, words, offset } = key;
    // Only a level compared as text needs its text kept.
    const child = this.newNode();
    if (length < 0) {
      this.longKeys.set(child, { text: key.text, start: key.start, end: key.end });
    }
    const edges = this.edges;
    const mask = this.edgeMask;
    let slot = edgeSlot(parent, hash, mask);
    while (edges[slot * edgeStride + 2] !== noNode) {
      slot = (slot + 1) & mask;
    }
    const at = slot * edgeStride;
    edges[at] = parent;
    edges[at + 1] = hash;
    edges[at + 2] = child;
    edges[at + 3] = length;
    if (length >= 0) {
      edges[at + 4] = words[offset]!;
      edges[at + 5] = words[offset + 1]!;
      edges[at + 6] = words[offset + 2]!;
      edges[at + 7] = words[offset + 3]!;
    }
    this.edgeCount++;
    this.literalCounts[parent]!++;
    return child;
  }

  /** Whether a node holds nothing: no subscriptions and no child. */
  isEmpty(node: number): boolean {
    return (
      this.sets[node] === undefined &&
      this.literalCounts[node] === 0 &&
      this.wildcards[node * 2] === noNode &&
      this.wildcards[node * 2 + 1] === noNode
    );
  }

  /**
   * Removes the empty node `child` from `parent`: `hash` is its level hash, or -1 for a `+` child
   * and -2 for a `#` child.
   */
  removeChild(parent: number, child: number, hash: number): void {
    if (hash === -1) {
      this.wildcards[parent * 2] = noNode;
    } else if (hash === -2) {
      this.wildcards[parent * 2 + 1] = noNode;
    } else {
      this.deleteEdge(parent, hash, child);
      this.edgeCount--;
      this.literalCounts[parent]!--;
    }
    this.sets[child] = undefined;
    this.longKeys.delete(child);
    this.freeIds.push(child);
    this.nodeCount--;
  }

  private hasKey(node: number, key: LevelKey): boolean {
    const { text, start } = key;
    const long = this.longKeys.get(node)!;
    const keyStart = long.start;
    const length = key.end - start;
    if (long.end - keyStart !== length) {
      return false;
    }
    const keyText = long.text;
    for (let index = 0; index < length; index++) {
      if (keyText.charCodeAt(keyStart + index) !== text.charCodeAt(start + index)) {
        return false;
      }
    }
    return true;
  }

  private newNode(): number {
    let node = this.freeIds.pop();
    if (node === undefined) {
      node = this.nextId++;
      if (node === this.literalCounts.length) {
        this.growNodes();
      }
      this.sets.push(undefined);
    }
    this.nodeCount++;
    return node;
  }

  private growNodes(): void {
    const size = this.literalCounts.length * 2;
    const grow = (old: Int32Array, length: number) => {
      const grown = new Int32Array(length);
      grown.set(old);
      return grown;
    };
    this.wildcards = grow(this.wildcards, size * 2);
    this.literalCounts = grow(this.literalCounts, size);
  }

  /** Frees the slot of the edge to `child`, moving later edges of its probe run back into it. */
  private deleteEdge(parent: number, hash: number, child: number): void {
    const edges = this.edges;
    const mask = this.edgeMask;
    let slot = edgeSlot(parent, hash, mask);
    while (edges[slot * edgeStride + 2] !== child) {
      slot = (slot + 1) & mask;
    }
    // Backward-shift deletion: an edge further along the run moves into the hole when the hole lies
    // between its home slot and its slot, so every edge stays reachable from its home.
    let hole = slot;
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const at = next * edgeStride;
      if (edges[at + 2] === noNode) {
        break;
      }
      const home = edgeSlot(edges[at]!, edges[at + 1]!, mask);
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        edges.copyWithin(hole * edgeStride, at, at + edgeStride);
        hole = next;
      }
    }
    edges.fill(0, hole * edgeStride, (hole + 1) * edgeStride);
  }

  private growEdges(): void {
    const old = this.edges;
    const slots = (this.edgeMask + 1) * 2;
    const edges = new Int32Array(slots * edgeStride);
    const mask = slots - 1;
    for (let from = 0; from < old.length; from += edgeStride) {
      if (old[from + 2] !== noNode) {
        let slot = edgeSlot(old[from]!, old[from + 1]!, mask);
        while (edges[slot * edgeStride + 2] !== noNode) {
          slot = (slot + 1) & mask;
        }
        const to = slot * edgeStride;
        for (let word = 0; word < edgeStride; word++) {
          edges[to + word] = old[from + word]!;
        }
      }
    }
    this.edges = edges;
    this.edgeMask = mask;
  }
}
