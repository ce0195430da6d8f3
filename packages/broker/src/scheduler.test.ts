import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from './scheduler.js';
import type { Scheduled } from './scheduler.js';

interface Item extends Scheduled {
  readonly name: number;
}

describe('Scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('wakes every item once, earliest deadline first, whatever order they were scheduled in', () => {
    const fired: number[] = [];
    const scheduler = new Scheduler<Item>(
      () => Date.now(),
      (item) => fired.push(item.name),
    );
    const start = Date.now();
    // A fixed shuffle of 500 distinct deadlines, some scheduled twice (the later one is ignored).
    const delays = Array.from({ length: 500 }, (_, index) => ((index * 7919) % 500) + 1);
    const items = delays.map((delay): Item => ({ name: delay, scheduledAt: undefined }));
    for (const item of items) scheduler.schedule(item, start + item.name);
    for (const item of items.slice(0, 50)) scheduler.schedule(item, start + item.name + 1_000);
    vi.advanceTimersByTime(250);
    expect(fired).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    vi.advanceTimersByTime(2_000);
    expect(fired).toEqual(Array.from({ length: 500 }, (_, index) => index + 1));
    expect(items.every((item) => item.scheduledAt === undefined)).toBe(true);
  });

  it('fires an earlier deadline given later, and skips cancelled items', () => {
    const fired: string[] = [];
    const scheduler = new Scheduler<Item>(
      () => Date.now(),
      (item, now) => fired.push(`${item.name}@${now - start}`),
    );
    const start = Date.now();
    const first: Item = { name: 1, scheduledAt: undefined };
    const second: Item = { name: 2, scheduledAt: undefined };
    const third: Item = { name: 3, scheduledAt: undefined };
    scheduler.schedule(first, start + 100);
    scheduler.schedule(second, start + 200);
    scheduler.schedule(third, start + 300);
    scheduler.schedule(third, start + 50);
    scheduler.cancel(second);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(['3@50', '1@100']);
  });
});
