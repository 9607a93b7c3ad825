/**
 * Where a secret is decrypted on the request path: a data source's row is read from the application
 * database, its credentials are opened with the keyring once per sealed value, and the opened
 * {@linkcode DataSource} is cached until a change (NOTIFY, heard by the tenant directory) or the TTL.
 *
 * @module
 */
import type postgres from "postgres";
import type { Keyring } from "../crypto/mod.ts";
import { openCredentials } from "./credentials.ts";
import { DataSource, type DataSourceStatus } from "./data_source.ts";
import { DataSourceUnavailableError } from "./errors.ts";
import { LoadingCache, type LoadingCacheStats } from "./loading_cache.ts";

/** Options of {@linkcode DataSourceCache}. */
export interface DataSourceCacheOptions {
  /** The application database, as a service-level connection. */
  sql: postgres.Sql;
  /** Opens the data sources' credentials. */
  keyring: Keyring;
  /**
   * Runs a read of the application database; the caller turns its failure into its own error (the
   * tenant directory's 503) and refuses untrusted answers.
   */
  query: <T extends readonly object[]>(run: () => Promise<T>) => Promise<T>;
  /** How long a cached data source is served, in milliseconds. */
  ttlMs: number;
  /** How many data sources to cache (and opened credentials to keep). */
  maxEntries: number;
  /** Whether a loaded value may be stored now (only while changes are heard). */
  canStore: () => boolean;
  /** Where to report credentials that do not open; never given a secret. */
  log: (message: string) => void;
  /** The clock for cache expiry, in milliseconds; default `Date.now`. */
  now?: (() => number) | undefined;
}

type DataSourceEntry =
  | { ok: true; dataSource: DataSource }
  | { ok: false; dataSourceId: string | null; reason: "credentials" | "missing" };

interface Opened {
  keyId: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  credentials: Awaited<ReturnType<typeof openCredentials>> | null;
}

interface DataSourceRow {
  id: string;
  name: string;
  kind: string;
  is_default: boolean;
  status: DataSourceStatus;
  pool_max: number;
  aggregates_enabled: boolean;
  plan_enabled: boolean;
  secret_ciphertext: Uint8Array;
  secret_nonce: Uint8Array;
  secret_key_id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DEFAULT_KEY = "default";

/** The cache's key for a data source id, or for the default data source (`null`). */
function cacheKey(dataSourceId: string | null): string {
  return dataSourceId === null ? DEFAULT_KEY : dataSourceId.toLowerCase();
}
/** Seconds a client waits when its data source's credentials are broken: an operator has to act. */
const BROKEN_RETRY_AFTER_SECONDS = 30;

/**
 * Data sources by id (and the default one), with their credentials decrypted once per data source and
 * credentials version (`<key id>:<nonce>`), kept only in memory and never logged. Concurrent misses for
 * one key share one query.
 *
 * @example
 * ```ts
 * const dataSources = new DataSourceCache({ sql, keyring, query, ttlMs, maxEntries, canStore, log });
 * const dataSource = await dataSources.get(tenant.dataSourceId); // null: the default data source
 * ```
 */
export class DataSourceCache {
  #sql: postgres.Sql;
  #keyring: Keyring;
  #query: DataSourceCacheOptions["query"];
  #entries: LoadingCache<string, DataSourceEntry>;
  #opened = new Map<string, Opened>();
  #maxEntries: number;
  #decryptions = 0;
  #log: (message: string) => void;

  /** Creates the cache; it reads nothing until asked. */
  constructor(options: DataSourceCacheOptions) {
    this.#sql = options.sql;
    this.#keyring = options.keyring;
    this.#query = options.query;
    this.#maxEntries = options.maxEntries;
    this.#log = options.log;
    this.#entries = new LoadingCache({
      ttlMs: options.ttlMs,
      maxEntries: options.maxEntries,
      now: options.now,
      canStore: options.canStore,
    });
  }

  /**
   * A data source by id, or the default one for `null` (cached, credentials decrypted).
   *
   * @throws {DataSourceUnavailableError} when it is missing or disabled, or its credentials do not open.
   * @throws whatever `query` throws when the application database cannot be read.
   */
  async get(dataSourceId: string | null): Promise<DataSource> {
    const key = cacheKey(dataSourceId);
    if (key !== DEFAULT_KEY && !UUID.test(key)) {
      throw new DataSourceUnavailableError({ dataSourceId: null, reason: "missing" });
    }
    const entry = await this.#entries.get(key, (k) => this.#load(k));
    if (!entry.ok) {
      throw new DataSourceUnavailableError({
        dataSourceId: entry.dataSourceId,
        reason: entry.reason,
        retryAfterSeconds: BROKEN_RETRY_AFTER_SECONDS,
      });
    }
    if (entry.dataSource.status === "disabled") {
      throw new DataSourceUnavailableError({
        dataSourceId: entry.dataSource.id,
        reason: "disabled",
        retryAfterSeconds: BROKEN_RETRY_AFTER_SECONDS,
      });
    }
    return entry.dataSource;
  }

  /**
   * Whether `dataSource`, got from {@linkcode DataSourceCache.get} for `dataSourceId`, is still the cached
   * entry: not invalidated, reloaded or expired since. Never loads.
   */
  isCurrent(dataSourceId: string | null, dataSource: DataSource): boolean {
    const entry = this.#entries.peek(cacheKey(dataSourceId));
    return entry !== undefined && entry.ok && entry.dataSource === dataSource;
  }

  /**
   * Ids of the active `postgres` data sources serving the most tenants, at most `limit`, the default
   * first: the ones worth opening ahead of their first request.
   *
   * @throws whatever `query` throws when the application database cannot be read.
   */
  async busiest(limit: number): Promise<string[]> {
    const rows = await this.#query(() =>
      this.#sql<{ id: string }[]>`
        select d.id from private.data_sources d
        where d.kind = 'postgres' and d.status = 'active'
        order by d.is_default desc,
                 (select count(*) from public.tenants t where t.data_source_id = d.id) desc, d.name
        limit ${limit}`
    );
    return rows.map((row) => row.id);
  }

  /**
   * Forgets a changed data source (and the default, which may have moved); a deleted one's opened
   * credentials too. Without an id (a truncate), forgets every entry.
   */
  invalidate(dataSourceId: string | undefined, options: { deleted?: boolean } = {}): void {
    if (dataSourceId === undefined) return this.#entries.clear();
    this.#entries.delete(dataSourceId);
    this.#entries.delete(DEFAULT_KEY); // is_default may have moved
    if (options.deleted) this.#opened.delete(dataSourceId);
  }

  /** Drops every cached entry (opened credentials stay: they are keyed by their ciphertext). */
  clear(): void {
    this.#entries.clear();
  }

  /** Cache counters; never a secret. */
  stats(): LoadingCacheStats {
    return this.#entries.stats();
  }

  /** Credentials decrypted since start: one per data source and credentials version. */
  get decryptions(): number {
    return this.#decryptions;
  }

  async #load(key: string): Promise<DataSourceEntry> {
    const rows = await this.#query(() =>
      key === DEFAULT_KEY
        ? this.#sql<DataSourceRow[]>`
          select id, name, kind, is_default, status, pool_max, aggregates_enabled, plan_enabled,
                 secret_ciphertext, secret_nonce, secret_key_id
          from private.data_sources
          where is_default`
        : this.#sql<DataSourceRow[]>`
          select id, name, kind, is_default, status, pool_max, aggregates_enabled, plan_enabled,
                 secret_ciphertext, secret_nonce, secret_key_id
          from private.data_sources
          where id = ${key}`
    );
    const row = rows[0];
    if (row === undefined) {
      return { ok: false, dataSourceId: key === DEFAULT_KEY ? null : key, reason: "missing" };
    }
    const credentials = await this.#open(row);
    if (credentials === null) return { ok: false, dataSourceId: row.id, reason: "credentials" };
    return {
      ok: true,
      dataSource: new DataSource({
        id: row.id,
        name: row.name,
        status: row.status,
        isDefault: row.is_default,
        poolMax: row.pool_max,
        postgrest: { aggregates: row.aggregates_enabled, plan: row.plan_enabled },
        version: `${row.secret_key_id}:${toHex(row.secret_nonce)}`,
        credentials,
      }),
    };
  }

  /** Decrypts a row's credentials, once per sealed value; `null` when they do not open. */
  async #open(row: DataSourceRow): Promise<Opened["credentials"]> {
    const known = this.#opened.get(row.id);
    if (
      known !== undefined && known.keyId === row.secret_key_id && equalBytes(known.nonce, row.secret_nonce) &&
      equalBytes(known.ciphertext, row.secret_ciphertext)
    ) {
      return known.credentials;
    }
    this.#decryptions++;
    let credentials: Opened["credentials"];
    try {
      credentials = await openCredentials(this.#keyring, row);
    } catch (error) {
      // The name only (DecryptionError, UnknownKeyError, ZodError, SyntaxError): messages of the last two
      // could quote parts of the plaintext.
      const name = error instanceof Error ? error.name : "error";
      this.#log(
        `Cannot open the credentials of data source ${row.id} (${name}): its tenants get 503 until they are replaced`,
      );
      credentials = null;
    }
    this.#opened.delete(row.id);
    this.#opened.set(row.id, {
      keyId: row.secret_key_id,
      nonce: new Uint8Array(row.secret_nonce),
      ciphertext: new Uint8Array(row.secret_ciphertext),
      credentials,
    });
    while (this.#opened.size > this.#maxEntries) {
      const oldest = this.#opened.keys().next();
      if (oldest.done) break;
      this.#opened.delete(oldest.value);
    }
    return credentials;
  }
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
