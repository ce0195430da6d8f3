/** Something with deadlines: a session, asked again whenever its timer fires. */
export interface Scheduled {
  /** The deadline the scheduler holds for it; the scheduler owns this field. */
  scheduledAt: number | undefined;
}

interface Entry<T extends Scheduled> {
  readonly at: number;
  readonly item: T;
}

/**
 * One timer for every session (keep alive, will delay, session and message expiry): a binary heap
 * of deadlines. A deadline that moves later (a packet extended the keep alive) costs nothing: the
 * old entry fires, the owner finds nothing due and schedules its new deadline.
 */
export class Scheduler<T extends Scheduled> {
  private readonly heap: Entry<T>[] = [];
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
    this.push({ at, item });
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
    this.heap.length = 0;
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
    while (this.heap.length > 0 && this.heap[0]!.at <= now) {
      const { at, item } = this.pop();
      if (item.scheduledAt !== at) continue;
      item.scheduledAt = undefined;
      this.fire(item, now);
    }
    if (this.heap.length > 0 && !this.stopped) this.arm(this.heap[0]!.at);
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= entry.at) break;
      heap[index] = heap[parent]!;
      index = parent;
    }
    heap[index] = entry;
  }

  private pop(): Entry<T> {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.at < heap[left]!.at ? right : left;
        if (heap[child]!.at >= last.at) break;
        heap[index] = heap[child]!;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }
}
