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
  private timer:
    { kind: 'timeout'; handle: NodeJS.Timeout } | { kind: 'immediate'; handle: NodeJS.Immediate } | undefined;
  private last: Promise<void> = Promise.resolve();
  private lastSealAt = Number.NEGATIVE_INFINITY;
  private failure: unknown;
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
      // Writes whose loss is harmless resolve without waiting, so a batch may have no reader;
      // its failure then surfaces in the next flush() instead of as an unhandled rejection.
      this.batch.promise.catch(() => undefined);
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
    if (this.batch !== undefined) void this.seal();
    return this.last.then(() => {
      const failure = this.failure;
      this.failure = undefined;
      if (failure !== undefined) throw failure;
    });
  }

  private schedule(): void {
    // A grouped policy commits at most once per window: a write after a quiet spell is committed
    // at once, and writes arriving while the window is still open wait for its end together.
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
    const operations = [...this.pending.values()].map(({ key, value }) => ({ key, value: value?.() }));
    this.pending = new Map();
    const committed = this.target.transaction(() => {
      for (const { key, value } of operations) {
        if (value === undefined) void this.target.remove(key);
        else void this.target.put(key, value);
      }
    });
    // Opened without overlapping sync, a commit resolves after its fsync already; `flushed`
    // says so explicitly and costs nothing then.
    const durable = this.policy === 'none' ? committed : committed.then(() => this.target.flushed);
    this.last = durable.then(
      () => batch.resolve(),
      (error: unknown) => {
        // A failed batch rejects its own writes and the next flush(), not later batches.
        this.failure = error;
        batch.reject(error);
      },
    );
    return batch.promise;
  }
}
