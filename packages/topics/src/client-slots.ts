import type { MatchResult } from './match-result.js';
import type { SubscriptionEntry } from './subscription-node.js';

/**
 * Finds, during one grouped match, the result slot of a client from its number: an open-addressing
 * table of a few small typed arrays that stays in cache, so grouping never writes to the client's
 * own record (a cache miss per match at a million subscriptions). Emptied after every match.
 */
export class ClientSlots<T> {
  /** Client number per table position, 0 for an empty position. */
  private numbers = new Int32Array(64);
  private slots = new Int32Array(64);
  /** The positions filled by the current match, so that emptying costs only what was used. */
  private readonly used: number[] = [];
  private usedCount = 0;
  private result: MatchResult<T> | undefined = undefined;

  /** Starts grouping into `result`, which must be empty. */
  begin(result: MatchResult<T>): void {
    this.result = result;
  }

  /**
   * Adds `entry` to its client's list in the result, opening the list on the client's first
   * match. The caller passes the client's number and id so that the entry itself is not read.
   */
  add(number: number, clientId: string, entry: SubscriptionEntry<T>): void {
    const result = this.result!;
    const numbers = this.numbers;
    const mask = numbers.length - 1;
    let position = Math.imul(number, 0x9e3779b1) & mask;
    for (;;) {
      const found = numbers[position];
      if (found === number) {
        result.addSubscription(this.slots[position]!, entry);
        return;
      }
      if (found === 0) {
        break;
      }
      position = (position + 1) & mask;
    }
    const slot = result.openSubscriber(clientId, entry);
    numbers[position] = number;
    this.slots[position] = slot;
    this.used[this.usedCount++] = position;
    // Kept at most half full so that probes stay short.
    if (this.usedCount * 2 > numbers.length) {
      this.grow();
    }
  }

  /** Empties the table for the next match and lets go of the result. */
  end(): void {
    this.result = undefined;
    const numbers = this.numbers;
    for (let index = 0; index < this.usedCount; index++) {
      numbers[this.used[index]!] = 0;
    }
    this.usedCount = 0;
  }

  private grow(): void {
    const { numbers, slots } = this;
    const size = numbers.length * 2;
    const mask = size - 1;
    this.numbers = new Int32Array(size);
    this.slots = new Int32Array(size);
    for (let index = 0; index < this.usedCount; index++) {
      const old = this.used[index]!;
      const number = numbers[old]!;
      let position = Math.imul(number, 0x9e3779b1) & mask;
      while (this.numbers[position] !== 0) {
        position = (position + 1) & mask;
      }
      this.numbers[position] = number;
      this.slots[position] = slots[old]!;
      this.used[index] = position;
    }
  }
}
