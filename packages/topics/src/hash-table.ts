/**
 * A map from 30-bit hashes (`topicHash`) to values, open-addressed with linear probing: the
 * hashes sit in one typed array, so a lookup for a topic that no filter has reads one cache line
 * of integers before it touches any object. It stays at most half full.
 */
export class HashTable<V> {
  /** Per slot, the hash plus one; 0 for a free slot. */
  private keys = new Int32Array(64);
  private values: (V | undefined)[] = new Array<V | undefined>(64).fill(undefined);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(hash: number): V | undefined {
    const keys = this.keys;
    const mask = keys.length - 1;
    const stored = hash + 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const key = keys[slot]!;
      if (key === stored) {
        return this.values[slot];
      }
      if (key === 0) {
        return undefined;
      }
    }
  }

  set(hash: number, value: V): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    const stored = hash + 1;
    let slot = hash & mask;
    for (; keys[slot] !== 0; slot = (slot + 1) & mask) {
      if (keys[slot] === stored) {
        this.values[slot] = value;
        return;
      }
    }
    keys[slot] = stored;
    this.values[slot] = value;
    if (++this.count * 2 > keys.length) {
      this.grow();
    }
  }

  delete(hash: number): void {
    const keys = this.keys;
    const values = this.values;
    const mask = keys.length - 1;
    const stored = hash + 1;
    let hole = hash & mask;
    while (keys[hole] !== stored) {
      if (keys[hole] === 0) {
        return;
      }
      hole = (hole + 1) & mask;
    }
    this.count--;
    // Backward-shift deletion: a later key of the probe run moves into the hole when the hole lies
    // between its home slot and its slot, so every key stays reachable from its home.
    for (let next = (hole + 1) & mask; keys[next] !== 0; next = (next + 1) & mask) {
      const home = (keys[next]! - 1) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        keys[hole] = keys[next]!;
        values[hole] = values[next];
        hole = next;
      }
    }
    keys[hole] = 0;
    values[hole] = undefined;
  }

  *entries(): IterableIterator<V> {
    for (let slot = 0; slot < this.keys.length; slot++) {
      if (this.keys[slot] !== 0) {
        yield this.values[slot]!;
      }
    }
  }

  private grow(): void {
    const { keys, values } = this;
    const size = keys.length * 2;
    const mask = size - 1;
    this.keys = new Int32Array(size);
    this.values = new Array<V | undefined>(size).fill(undefined);
    for (let from = 0; from < keys.length; from++) {
      const key = keys[from]!;
      if (key !== 0) {
        let slot = (key - 1) & mask;
        while (this.keys[slot] !== 0) {
          slot = (slot + 1) & mask;
        }
        this.keys[slot] = key;
        this.values[slot] = values[from];
      }
    }
  }
}
