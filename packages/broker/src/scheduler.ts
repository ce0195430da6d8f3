/** Something with deadlines: a session, asked again whenever its timer fires. */
export interface Scheduled {
  /** The deadline the scheduler holds for it; the scheduler owns this field. */
  scheduledAt: number | undefined;
}

/**
 * One timer for every session (keep alive, will delay, session and message expiry): a binary heap
 * of deadlines. A deadline that moves later (a packet extended the keep alive) costs nothing: the
 * old entry fires, the owner finds nothing due and schedules its new deadline. The heap is two
 * parallel arrays (deadlines as unboxed doubles, items) rather than an object per entry: every
 * idle connection holds one entry for its keep alive.
 */
export class Scheduler<T extends Scheduled> {
  private readonly deadlines: number[] = [];
  private readonly items: T[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly now: () => number,
    private readonly fire: (item: T, now: number) => void,
  ) {}

  /** Makes sure `item` is woken no later than `at` (undefined: nothing due). */
  schedule(item: T, at: number | undefined): void {
    if (at === undefined || this.stopped) return;
    if (item.scheduledAt !== undefined && item.scheduledAt <= at) return;
    item.scheduledAt = at;
    this.push(at, item);
    if (at < this.timerAt) this.arm(at);
  }

  /** Forgets `item`; its heap entries are skipped when they come up. */
  cancel(item: T): void {
    item.scheduledAt = undefined;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlines.length = 0;
    this.items.length = 0;
  }

  private arm(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    // Node timers take at most 2^31-1 ms; a later deadline re-arms when this one fires.
    const delay = Math.min(Math.max(0, at - this.now()), 2_147_483_647);
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.now();
    const deadlines = this.deadlines;
    while (deadlines.length > 0 && deadlines[0]! <= now) {
      const at = deadlines[0]!;
      const item = this.pop();
      if (item.scheduledAt !== at) continue;
      item.scheduledAt = undefined;
      this.fire(item, now);
    }
    if (deadlines.length > 0 && !this.stopped) this.arm(deadlines[0]!);
  }

  private push(at: number, item: T): void {
    const deadlines = this.deadlines;
    const items = this.items;
    let index = deadlines.length;
    deadlines.push(at);
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (deadlines[parent]! <= at) break;
      deadlines[index] = deadlines[parent]!;
      items[index] = items[parent]!;
      index = parent;
    }
    deadlines[index] = at;
    items[index] = item;
  }

  /** Removes the earliest entry and returns its item. */
  private pop(): T {
    const deadlines = this.deadlines;
    const items = this.items;
    const top = items[0]!;
    const lastAt = deadlines.pop()!;
    const lastItem = items.pop()!;
    const size = deadlines.length;
    if (size > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && deadlines[right]! < deadlines[left]! ? right : left;
        if (deadlines[child]! >= lastAt) break;
        deadlines[index] = deadlines[child]!;
        items[index] = items[child]!;
        index = child;
      }
      deadlines[index] = lastAt;
      items[index] = lastItem;
    }
    return top;
  }
}
