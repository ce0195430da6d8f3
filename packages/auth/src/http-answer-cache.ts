/** An answer of the HTTP auth endpoint, as cached. */
export type HttpAnswer = 'allow' | 'deny' | 'ignore';

/** Options of {@link createHttpAnswerCache}. */
export interface HttpAnswerCacheOptions {
  /** Most answers kept; the least recently used goes first. 0 disables the cache. */
  readonly maxEntries: number;
  /** How long an `allow` is reused, in milliseconds. */
  readonly allowTtl: number;
  /** How long a `deny` or `ignore` is reused, in milliseconds. */
  readonly denyTtl: number;
  /** Milliseconds, monotonic enough for expiry. */
  readonly clock: () => number;
}

export interface HttpAnswerCache {
  get(key: string): HttpAnswer | undefined;
  set(key: string, answer: HttpAnswer): void;
  readonly size: number;
}

interface Entry {
  readonly answer: HttpAnswer;
  readonly expiresAt: number;
}

/**
 * A bounded least-recently-used cache of endpoint answers with separate lifetimes for allow and
 * deny, so that a revoked permission is not reused for long while a flood of refused requests is
 * still absorbed. A Map keeps insertion order, which makes re-inserting on a hit the LRU order.
 */
export function createHttpAnswerCache(options: HttpAnswerCacheOptions): HttpAnswerCache {
  const entries = new Map<string, Entry>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= options.clock()) return undefined;
      entries.set(key, entry);
      return entry.answer;
    },
    set(key, answer) {
      const ttl = answer === 'allow' ? options.allowTtl : options.denyTtl;
      if (options.maxEntries <= 0 || ttl <= 0) return;
      entries.delete(key);
      entries.set(key, { answer, expiresAt: options.clock() + ttl });
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done === true) break;
        entries.delete(oldest.value);
      }
    },
    get size() {
      return entries.size;
    },
  };
}
