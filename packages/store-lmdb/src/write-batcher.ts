/** How writes are made durable; see `LmdbStoreOptions.sync`. */
export type SyncPolicy = 'always' | 'none' | { readonly intervalMs: number };

/** The part of an lmdb-js database the batcher uses. */
export interface BatchTarget {
  transaction(callback: () => void): Promise<unknown>;
  put(key: Buffer, value: unknown): Promise<boolean>;
  remove(key: Buffer): Promise<boolean>;
  readonly flushed: PromiseLike<unknown>;
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

/** A batch this large is committed at once, whatever the policy, to bound memory. */
const largestBatch = 20_000;

/**
 * Collects writes into batches and commits each batch as one LMDB transaction: with a sync
 * policy, every write of a batch resolves after the one fsync of its transaction. Staging the
 * same key twice in a batch keeps the last value only, so a message queued and acknowledged
 * within one window costs almost nothing. Values are thunks, read when the batch is sealed: a
 * batch holds the state as of its last staged write, never a later one.
 */
export class WriteBatcher {
  private pending = new Map<string, { key: Buffer; value: (() => unknown) | undefined }>();
  private batch: Deferred | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private last: Promise<void> = Promise.resolve();
  private readonly target: BatchTarget;
  private readonly policy: SyncPolicy;

  constructor(target: BatchTarget, policy: SyncPolicy) {
    this.target = target;
    this.policy = policy;
  }

  /** Stages a put (`value` gives the value at sealing) or, without `value`, a removal. */
  stage(key: Buffer, value?: () => unknown): void {
    this.pending.set(key.toString('latin1'), { key, value });
    if (this.batch === undefined) {
      this.batch = defer();
      this.schedule();
    }
    if (this.pending.size >= largestBatch) void this.seal();
  }

  /** Resolves once everything staged so far is committed under the policy. */
  settled(): Promise<void> {
    return this.batch?.promise ?? this.last;
  }

  /** Commits what is staged now, without waiting for the policy's window. */
  flush(): Promise<void> {
    return this.batch === undefined ? this.last : this.seal();
  }

  private schedule(): void {
    if (typeof this.policy === 'object') {
      this.timer = setTimeout(() => void this.seal(), this.policy.intervalMs);
    } else {
      // Every write made in this turn of the event loop shares the commit.
      this.timer = setImmediate(() => void this.seal());
    }
  }

  private seal(): Promise<void> {
    const batch = this.batch;
    if (batch === undefined) return this.last;
    if (typeof this.policy === 'object') clearTimeout(this.timer as NodeJS.Timeout);
    else clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
    this.batch = undefined;
    const operations = [...this.pending.values()].map(({ key, value }) => ({ key, value: value?.() }));
    this.pending = new Map();
    const committed = this.target.transaction(() => {
      for (const { key, value } of operations) {
        if (value === undefined) void this.target.remove(key);
        else void this.target.put(key, value);
      }
    });
    const durable = this.policy === 'none' ? committed : committed.then(() => this.target.flushed);
    this.last = durable.then(
      () => batch.resolve(),
      (error: unknown) => {
        batch.reject(error);
        throw error;
      },
    );
    // A failed batch rejects its own writes; later batches and flush() are not poisoned by it.
    this.last = this.last.catch(() => undefined);
    return batch.promise;
  }
}
