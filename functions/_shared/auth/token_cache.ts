/**
 * A bounded LRU map of verified tokens, keyed by the token's exact text.
 *
 * @module
 */

/** The default number of entries a {@linkcode TokenCache} holds: 10,000. */
export const DEFAULT_CACHE_ENTRIES = 10_000;
/** The default longest time an entry is trusted, in seconds (10 minutes), whatever the token's `exp`. */
export const DEFAULT_CACHE_MAX_AGE_SECONDS = 600;

/** Options of {@linkcode TokenCache}. */
export interface TokenCacheOptions {
  /** How many entries to keep; the least recently used goes first. Default 10,000; 0 disables caching. */
  maxEntries?: number | undefined;
  /**
   * The longest an entry is trusted after it was stored, in seconds, even when the token expires later
   * (project API keys live for years): after it the token is verified again, so a key removed from a
   * remote JWKS stops working within this time. Default 600.
   */
  maxAgeSeconds?: number | undefined;
}

interface Entry<T> {
  value: T;
  /** Milliseconds since the epoch after which the entry is gone. */
  expiresAt: number;
}

/**
 * Verified tokens by key (the verifier uses the token's exact text): a `Map` in least-recently-used
 * order, at most `maxEntries` long. An entry never outlives its token: it expires at the token's `exp`
 * (without clock tolerance) or `maxAgeSeconds` after it was stored, whichever comes first, and an expired
 * entry is never returned. The cache lives in the process's memory only; its keys are never logged.
 *
 * @example
 * ```ts
 * const cache = new TokenCache<Claims>({ maxEntries: 1000 });
 * cache.set(token, claims, { exp: claims.exp, now: Date.now() });
 * const hit = cache.get(token, Date.now()); // undefined once claims.exp has passed
 * ```
 */
export class TokenCache<T> {
  #entries = new Map<string, Entry<T>>();
  #maxEntries: number;
  #maxAgeMs: number;

  /** Creates an empty cache. */
  constructor(options: TokenCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? DEFAULT_CACHE_ENTRIES;
    const maxAge = options.maxAgeSeconds ?? DEFAULT_CACHE_MAX_AGE_SECONDS;
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new RangeError(`Invalid token cache size: expected an integer of 0 or more, got ${maxEntries}`);
    }
    if (!Number.isFinite(maxAge) || maxAge < 0) {
      throw new RangeError(`Invalid token cache max age: expected seconds of 0 or more, got ${maxAge}`);
    }
    this.#maxEntries = maxEntries;
    this.#maxAgeMs = maxAge * 1000;
  }

  /** How many entries the cache holds (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** Returns the value stored under `key` while it has not expired at `now` (ms), and marks it used. */
  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (now >= entry.expiresAt) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` under `key` until the token's `exp` (seconds since the epoch) or the cache's max age,
   * counted from `now` (ms); evicts the least recently used entry when full. Does nothing when the entry
   * would already be expired or the cache is disabled.
   */
  set(key: string, value: T, options: { exp: number; now: number }): void {
    const expiresAt = Math.min(options.exp * 1000, options.now + this.#maxAgeMs);
    if (this.#maxEntries === 0 || !(expiresAt > options.now)) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Removes every entry (for example after the signing keys changed). */
  clear(): void {
    this.#entries.clear();
  }
}
