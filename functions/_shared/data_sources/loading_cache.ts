/**
 * A bounded TTL cache that loads missing entries itself, one load per key at a time.
 *
 * @module
 */

/** Options of {@linkcode LoadingCache}. */
export interface LoadingCacheOptions {
  /** How long a loaded value is served, in milliseconds. */
  ttlMs: number;
  /** How many entries to keep; the least recently used goes first. */
  maxEntries: number;
  /** The clock, in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined;
  /**
   * Asked when a load finishes: `false` hands the value to its callers without storing it (the
   * directory stores nothing while it cannot hear about changes).
   */
  canStore?: (() => boolean) | undefined;
}

/** Counters of a {@linkcode LoadingCache}. */
export interface LoadingCacheStats {
  size: number;
  hits: number;
  /** Lookups that started a load. */
  loads: number;
  /** Lookups that joined a load already running for the same key. */
  joins: number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

interface Flight<V> {
  promise: Promise<V>;
  /** Set when the key was invalidated while loading: the result is returned but not stored. */
  cancelled: boolean;
}

/**
 * Values by key, each served for `ttlMs` after it was loaded, at most `maxEntries` of them (LRU).
 *
 * - {@linkcode LoadingCache.get}: a fresh entry, else the running load for the key (concurrent misses
 *   share one load: no thundering herd), else a new load. A failed load is not stored; every caller of
 *   it gets the error, and the next lookup loads again.
 * - {@linkcode LoadingCache.delete}, {@linkcode LoadingCache.deleteWhere}, {@linkcode LoadingCache.clear}:
 *   invalidation. A load running for an invalidated key may have read the old state, so it is detached:
 *   its callers get its value, but it is not stored, and later lookups start a new load.
 */
export class LoadingCache<K, V> {
  #entries = new Map<K, Entry<V>>();
  #flights = new Map<K, Flight<V>>();
  #ttlMs: number;
  #maxEntries: number;
  #now: () => number;
  #canStore: () => boolean;
  #hits = 0;
  #loads = 0;
  #joins = 0;

  /** Creates an empty cache. */
  constructor(options: LoadingCacheOptions) {
    if (!Number.isFinite(options.ttlMs) || options.ttlMs < 0) {
      throw new RangeError(`Invalid cache TTL: expected milliseconds of 0 or more, got ${options.ttlMs}`);
    }
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`Invalid cache size: expected an integer of 1 or more, got ${options.maxEntries}`);
    }
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
    this.#canStore = options.canStore ?? (() => true);
  }

  /** The value for `key`: cached, joined, or loaded with `load`. */
  get(key: K, load: (key: K) => Promise<V>): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      this.#entries.delete(key);
      if (entry.expiresAt > this.#now()) {
        this.#entries.set(key, entry);
        this.#hits++;
        return Promise.resolve(entry.value);
      }
    }
    const running = this.#flights.get(key);
    if (running !== undefined) {
      this.#joins++;
      return running.promise;
    }
    this.#loads++;
    const flight: Flight<V> = { promise: Promise.resolve() as Promise<never>, cancelled: false };
    flight.promise = (async () => {
      try {
        const value = await load(key);
        if (!flight.cancelled && this.#canStore() && this.#ttlMs > 0) this.#store(key, value);
        return value;
      } finally {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      }
    })();
    this.#flights.set(key, flight);
    return flight.promise;
  }

  /** The fresh value for `key`, without loading or touching its recency. */
  peek(key: K): V | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.#now() ? entry.value : undefined;
  }

  /** Drops `key` and detaches a load running for it. */
  delete(key: K): void {
    this.#entries.delete(key);
    this.#detach(key);
  }

  /**
   * Drops every entry whose value matches, and detaches every running load (their values are not known
   * yet, so any of them might match).
   */
  deleteWhere(predicate: (value: V, key: K) => boolean): void {
    for (const [key, entry] of this.#entries) {
      if (predicate(entry.value, key)) this.#entries.delete(key);
    }
    for (const key of [...this.#flights.keys()]) this.#detach(key);
  }

  /** Drops everything and detaches every running load. */
  clear(): void {
    this.#entries.clear();
    for (const key of [...this.#flights.keys()]) this.#detach(key);
  }

  /** Counters since the cache was created. */
  stats(): LoadingCacheStats {
    return { size: this.#entries.size, hits: this.#hits, loads: this.#loads, joins: this.#joins };
  }

  #store(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  #detach(key: K): void {
    const flight = this.#flights.get(key);
    if (flight === undefined) return;
    flight.cancelled = true;
    this.#flights.delete(key);
  }
}
