/** How writes are made durable; see `LmdbStoreOptions.sync`. */
export type SyncPolicy = 'always' | 'none' | { readonly intervalMs: number };

/** The part of an lmdb-js database the batcher uses. */
export interface BatchTarget {
  batch(callback: () => void): Promise<unknown>;
  put(key: Buffer, value: unknown): Promise<boolean>;
  remove(key: Buffer): Promise<boolean>;
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function defer(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}

/**
 * Entries under keys numbered within a group (one session's outbound records): staged by number
 * with the item itself as the value, so staging allocates no key, no id string and no closure;
 * the key and the stored value are made when the batch is sealed. Groups with the same `id`
 * address the same keys. Items must not change once staged (stage a new one instead).
 */
export interface NumberedKeys<T> {
  readonly id: string;
  key(index: number): Buffer;
  value(item: T): unknown;
}

interface StagedItem<T> {
  item: T | undefined;
  fresh: boolean;
}

interface StagedGroup<T> {
  readonly keys: NumberedKeys<T>;
  readonly items: Map<number, StagedItem<T>>;
}

/** A key with its id among staged writes, made once for a key staged again and again. */
export interface StagingKey {
  readonly key: Buffer;
  readonly id: string;
}

export function stagingKey(key: Buffer): StagingKey {
  return { key, id: key.toString('latin1') };
}

/** A batch this large is committed at once, whatever the policy, to bound memory. */
const largestBatch = 20_000;

/**
 * Collects writes into batches and commits each batch as one LMDB transaction: with a sync
 * policy, every write of a batch resolves after the one fsync of its transaction. Staging the
 * same key twice in a batch keeps the last value only, and a fresh key removed before its batch
 * is sealed is not written at all, so a message queued and acknowledged within one window costs
 * almost nothing. Values are thunks, read when the batch is sealed: a
 * batch holds the state as of its last staged write, never a later one. Numbered entries
 * (`stageNumbered`) hold immutable items instead, encoded when the batch is sealed.
 */
export class WriteBatcher {
  private pending = new Map<string, { key: Buffer; value: (() => unknown) | undefined; fresh: boolean }>();
  private groups = new Map<string, StagedGroup<unknown>>();
  /** Entries staged in `groups`. */
  private numbered = 0;
  private batch: Deferred | undefined;
  private timer:
    { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | undefined;
  private last: Promise<void> = Promise.resolve();
  private lastSealAt = Number.NEGATIVE_INFINITY;
  /** A grouped policy's commit is on its way to the disk. */
  private committing = false;
  private failure: unknown;
  private readonly target: BatchTarget;
  private readonly policy: SyncPolicy;

  constructor(target: BatchTarget, policy: SyncPolicy) {
    this.target = target;
    this.policy = policy;
  }

  /**
   * Stages a put (`value` gives the value at sealing) or, without `value`, a removal. `fresh`
   * says the key is on disk nowhere, not even in a batch already sealed (a new outbound record
   * under a sequence never used before): removing it while it is still staged drops it from the
   * batch, so a message queued, sent and acknowledged within one window is never written.
   */
  stage(key: Buffer | StagingKey, value?: () => unknown, fresh = false): void {
    this.makeRoom();
    const { key: bytes, id } = key instanceof Uint8Array ? stagingKey(key) : key;
    const staged = this.pending.get(id);
    if (staged === undefined)
      this.pending.set(id, { key: bytes, value, fresh: fresh && value !== undefined });
    else if (staged.fresh && value === undefined) this.pending.delete(id);
    else staged.value = value;
    this.staged();
  }

  /** Stages the entry numbered `index` of `keys`: `item` to put, `undefined` to remove. */
  stageNumbered<T>(keys: NumberedKeys<T>, index: number, item: T | undefined): void {
    this.stageItem(keys, index, { item, fresh: false });
  }

  /** `stageNumbered` of a put under a number never used before: see `fresh` in `stage`. */
  stageFresh<T>(keys: NumberedKeys<T>, index: number, item: T): void {
    this.stageItem(keys, index, { item, fresh: true });
  }

  private stageItem<T>(keys: NumberedKeys<T>, index: number, change: StagedItem<T>): void {
    this.makeRoom();
    let group = this.groups.get(keys.id) as StagedGroup<T> | undefined;
    if (group === undefined) {
      group = { keys, items: new Map() };
      this.groups.set(keys.id, group as StagedGroup<unknown>);
    }
    const staged = group.items.get(index);
    if (staged === undefined) {
      group.items.set(index, change);
      this.numbered += 1;
    } else if (staged.fresh && change.item === undefined) {
      group.items.delete(index);
      this.numbered -= 1;
    } else {
      staged.item = change.item;
    }
    this.staged();
  }

  private staged(): void {
    if (this.batch === undefined) {
      this.batch = defer();
      // A caller may not await its write (the broker does not for every change), so a batch may
      // have no reader; its failure then surfaces in the next flush(), not as an unhandled rejection.
      this.batch.promise.catch(() => undefined);
      this.schedule();
    }
  }

  /**
   * Seals a full batch before a write is staged, never after: the write then belongs to the
   * pending batch, whose promise `settled()` hands to its caller.
   */
  private makeRoom(): void {
    if (this.pending.size + this.numbered >= largestBatch) void this.seal();
  }

  /** Resolves once everything staged so far is committed under the policy. */
  settled(): Promise<void> {
    return this.batch?.promise ?? this.last;
  }

  /** Commits what is staged now, without waiting for the policy's window. */
  flush(): Promise<void> {
    if (this.batch !== undefined) void this.seal();
    return this.last.then(() => {
      const failure = this.failure;
      this.failure = undefined;
      if (failure !== undefined) throw failure;
    });
  }

  private schedule(): void {
    // A grouped policy is a group commit: one commit at a time, at most one starting per window.
    // A write after a quiet spell is committed at once; writes arriving while a commit is on its
    // way to the disk, or while the window is open, wait together for the next one.
    if (this.committing) return;
    const wait =
      typeof this.policy === 'object' ? this.lastSealAt + this.policy.intervalMs - performance.now() : 0;
    if (wait > 0) this.timer = { kind: 'timeout', handle: setTimeout(() => void this.seal(), wait) };
    // Every write made in this turn of the event loop shares the commit.
    else this.timer = { kind: 'immediate', handle: setImmediate(() => void this.seal()) };
  }

  private seal(): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return this.last;
    if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    else if (this.timer?.kind === 'timeout') clearTimeout(this.timer.handle);
    this.timer = undefined;
    this.lastSealAt = performance.now();
    this.batch = undefined;
    // Keys and values in two lists, made before the batch starts: nothing that could throw runs
    // inside it, and no object per operation.
    const keys: Buffer[] = [];
    const values: unknown[] = [];
    for (const { key, value } of this.pending.values()) {
      keys.push(key);
      values.push(value?.());
    }
    for (const group of this.groups.values()) {
      group.items.forEach(({ item }, index) => {
        keys.push(group.keys.key(index));
        values.push(item === undefined ? undefined : group.keys.value(item));
      });
    }
    this.pending = new Map();
    this.groups = new Map();
    this.numbered = 0;
    // `batch` writes the operations at once, as one atomic block of the next commit; a
    // `transaction` callback would first wait for the writer thread to call back into this one.
    const committed = this.target.batch(() => {
      for (let index = 0; index < keys.length; index += 1) {
        const value = values[index];
        if (value === undefined) void this.target.remove(keys[index]!);
        else void this.target.put(keys[index]!, value);
      }
    });
    // Opened without overlapping sync, a commit resolves after its fsync (LMDB syncs before it
    // returns). lmdb-js's `flushed` would instead wait for the latest commit, a later batch's.
    const durable = committed;
    const grouped = typeof this.policy === 'object';
    if (grouped) this.committing = true;
    this.last = durable.then(
      () => batch.resolve(),
      (error: unknown) => {
        // A failed batch rejects its own writes and the next flush(), not later batches.
        this.failure = error;
        batch.reject(error);
      },
    );
    if (grouped) {
      void this.last.then(() => {
        this.committing = false;
        if (this.batch !== undefined && this.timer === undefined) this.schedule();
      });
    }
    return batch.promise;
  }
}
