/**
 * Who a request is, remembered by the exact text of the headers that say it (`apikey`, `Authorization`,
 * `x-tenant-id`). Checking both tokens and resolving the tenant, all from caches, still cost ≈ 17 µs of a
 * warm read's 240 µs of gateway CPU (docs/benchmarks.md); the answer only changes when a token expires or
 * the tenant directory hears of a change. So an entry is served only while the caller says it is still
 * current (the gateway asks the directory whether the entry's resolution is: a membership revoked or a
 * tenant suspended ends the entries of the users it touched), never past either token's expiry, and never
 * longer than `ttlMs`. Only successes are remembered.
 *
 * @module
 */

/** Options of {@linkcode Identities}. */
export interface IdentitiesOptions {
  /** How many entries to keep; the oldest goes first. Default 4,096 (about 1 KB of header text each). */
  maxEntries?: number;
  /** The longest an entry is served, in milliseconds; default 10 s. */
  ttlMs?: number;
  /** The clock, in milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
}

interface Entry<T> {
  identity: T;
  expiresAt: number;
}

/**
 * Resolved identities by request headers.
 *
 * @example
 * ```ts
 * const identities = new Identities<Identity>();
 * const key = identityKey(request.headers);
 * const known = identities.get(key, (identity) => directory.isCurrent(identity.resolution));
 * ```
 */
export class Identities<T> {
  #entries = new Map<string, Entry<T>>();
  #maxEntries: number;
  #ttlMs: number;
  #now: () => number;

  constructor(options: IdentitiesOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 4_096;
    this.#ttlMs = options.ttlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The identity remembered under `key`, unless it expired or `isCurrent` says it no longer holds. */
  get(key: string, isCurrent: (identity: T) => boolean): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() < entry.expiresAt && isCurrent(entry.identity)) return entry.identity;
    this.#entries.delete(key);
    return undefined;
  }

  /** Remembers `identity` until `expiresAt` (ms since the epoch) or the TTL, whichever is first. */
  set(key: string, identity: T, expiresAt: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, { identity, expiresAt: Math.min(expiresAt, this.#now() + this.#ttlMs) });
  }

  /** How many entries are held (stale ones included until looked up or pushed out). */
  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The headers that say who a request is, as one key: API key, `Authorization`, `x-tenant-id`. A header
 * value never holds a line break or NUL, so neither can shift one header into another or pose as absent.
 */
export function identityKey(headers: Headers): string {
  return `${headers.get("apikey") ?? "\0"}\n${headers.get("authorization") ?? "\0"}\n${
    headers.get("x-tenant-id") ?? "\0"
  }`;
}
