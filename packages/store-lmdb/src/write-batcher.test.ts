import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WriteBatcher } from './write-batcher.js';
import type { BatchTarget, NumberedKeys } from './write-batcher.js';

/** A database stand-in that records each transaction's writes and commits when told. */
function fakeTarget(): BatchTarget & {
  transactions: [string, unknown][][];
  fail: boolean;
  synced: Promise<void>;
} {
  let current: [string, unknown][] = [];
  const target = {
    transactions: [] as [string, unknown][][],
    fail: false,
    /** Awaited by every commit before it resolves: the fsync. */
    synced: Promise.resolve() as Promise<void>,
    async batch(callback: () => void): Promise<unknown> {
      current = [];
      callback();
      target.transactions.push(current);
      if (target.fail) throw new Error('disk full');
      await target.synced;
      return true;
    },
    async put(key: Buffer, value: unknown): Promise<boolean> {
      current.push([key.toString(), value]);
      return true;
    },
    async remove(key: Buffer): Promise<boolean> {
      current.push([key.toString(), undefined]);
      return true;
    },
  };
  return target;
}

describe('WriteBatcher', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("commits every write of one event-loop turn in one transaction with sync 'always'", async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    for (let index = 0; index < 100; index += 1)
      batcher.stage(Buffer.from(`key-${String(index)}`), () => index);
    const settled = batcher.settled();
    await vi.runAllTimersAsync();
    await settled;
    expect(target.transactions).toHaveLength(1);
    expect(target.transactions[0]).toHaveLength(100);
  });

  it('keeps only the last value of a key staged twice in a batch, read when the batch is sealed', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    let state = 'first';
    batcher.stage(Buffer.from('record'), () => 'added');
    batcher.stage(Buffer.from('record'));
    batcher.stage(Buffer.from('header'), () => state);
    state = 'second';
    await batcher.flush();
    expect(target.transactions).toStrictEqual([
      [
        ['record', undefined],
        ['header', 'second'],
      ],
    ]);
  });

  it('writes nothing for a fresh key removed before its batch is sealed, and still commits the rest', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    batcher.stage(Buffer.from('record-1'), () => 'queued', true);
    batcher.stage(Buffer.from('record-1'), () => 'inflight');
    batcher.stage(Buffer.from('counters'), () => 2);
    batcher.stage(Buffer.from('record-1'));
    await batcher.flush();
    expect(target.transactions).toStrictEqual([[['counters', 2]]]);
  });

  it('removes a key that is not fresh, or whose put is already sealed, from the disk', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    batcher.stage(Buffer.from('old'), () => 'replaced');
    batcher.stage(Buffer.from('old'));
    batcher.stage(Buffer.from('sealed'), () => 'queued', true);
    await batcher.flush();
    batcher.stage(Buffer.from('sealed'));
    // A key staged for removal first (a cleared session) is not fresh when put again.
    batcher.stage(Buffer.from('reused'));
    batcher.stage(Buffer.from('reused'), () => 'new', true);
    batcher.stage(Buffer.from('reused'));
    await batcher.flush();
    expect(target.transactions).toStrictEqual([
      [
        ['old', undefined],
        ['sealed', 'queued'],
      ],
      [
        ['sealed', undefined],
        ['reused', undefined],
      ],
    ]);
  });

  it('stages numbered entries by number: last item wins, a fresh one removed before sealing is dropped', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    const keysOf = (id: string): NumberedKeys<string> => ({
      id,
      key: (index) => Buffer.from(`${id}-${String(index)}`),
      value: (item) => item.toUpperCase(),
    });
    const records = keysOf('s1');
    batcher.stageFresh(records, 1, 'queued');
    batcher.stageNumbered(records, 1, 'inflight');
    batcher.stageFresh(records, 2, 'queued');
    batcher.stageNumbered(records, 2, undefined);
    batcher.stageNumbered(records, 3, undefined);
    // Another object with the same id addresses the same keys.
    batcher.stageNumbered(keysOf('s1'), 1, 'acked');
    batcher.stageNumbered(keysOf('s2'), 1, 'other');
    batcher.stage(Buffer.from('counters'), () => 4);
    await batcher.flush();
    batcher.stageNumbered(records, 1, undefined);
    await batcher.flush();
    expect(target.transactions).toStrictEqual([
      [
        ['counters', 4],
        ['s1-1', 'ACKED'],
        ['s1-3', undefined],
        ['s2-1', 'OTHER'],
      ],
      [['s1-1', undefined]],
    ]);
  });

  it('commits at most once per window with a grouped policy, at once after a quiet spell', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, { intervalMs: 50 });
    batcher.stage(Buffer.from('a'), () => 1);
    await vi.advanceTimersByTimeAsync(0);
    expect(target.transactions).toHaveLength(1);
    batcher.stage(Buffer.from('b'), () => 2);
    await vi.advanceTimersByTimeAsync(10);
    batcher.stage(Buffer.from('c'), () => 3);
    await vi.advanceTimersByTimeAsync(30);
    expect(target.transactions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(target.transactions).toHaveLength(2);
    expect(target.transactions[1]).toStrictEqual([
      ['b', 2],
      ['c', 3],
    ]);
  });

  it('with a grouped policy, starts no commit while the previous one is on its way to the disk', async () => {
    const target = fakeTarget();
    let synced!: () => void;
    target.synced = new Promise<void>((resolve) => (synced = resolve));
    const batcher = new WriteBatcher(target, { intervalMs: 5 });
    batcher.stage(Buffer.from('a'), () => 1);
    await vi.advanceTimersByTimeAsync(0);
    batcher.stage(Buffer.from('b'), () => 2);
    batcher.stage(Buffer.from('c'), () => 3);
    await vi.advanceTimersByTimeAsync(100);
    expect(target.transactions).toHaveLength(1);
    target.synced = Promise.resolve();
    synced();
    await vi.advanceTimersByTimeAsync(0);
    expect(target.transactions).toStrictEqual([
      [['a', 1]],
      [
        ['b', 2],
        ['c', 3],
      ],
    ]);
  });

  it('rejects every write of a failed batch, also of one sealed for its size', async () => {
    const target = fakeTarget();
    target.fail = true;
    const batcher = new WriteBatcher(target, 'always');
    const settled: Promise<void>[] = [];
    for (let index = 0; index <= 20_000; index += 1) {
      batcher.stage(Buffer.from(`key-${String(index)}`), () => index);
      settled.push(batcher.settled());
    }
    for (const write of settled) write.catch(() => undefined);
    await vi.runAllTimersAsync();
    expect(target.transactions.map((writes) => writes.length)).toStrictEqual([20_000, 1]);
    await expect(settled[19_999]).rejects.toThrow('disk full');
    await expect(settled[20_000]).rejects.toThrow('disk full');
    await expect(batcher.flush()).rejects.toThrow('disk full');
  });

  it('rejects the writes of a failed batch and the next flush, then carries on', async () => {
    const target = fakeTarget();
    const batcher = new WriteBatcher(target, 'always');
    target.fail = true;
    batcher.stage(Buffer.from('a'), () => 1);
    const failed = batcher.settled();
    await vi.runAllTimersAsync();
    await expect(failed).rejects.toThrow('disk full');
    await expect(batcher.flush()).rejects.toThrow('disk full');
    target.fail = false;
    batcher.stage(Buffer.from('b'), () => 2);
    await expect(batcher.flush()).resolves.toBeUndefined();
  });
});
